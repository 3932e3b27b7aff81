"""An official's own account: their password, and their second factor (TOTP + recovery codes).

An admin without a second factor is sent here before any other page (`SetupRequired`).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Response

from console.deps import ServicesDep
from console.web.pages import WebRoute, redirect, render
from console.web.sessions import PostSessionDep, SessionDep, WebSession
from console.web.texts import TEXT
from domain.passwords import MIN_LENGTH
from storage.repos.accounts import Accounts, PasswordRejected
from storage.repos.second_factor import SecondFactor

router = APIRouter(route_class=WebRoute)
Secret = Annotated[str, Form(max_length=200)]


async def _page(
    request: Request,
    services: ServicesDep,
    session: WebSession,
    *,
    status: int = 200,
    messages: list[tuple[str, str]] | None = None,
    **context: Any,
) -> Response:
    official = await services.officials.get(session.official.id)
    page = {
        "totp_enabled": official is not None and official.totp_enabled_at is not None,
        "min_length": MIN_LENGTH,
        **context,
    }
    return render(request, "account.html", page, status=status, messages=messages)


@router.get("/account", include_in_schema=False)
async def account(request: Request, session: SessionDep, services: ServicesDep) -> Response:
    return await _page(request, services, session)


@router.post("/account/password", include_in_schema=False)
async def change_password(
    request: Request,
    session: PostSessionDep,
    services: ServicesDep,
    current: Secret = "",
    new: Secret = "",
    repeat: Secret = "",
) -> Response:
    """Their own new password: at least `MIN_LENGTH` characters and not a well-known one."""
    if new != repeat:
        error = [("error", TEXT["password_mismatch"])]
        return await _page(request, services, session, status=422, messages=error)
    try:
        await Accounts(services.db).change_password(session.official.id, current, new)
    except PasswordRejected as exc:
        error = [("error", TEXT[exc.problem].format(min=MIN_LENGTH))]
        return await _page(request, services, session, status=422, messages=error)
    return redirect(request, "/admin/account", [("ok", TEXT["password_changed"])])


@router.post("/account/totp", include_in_schema=False)
async def totp(
    request: Request,
    session: PostSessionDep,
    services: ServicesDep,
    action: Annotated[str, Form(pattern="^(start|confirm)$")] = "start",
    code: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """`start`: a new key to add to an authenticator app; `confirm`: its first code."""
    factor = SecondFactor(services.db, services.cipher)
    if action == "start":
        secret, uri = await factor.begin(session.official.id)
        return await _page(request, services, session, secret=secret, uri=uri)
    codes = await factor.confirm(session.official.id, code)
    if codes is None:
        error = [("error", TEXT["totp_code_wrong"])]
        return await _page(request, services, session, status=422, messages=error)
    done = [("ok", TEXT["totp_enabled"])]
    return await _page(request, services, session, recovery_codes=codes, messages=done)
