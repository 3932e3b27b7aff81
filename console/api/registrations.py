"""Finding registrations: the filtered, paged queue; one with its full NIK; the export file."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from console import exporting
from console.api.responses import errors
from console.deps import CurrentOfficial, ReviewDep, ScopedRegistration, ServicesDep
from console.schemas import (
    OCCUPATION_PATTERN,
    PROGRAM_PATTERN,
    REGION_PATTERN,
    TEXT_PATTERN,
    RegistrationDetail,
    RegistrationOut,
    RegistrationPage,
    Status,
)
from storage.repos import audit
from storage.repos.exports import export_rows
from storage.repos.review import RegistrationFilter
from storage.repos.stats import WIB

router = APIRouter(tags=["registrations"])

StatusQuery = Annotated[Status | None, Query(description="Only this status.")]
RegionQuery = Annotated[
    str | None,
    Query(pattern=REGION_PATTERN, description="Kemendagri code: that region and those under it."),
]
OccupationQuery = Annotated[str | None, Query(pattern=OCCUPATION_PATTERN)]
ProgramQuery = Annotated[str | None, Query(pattern=PROGRAM_PATTERN, max_length=80)]
ReasonQuery = Annotated[
    str,
    Query(
        min_length=audit.MIN_REASON,
        max_length=500,
        pattern=r"^[^\x00]*\S[^\x00]*$",
        description="Why the full NIKs are needed (required; kept in the audit log).",
    ),
]
SearchQuery = Annotated[
    str | None,
    Query(
        max_length=100,
        pattern=TEXT_PATTERN,
        description="Part of the name, a phone number (08… or +62…), a reference, or a full NIK.",
    ),
]


@router.get(
    "/registrations",
    response_model=RegistrationPage,
    responses=errors(401),
    summary="List registrations (the review queue)",
)
async def list_registrations(
    official: CurrentOfficial,
    review: ReviewDep,
    status: StatusQuery = None,
    region: RegionQuery = None,
    occupation: OccupationQuery = None,
    program: ProgramQuery = None,
    q: SearchQuery = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
) -> RegistrationPage:
    """Registrations in the official's regions, oldest first, NIK masked."""
    wanted = RegistrationFilter(status, region, occupation, program, q)
    page = await review.search(wanted, official.scope, limit=limit, offset=offset)
    return RegistrationPage(items=[RegistrationOut.of(row) for row in page.items], total=page.total)


@router.get(
    "/registrations/export",
    response_class=Response,
    responses={
        200: {
            "description": "The file, as an attachment.",
            "content": {
                exporting.FORMATS["csv"]: {"schema": {"type": "string"}},
                exporting.FORMATS["xlsx"]: {"schema": {"type": "string", "format": "binary"}},
            },
        },
        **errors(401),
    },
    summary="Export registrations for BPJS bulk upload",
)
async def export_registrations(
    official: CurrentOfficial,
    services: ServicesDep,
    review: ReviewDep,
    file_format: Annotated[Literal["csv", "xlsx"], Query(alias="format")] = "csv",
    status: Annotated[
        Status | Literal["all"], Query(description="Which registrations; default approved.")
    ] = "approved",
    region: RegionQuery = None,
    occupation: OccupationQuery = None,
    program: ProgramQuery = None,
    *,
    reason: ReasonQuery,
) -> Response:
    """The official's registrations with the full NIK, as CSV (UTF-8 with BOM) or XLSX.

    Every export is written to the audit log with the ids it contained and its `reason`.
    """
    wanted = RegistrationFilter(
        None if status == "all" else status, region, occupation, program, None
    )
    asked = {"format": file_format, "status": status, "region": region, "program": program}
    rows = await export_rows(
        services.db,
        services.cipher,
        review.conditions(wanted, official.scope),
        actor=official.audit_name,
        detail={**asked, "occupation": occupation},
        reason=reason,
    )
    content = exporting.render(file_format, rows, services.regions)
    stamp = datetime.now(WIB).strftime("%Y%m%d-%H%M")
    name = f"lindungi-{status}-{stamp}.{file_format}"
    return Response(
        content,
        media_type=exporting.FORMATS[file_format],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get(
    "/registrations/{registration_id}",
    response_model=RegistrationDetail,
    responses=errors(401, 404),
    summary="One registration, with the full NIK (audited)",
)
async def get_registration(
    row: ScopedRegistration, official: CurrentOfficial, review: ReviewDep
) -> RegistrationDetail:
    """Every field, the NIK in full; the view is written to the audit log as `nik.viewed`."""
    nik = await review.reveal_nik(row, official.audit_name)
    return RegistrationDetail.of(row, nik=nik)
