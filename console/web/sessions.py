"""Who is signed in: the signed session cookie, its server-side session, and CSRF tokens.

The cookie holds a random token signed with a key derived from the encryption key (so every
process and host agrees without another secret file); the database decides whether it is live.
The CSRF token of a session is an HMAC of the session's id: nothing more to store or leak.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request, Response
from itsdangerous import BadSignature, Signer

from console.deps import Actor, ServicesDep
from console.services import ConsoleServices
from console.web.texts import TEXT
from storage.repos.console_sessions import MAX_AGE, ConsoleSessions

SESSION_COOKIE = "lindungi_session"
LOGIN_COOKIE = "lindungi_login"
COOKIE_PATH = "/admin"
CSRF_FIELD = "csrf_token"
_KEY_LABEL = "lindungi/console/cookie-signing/v1"


class LoginRequired(Exception):
    """No live session: the browser is sent to the login page."""


class SetupRequired(Exception):
    """An admin without a second factor: every page sends them to set it up first."""


class WebError(Exception):
    """A request the console refuses, shown as a page with `status` and `message`."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class WebSession:
    """The signed-in official of this request and their session's CSRF token."""

    id: str
    token: str
    official: Actor
    csrf: str


def signing_key(services: ConsoleServices) -> bytes:
    return services.cipher.keyed_hash(_KEY_LABEL).encode()


def signer(services: ConsoleServices, purpose: str) -> Signer:
    return Signer(signing_key(services), salt=f"lindungi.console.{purpose}")


def unsign(services: ConsoleServices, purpose: str, value: str | None) -> str | None:
    """The value inside a signed cookie, or None when it is missing or was tampered with."""
    if not value:
        return None
    try:
        return signer(services, purpose).unsign(value).decode()
    except (BadSignature, UnicodeDecodeError):
        return None


def csrf_token(services: ConsoleServices, session_id: str) -> str:
    key = signing_key(services)
    return hmac.new(key, b"csrf:" + session_id.encode(), hashlib.sha256).hexdigest()


def secure_cookies(request: Request) -> bool:
    """Mark cookies `Secure` on HTTPS (as the proxy reports it) or when the console says so."""
    forced = bool(getattr(request.state, "console_secure_cookies", False))
    return forced or request.url.scheme == "https"


def set_cookie(
    request: Request, response: Response, name: str, value: str, max_age: int | None
) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=COOKIE_PATH,
        httponly=True,
        samesite="lax",
        secure=secure_cookies(request),
    )


def forget_cookie(request: Request, response: Response, name: str) -> None:
    response.delete_cookie(
        name, path=COOKIE_PATH, httponly=True, samesite="lax", secure=secure_cookies(request)
    )


def start_session(
    services: ConsoleServices, request: Request, response: Response, token: str
) -> None:
    """Give the browser the cookie of a new session."""
    signed = signer(services, "session").sign(token).decode()
    set_cookie(request, response, SESSION_COOKIE, signed, int(MAX_AGE.total_seconds()))


def login_nonce(services: ConsoleServices, request: Request) -> tuple[str, str]:
    """The login form's token and its signed cookie value (double submit).

    A browser that already holds a valid one keeps it, so two open login tabs both work.
    """
    nonce = unsign(services, "login", request.cookies.get(LOGIN_COOKIE))
    nonce = nonce or secrets.token_urlsafe(24)
    return nonce, signer(services, "login").sign(nonce).decode()


def session_token(services: ConsoleServices, request: Request) -> str | None:
    return unsign(services, "session", request.cookies.get(SESSION_COOKIE))


# What an admin without a second factor may still open: the page to set it up, and logout.
SETUP_PATHS = frozenset({"/admin/account", "/admin/account/totp", "/admin/logout"})


async def current_session(request: Request, services: ServicesDep) -> WebSession:
    """The live session of this request, or `LoginRequired` (or `SetupRequired`)."""
    token = session_token(services, request)
    found = await ConsoleSessions(services.db).find(token) if token else None
    if token is None or found is None:
        raise LoginRequired
    session_id, official = found
    if (
        official.role == "admin"
        and official.totp_enabled_at is None
        and request.url.path not in SETUP_PATHS
        and request.url.path != "/admin/login"
    ):
        raise SetupRequired
    web = WebSession(session_id, token, Actor.of(official), csrf_token(services, session_id))
    request.state.web_session = web
    return web


SessionDep = Annotated[WebSession, Depends(current_session)]


def same_token(given: object, expected: str) -> bool:
    """Constant-time comparison of a submitted token with the expected one."""
    return isinstance(given, str) and hmac.compare_digest(given.encode(), expected.encode())


async def checked_session(request: Request, session: SessionDep) -> WebSession:
    """The session of a POST whose form carries the session's CSRF token; else 403."""
    form = await request.form()
    if not same_token(form.get(CSRF_FIELD), session.csrf):
        raise WebError(403, TEXT["csrf_refused"])
    return session


PostSessionDep = Annotated[WebSession, Depends(checked_session)]


def require_admin(session: SessionDep) -> WebSession:
    if not session.official.is_admin:
        raise WebError(403, TEXT["admins_only"])
    return session


AdminSessionDep = Annotated[WebSession, Depends(require_admin)]
