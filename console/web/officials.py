"""Admins manage officials: deactivate (offboarding), reset a password, revoke API tokens,
change a role or region. Each action is audited with the admin who took it.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Request, Response

from console.deps import ServicesDep
from console.web.pages import WebRoute, redirect, render
from console.web.sessions import AdminSessionDep, PostSessionDep, WebError
from console.web.texts import TEXT
from storage.errors import NotFoundError
from storage.repos.accounts import Accounts

router = APIRouter(route_class=WebRoute)
OfficialId = Annotated[int, Path(ge=1, le=2**31 - 1)]
ACTIONS = ("deactivate", "reset_password", "revoke_tokens", "set_role", "set_region")


@router.get("/officials", include_in_schema=False)
async def officials(request: Request, session: AdminSessionDep, services: ServicesDep) -> Response:
    rows = await Accounts(services.db).all()
    return render(request, "officials.html", {"rows": rows})


@router.post("/officials/{official_id}", include_in_schema=False)
async def act(
    request: Request,
    session: PostSessionDep,
    services: ServicesDep,
    official_id: OfficialId,
    action: Annotated[str, Form(pattern="^(" + "|".join(ACTIONS) + ")$")],
    role: Annotated[str, Form(max_length=20)] = "",
    region: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """One action on one official, then the list again with what happened."""
    if not session.official.is_admin:
        raise WebError(403, TEXT["admins_only"])
    accounts = Accounts(services.db)
    actor = session.official.audit_name
    try:
        if action == "deactivate":
            if official_id == session.official.id:
                raise ValueError(TEXT["officials_not_yourself"])
            await accounts.deactivate(official_id, actor)
            done = TEXT["officials_deactivated"]
        elif action == "reset_password":
            password = await accounts.reset_password(official_id, actor)
            # Shown on this answer only: a flash cookie would carry it back and forth.
            shown = [("ok", TEXT["officials_password_reset"].format(password=password))]
            rows = await accounts.all()
            return render(request, "officials.html", {"rows": rows}, messages=shown)
        elif action == "revoke_tokens":
            count = await accounts.revoke_tokens(official_id, actor)
            done = TEXT["officials_tokens_revoked"].format(count=count)
        elif action == "set_role":
            await accounts.set_role(official_id, role, actor)
            done = TEXT["officials_changed"]
        else:
            await accounts.set_region(official_id, region.strip() or None, actor)
            done = TEXT["officials_changed"]
    except NotFoundError:
        raise WebError(404, TEXT["not_found"]) from None
    except ValueError as exc:
        return redirect(request, "/admin/officials", [("error", str(exc))])
    return redirect(request, "/admin/officials", [("ok", done)])
