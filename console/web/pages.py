"""Rendering console pages: templates, one-time flash messages, security headers, error pages.

`WebRoute` wraps every console route so refusals become pages and every answer carries the
headers that keep personal data out of caches and frames.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine, Mapping
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates

from console.web import views
from console.web.sessions import (
    CSRF_FIELD,
    SESSION_COOKIE,
    LoginRequired,
    SetupRequired,
    WebError,
    WebSession,
    forget_cookie,
    set_cookie,
    signer,
    unsign,
)
from console.web.texts import TEXT

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
FLASH_COOKIE = "lindungi_flash"
Flash = list[tuple[str, str]]
SECURITY_HEADERS: Mapping[str, str] = {
    "Cache-Control": "no-store",
    "Pragma": "no-cache",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
}


@cache
def templates() -> Jinja2Templates:
    found = Jinja2Templates(directory=str(TEMPLATES))
    env = found.env
    env.filters.update(when=views.when, day=views.day, rupiah=views.rupiah, number=views.number)
    env.globals.update(t=TEXT, csrf_field=CSRF_FIELD)
    env.trim_blocks = True
    env.lstrip_blocks = True
    return found


def safe_next(value: object, default: str = "/admin") -> str:
    """A local console path to go back to; anything else (another site, say) is refused."""
    if not isinstance(value, str) or not value.startswith("/admin"):
        return default
    if "//" in value or "\\" in value or value.startswith("/admin/login"):
        return default
    return value


def _services(request: Request) -> Any:
    return request.app.state.services


def flash(request: Request, response: Response, messages: Flash) -> None:
    """Show `messages` ([(level, text)], level ok|error|info) on the next page."""
    value = signer(_services(request), "flash").sign(json.dumps(messages)).decode()
    set_cookie(request, response, FLASH_COOKIE, value, 120)


def redirect(request: Request, to: str, messages: Flash | None = None) -> RedirectResponse:
    """303 See Other to a console page, after a POST (so a reload does not repeat it)."""
    response = RedirectResponse(to, status_code=303)
    if messages:
        flash(request, response, messages)
    return response


def _taken_flash(request: Request) -> Flash:
    raw = unsign(_services(request), "flash", request.cookies.get(FLASH_COOKIE))
    if raw is None:
        return []
    try:
        return [(str(level), str(text)) for level, text in json.loads(raw)]
    except (ValueError, TypeError):
        return []


def render(
    request: Request,
    name: str,
    context: Mapping[str, Any] | None = None,
    *,
    status: int = 200,
    messages: Flash | None = None,
) -> Response:
    """A page from `templates/`, with the official, their CSRF token and pending messages."""
    session: WebSession | None = getattr(request.state, "web_session", None)
    shown = _taken_flash(request) + (messages or [])
    page = {
        "request": request,
        "session": session,
        "official": session.official if session else None,
        "csrf": session.csrf if session else "",
        "messages": shown,
        "path": request.url.path,
        **(context or {}),
    }
    response = templates().TemplateResponse(request, name, page, status_code=status)
    if request.cookies.get(FLASH_COOKIE):
        forget_cookie(request, response, FLASH_COOKIE)
    return response


def error_page(request: Request, status: int, message: str) -> Response:
    return render(request, "error.html", {"message": message}, status=status)


def _login_redirect(request: Request) -> Response:
    target = "/admin/login"
    if request.method == "GET" and request.url.path != "/admin/login":
        back = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        target += "?next=" + quote(safe_next(back), safe="")
    # A cookie without a live session: it expired or was ended elsewhere; say so.
    ended = [("info", TEXT["session_ended"])] if request.cookies.get(SESSION_COOKIE) else None
    response = redirect(request, target, ended)
    if ended:
        forget_cookie(request, response, SESSION_COOKIE)
    return response


class WebRoute(APIRoute):
    """An APIRoute whose refusals are console pages and whose answers carry security headers."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                response = await handle(request)
            except LoginRequired:
                response = _login_redirect(request)
            except SetupRequired:
                response = redirect(request, "/admin/account", [("info", TEXT["totp_required"])])
            except WebError as exc:
                response = error_page(request, exc.status, exc.message)
            except RequestValidationError:
                response = error_page(request, 422, TEXT["invalid_input"])
            except HTTPException as exc:  # e.g. a body the form parser refuses
                response = error_page(request, exc.status_code, TEXT["invalid_input"])
            for header, value in SECURITY_HEADERS.items():
                response.headers.setdefault(header, value)
            return response

        return handler
