"""Officials' accounts, for admins: list, deactivate (offboarding), reset a password, revoke
and issue API tokens, change role or region. Every change is audited.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Path, status
from pydantic import BaseModel, ConfigDict, Field

from console.api.responses import errors
from console.deps import AdminOfficial, ServicesDep
from storage.errors import NotFoundError
from storage.repos.accounts import Accounts
from storage.repos.officials import TOKEN_LIFETIME

router = APIRouter(tags=["officials"])
OfficialId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The official's id.")]
_RESPONSES = errors(401, 403, 404)
_BODY_RESPONSES = errors(400, 401, 403, 404)


class OfficialOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    name: str
    role: str
    region: str | None
    active: bool
    deactivated_at: datetime | None
    second_factor: bool = Field(description="Whether a TOTP second factor is set up.")


class RoleIn(BaseModel):
    role: Literal["admin", "reviewer"]


class RegionIn(BaseModel):
    region: str | None = Field(pattern=r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$")


class TokenIn(BaseModel):
    read_only: bool = Field(default=False, description="The token may only read (GET).")
    days: int = Field(default=TOKEN_LIFETIME.days, ge=1, le=3650, description="Lifetime.")


class TokenOut(BaseModel):
    token: str = Field(description="Shown once: give it with 'Authorization: Bearer <token>'.")
    read_only: bool
    days: int


class PasswordOut(BaseModel):
    password: str = Field(description="Shown once; the official's sessions have ended.")


class RevokedOut(BaseModel):
    revoked: int = Field(description="How many live tokens were revoked.")


def _not_found() -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, "No official has this id.")


@router.get("/officials", responses=errors(401, 403), summary="List officials")
async def list_officials(official: AdminOfficial, services: ServicesDep) -> list[OfficialOut]:
    rows = await Accounts(services.db).all()
    return [
        OfficialOut(
            id=row.id or 0,
            username=row.username,
            name=row.name,
            role=row.role,
            region=row.region,
            active=row.active,
            deactivated_at=row.deactivated_at,
            second_factor=row.totp_enabled_at is not None,
        )
        for row in rows
    ]


@router.post(
    "/officials/{official_id}/deactivate",
    responses=errors(401, 403, 404, 409),
    summary="Deactivate an official",
)
async def deactivate(
    official_id: OfficialId, official: AdminOfficial, services: ServicesDep
) -> dict[str, bool]:
    """Offboarding: their console sessions end and their API tokens stop working at once."""
    if official_id == official.id:
        raise HTTPException(status.HTTP_409_CONFLICT, "You cannot deactivate yourself.")
    try:
        await Accounts(services.db).deactivate(official_id, official.audit_name)
    except NotFoundError:
        raise _not_found() from None
    return {"active": False}


@router.post(
    "/officials/{official_id}/revoke-tokens", responses=_RESPONSES, summary="Revoke API tokens"
)
async def revoke_tokens(
    official_id: OfficialId, official: AdminOfficial, services: ServicesDep
) -> RevokedOut:
    try:
        count = await Accounts(services.db).revoke_tokens(official_id, official.audit_name)
    except NotFoundError:
        raise _not_found() from None
    return RevokedOut(revoked=count)


@router.post(
    "/officials/{official_id}/tokens",
    status_code=status.HTTP_201_CREATED,
    responses=errors(400, 401, 403, 404, 409),
    summary="Issue an API token",
)
async def new_token(
    official_id: OfficialId, body: TokenIn, official: AdminOfficial, services: ServicesDep
) -> TokenOut:
    """A new token (read-only or not) that expires after `days`; earlier ones keep working."""
    try:
        token = await Accounts(services.db).new_token(
            official_id,
            official.audit_name,
            read_only=body.read_only,
            lifetime=timedelta(days=body.days),
        )
    except NotFoundError:
        raise _not_found() from None
    except ValueError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from None
    return TokenOut(token=token, read_only=body.read_only, days=body.days)


@router.post(
    "/officials/{official_id}/reset-password", responses=_RESPONSES, summary="Reset a password"
)
async def reset_password(
    official_id: OfficialId, official: AdminOfficial, services: ServicesDep
) -> PasswordOut:
    try:
        password = await Accounts(services.db).reset_password(official_id, official.audit_name)
    except NotFoundError:
        raise _not_found() from None
    return PasswordOut(password=password)


@router.post("/officials/{official_id}/role", responses=_BODY_RESPONSES, summary="Change the role")
async def set_role(
    official_id: OfficialId, body: RoleIn, official: AdminOfficial, services: ServicesDep
) -> dict[str, str]:
    try:
        await Accounts(services.db).set_role(official_id, body.role, official.audit_name)
    except NotFoundError:
        raise _not_found() from None
    return {"role": body.role}


@router.post(
    "/officials/{official_id}/region", responses=_BODY_RESPONSES, summary="Change the region"
)
async def set_region(
    official_id: OfficialId, body: RegionIn, official: AdminOfficial, services: ServicesDep
) -> dict[str, str | None]:
    try:
        await Accounts(services.db).set_region(official_id, body.region, official.audit_name)
    except NotFoundError:
        raise _not_found() from None
    return {"region": body.region}
