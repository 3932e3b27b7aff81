"""Signing in and out of the console: password login with lock-out, logout.

The login form is protected like every other POST (a token mirrored in a signed cookie), and
every attempt, good or bad, is written to the audit log.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response

from console.deps import ServicesDep
from console.web.pages import WebRoute, redirect, render, safe_next
from console.web.queue import SEARCH_COOKIE
from console.web.sessions import (
    LOGIN_COOKIE,
    SESSION_COOKIE,
    LoginRequired,
    PostSessionDep,
    current_session,
    forget_cookie,
    login_nonce,
    same_token,
    session_token,
    set_cookie,
    start_session,
    unsign,
)
from console.web.texts import TEXT
from console.web.views import when
from storage.repos.console_sessions import ConsoleSessions

router = APIRouter(route_class=WebRoute)
Field = Annotated[str, Form(max_length=200)]


def _login_page(
    request: Request,
    services: ServicesDep,
    next_: str,
    *,
    username: str = "",
    error: str = "",
    status: int = 200,
) -> Response:
    nonce, cookie = login_nonce(services, request)
    context = {"next": safe_next(next_), "error": error, "nonce": nonce, "username": username}
    response = render(request, "login.html", context, status=status)
    set_cookie(request, response, LOGIN_COOKIE, cookie, 3600)
    return response


@router.get("/login", include_in_schema=False)
async def login_form(request: Request, services: ServicesDep, next: str = "/admin") -> Response:
    try:
        await current_session(request, services)
    except LoginRequired:
        return _login_page(request, services, next)
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
        return _login_page(request, services, next, error=TEXT["login_form_expired"], status=403)
    sessions = ConsoleSessions(services.db)
    official = await services.officials.verify_password(username, password)
    if official is None:
        locked = await sessions.refused(username)
        error = TEXT["login_locked"].format(until=when(locked)) if locked else TEXT["login_wrong"]
        return _login_page(request, services, next, username=username, error=error, status=401)
    old = session_token(services, request)
    if old:
        await sessions.close(old)
    response = redirect(request, safe_next(next))
    start_session(services, request, response, await sessions.open(official))
    forget_cookie(request, response, LOGIN_COOKIE)
    forget_cookie(request, response, SEARCH_COOKIE)
    return response


@router.post("/logout", include_in_schema=False)
async def logout(request: Request, services: ServicesDep, session: PostSessionDep) -> Response:
    await ConsoleSessions(services.db).close(session.token)
    response = redirect(request, "/admin/login", [("info", TEXT["logged_out"])])
    forget_cookie(request, response, SESSION_COOKIE)
    forget_cookie(request, response, SEARCH_COOKIE)
    return response
