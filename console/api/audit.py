"""The audit trail, for admins: who viewed a NIK, decided, exported; newest first."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from console.api.responses import errors
from console.deps import AdminOfficial, ServicesDep
from console.schemas import AuditEntryOut, AuditPage
from storage.repos import audit

router = APIRouter(tags=["audit"])


@router.get("/audit", response_model=AuditPage, responses=errors(401, 403), summary="Audit log")
async def audit_log(
    official: AdminOfficial,
    services: ServicesDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
    action: Annotated[
        str | None, Query(pattern=r"^[a-z_.]{1,64}$", description="e.g. nik.viewed")
    ] = None,
) -> AuditPage:
    """The audit log (read only: nothing in the product edits or deletes it)."""
    rows, total = await audit.page(services.db, limit=limit, offset=offset, action=action)
    return AuditPage(items=[AuditEntryOut.model_validate(row) for row in rows], total=total)
