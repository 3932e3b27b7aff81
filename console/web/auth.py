"""Signing in and out of the console: password, then the second factor, throttled; logout.

The login forms are protected like every other POST (a token mirrored in a signed cookie), and
every attempt, good or bad, is written to the audit log. Every failure gets the same answer
whether or not the username exists; guesses are throttled per username and per address
(`storage.repos.login_throttle`). An official with a second factor gets a short-lived signed
cookie after the password, and a session only once the code is right.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request, Response
from itsdangerous import BadSignature, TimestampSigner

from console.deps import ServicesDep
from console.services import ConsoleServices
from console.web.pages import WebRoute, redirect, render, safe_next
from console.web.queue import SEARCH_COOKIE
from console.web.sessions import (
    LOGIN_COOKIE,
    SESSION_COOKIE,
    LoginRequired,
    PostSessionDep,
    SetupRequired,
    current_session,
    forget_cookie,
    login_nonce,
    same_token,
    session_token,
    set_cookie,
    signing_key,
    start_session,
    unsign,
)
from console.web.texts import TEXT
from console.web.views import when
from storage.models import Official
from storage.repos import audit
from storage.repos.console_sessions import ConsoleSessions
from storage.repos.login_throttle import Key, LoginThrottle, account_key, address_key
from storage.repos.second_factor import SecondFactor

router = APIRouter(route_class=WebRoute)
Field = Annotated[str, Form(max_length=200)]
PENDING_COOKIE = "lindungi_second_factor"
PENDING_SECONDS = 300


def _pending_signer(services: ConsoleServices) -> TimestampSigner:
    return TimestampSigner(signing_key(services), salt="lindungi.console.second-factor")


def _pending_official(services: ConsoleServices, request: Request) -> int | None:
    """The official who gave the right password in the last minutes and owes a code."""
    value = request.cookies.get(PENDING_COOKIE)
    if not value:
        return None
    try:
        raw = _pending_signer(services).unsign(value, max_age=PENDING_SECONDS).decode()
    except (BadSignature, UnicodeDecodeError):
        return None
    return int(raw) if raw.isdigit() else None


def _keys(request: Request, username: str) -> tuple[Key, Key]:
    """The throttled keys of a login: the typed username, and the client's address."""
    address = request.client.host if request.client else "unknown"
    return account_key(username), address_key(address)


def _page(
    request: Request,
    services: ServicesDep,
    template: str,
    next_: str,
    *,
    username: str = "",
    error: str = "",
    status: int = 200,
) -> Response:
    nonce, cookie = login_nonce(services, request)
    context = {"next": safe_next(next_), "error": error, "nonce": nonce, "username": username}
    response = render(request, template, context, status=status)
    set_cookie(request, response, LOGIN_COOKIE, cookie, 3600)
    return response


def _refusal(locked: datetime | None) -> str:
    return TEXT["login_locked"].format(until=when(locked)) if locked else TEXT["login_wrong"]


async def _signed_in(
    request: Request, services: ServicesDep, official: Official, next_: str
) -> Response:
    sessions = ConsoleSessions(services.db)
    old = session_token(services, request)
    if old:
        await sessions.close(old)
    response = redirect(request, safe_next(next_))
    start_session(services, request, response, await sessions.open(official))
    for name in (LOGIN_COOKIE, SEARCH_COOKIE, PENDING_COOKIE):
        forget_cookie(request, response, name)
    return response


@router.get("/login", include_in_schema=False)
async def login_form(request: Request, services: ServicesDep, next: str = "/admin") -> Response:
    try:
        await current_session(request, services)
    except (LoginRequired, SetupRequired):
        return _page(request, services, "login.html", next)
    return redirect(request, safe_next(next))


@router.post("/login", include_in_schema=False)
async def login(
    request: Request,
    services: ServicesDep,
    username: Field = "",
    password: Field = "",
    csrf_token: Field = "",
    next: Field = "/admin",
) -> Response:
    expected = unsign(services, "login", request.cookies.get(LOGIN_COOKIE))
    if expected is None or not same_token(csrf_token, expected):
        return _page(
            request, services, "login.html", next, error=TEXT["login_form_expired"], status=403
        )
    sessions = ConsoleSessions(services.db)
    throttle = LoginThrottle(services.db)
    keys = _keys(request, username)
    locked = await throttle.claim(keys)
    official = None if locked else await services.officials.verify_password(username, password)
    if official is None:
        if locked is None:
            locked = await throttle.failed(keys)
            if locked is not None:
                await _record_lock(services, username)
        await sessions.refused(username, "locked" if locked else "wrong_password")
        return _page(
            request,
            services,
            "login.html",
            next,
            username=username,
            error=_refusal(locked),
            status=401,
        )
    if official.totp_enabled_at is None:
        await throttle.succeeded(*keys)
        return await _signed_in(request, services, official, next)
    # The attempt stays counted until the code is right too: a known password alone does not
    # give an account fresh guesses at the code.
    response = redirect(request, "/admin/login/code?next=" + quote(safe_next(next), safe=""))
    pending = _pending_signer(services).sign(str(official.id)).decode()
    set_cookie(request, response, PENDING_COOKIE, pending, PENDING_SECONDS)
    return response


async def _record_lock(services: ServicesDep, username: str) -> None:
    """Audit that a real account was just locked (a typed unknown name is not recorded)."""
    official = await services.officials.find(username)
    if official is None or official.id is None:
        return
    async with services.db.session() as session:
        await audit.record(session, "system", "official.locked", "official", official.id)
        await session.commit()


@router.get("/login/code", include_in_schema=False)
async def code_form(request: Request, services: ServicesDep, next: str = "/admin") -> Response:
    if _pending_official(services, request) is None:
        return redirect(request, "/admin/login", [("info", TEXT["login_again"])])
    return _page(request, services, "login_code.html", next)


@router.post("/login/code", include_in_schema=False)
async def code(
    request: Request,
    services: ServicesDep,
    code: Field = "",
    csrf_token: Field = "",
    next: Field = "/admin",
) -> Response:
    expected = unsign(services, "login", request.cookies.get(LOGIN_COOKIE))
    official_id = _pending_official(services, request)
    if expected is None or not same_token(csrf_token, expected) or official_id is None:
        return redirect(request, "/admin/login", [("info", TEXT["login_again"])])
    official = await services.officials.get(official_id)
    if official is None or not official.active:
        return redirect(request, "/admin/login", [("info", TEXT["login_again"])])
    throttle = LoginThrottle(services.db)
    keys = _keys(request, official.username)
    locked = await throttle.claim(keys)
    if locked is None and await SecondFactor(services.db, services.cipher).check(official_id, code):
        await throttle.succeeded(*keys, claims=2)
        return await _signed_in(request, services, official, next)
    if locked is None:
        locked = await throttle.failed(keys)
        if locked is not None:
            await _record_lock(services, official.username)
    await ConsoleSessions(services.db).refused(
        official.username, "locked" if locked else "wrong_code"
    )
    error = TEXT["login_locked"].format(until=when(locked)) if locked else TEXT["code_wrong"]
    return _page(request, services, "login_code.html", next, error=error, status=401)


@router.post("/logout", include_in_schema=False)
async def logout(request: Request, services: ServicesDep, session: PostSessionDep) -> Response:
    await ConsoleSessions(services.db).close(session.token)
    response = redirect(request, "/admin/login", [("info", TEXT["logged_out"])])
    forget_cookie(request, response, SESSION_COOKIE)
    forget_cookie(request, response, SEARCH_COOKIE)
    return response
