"""Records officials act on or answer for: the audit log, workers' erasure requests, exports."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Request, Response

from console import exporting
from console.deps import ReviewDep, ServicesDep
from console.erasure import complete_erasure
from console.labels import region_name
from console.web.detail import actor_names
from console.web.pages import WebRoute, redirect, render
from console.web.queue import QueueFilters
from console.web.sessions import AdminSessionDep, PostSessionDep, SessionDep
from console.web.texts import ACTIONS, SUBJECTS, TEXT
from console.web.views import when
from storage.errors import ConflictError, NotFoundError
from storage.models import AuditLog, utcnow
from storage.repos import audit
from storage.repos.data_rights import DataRights
from storage.repos.exports import export_rows
from storage.repos.review import Review
from storage.repos.stats import WIB

router = APIRouter(route_class=WebRoute)
AUDIT_PAGE = 50


def _detail(entry: AuditLog) -> str:
    """The entry's detail in a line; exported ids are counted, not listed."""
    detail = dict(entry.detail or {})
    if isinstance(detail.get("ids"), list):
        detail["ids"] = f"{len(detail['ids'])} id"
    return ", ".join(f"{k}={v}" for k, v in detail.items() if v not in (None, ""))


@router.get("/audit", include_in_schema=False)
async def audit_log(
    request: Request,
    session: AdminSessionDep,
    services: ServicesDep,
    page: int = 1,
    action: str = "",
) -> Response:
    page = min(max(page, 1), 1_000_000)
    action = action if action in ACTIONS else ""
    rows, total = await audit.page(
        services.db, limit=AUDIT_PAGE, offset=(page - 1) * AUDIT_PAGE, action=action or None
    )
    names = await actor_names(services, {row.actor for row in rows})
    entries = [
        {
            "at": when(row.at),
            "actor": names.get(row.actor, row.actor),
            "action": ACTIONS.get(row.action, row.action),
            "subject": f"{SUBJECTS.get(row.subject_type, row.subject_type)} {row.subject_id}",
            "link": f"/admin/registrations/{row.subject_id}"
            if row.subject_type == "registration" and row.subject_id.isdigit()
            else None,
            "detail": _detail(row),
        }
        for row in rows
    ]
    more = page * AUDIT_PAGE < total
    context = {
        "entries": entries,
        "total": total,
        "page": page,
        "action": action,
        "actions": ACTIONS,
        "more": more,
    }
    return render(request, "audit.html", context)


async def _record_reason(services: Any, session: Any, request_id: int, reason: str) -> None:
    """Why an official completed an erasure, next to the erasure's own audit row."""
    async with services.db.session() as db_session:
        await audit.record(
            db_session,
            session.official.audit_name,
            "data_request.reason",
            "data_request",
            request_id,
            {"reason": reason, "action": "erasure"},
        )
        await db_session.commit()


async def _scoped_requests(services: Any, review: Review, session: Any) -> list[dict[str, Any]]:
    now = utcnow()
    shown = []
    for request in await DataRights(services.db, services.cipher).open_requests():
        row = await review.get(request.registration_id) if request.registration_id else None
        if row is None and not session.official.is_admin:
            continue
        if row is not None and not session.official.scope.allows(row):
            continue
        left = (request.due_at - now).total_seconds() / 3600
        shown.append(
            {
                "id": request.id,
                "reference": row.reference if row else "—",
                "region": region_name(services.regions, row.regency) if row else "",
                "requested": when(request.requested_at),
                "due": when(request.due_at),
                "overdue": left < 0,
                "hours_left": max(int(left), 0),
            }
        )
    return shown


@router.get("/data-requests", include_in_schema=False)
async def data_requests(
    request: Request, session: SessionDep, services: ServicesDep, review: ReviewDep
) -> Response:
    rows = await _scoped_requests(services, review, session)
    return render(request, "data_requests.html", {"rows": rows})


@router.post("/data-requests/{request_id}/erase", include_in_schema=False)
async def erase(
    request: Request,
    session: PostSessionDep,
    services: ServicesDep,
    review: ReviewDep,
    request_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    reason: Annotated[str, Form(max_length=500, pattern=r"^[^\x00]*$")] = "",
) -> Response:
    """Complete a worker's erasure request (personal fields overwritten, counts kept)."""
    if len(reason.strip()) < audit.MIN_REASON:
        return redirect(request, "/admin/data-requests", [("error", TEXT["reason_missing"])])
    allowed = {row["id"]: row for row in await _scoped_requests(services, review, session)}
    if request_id not in allowed:
        return redirect(request, "/admin/data-requests", [("error", TEXT["data_already_done"])])
    try:
        await complete_erasure(services, request_id, session.official.audit_name)
    except (ConflictError, NotFoundError):
        return redirect(request, "/admin/data-requests", [("error", TEXT["data_already_done"])])
    await _record_reason(services, session, request_id, reason.strip())
    done = TEXT["data_erased"].format(ref=allowed[request_id]["reference"])
    return redirect(request, "/admin/data-requests", [("ok", done)])


@router.post("/export", include_in_schema=False)
async def export(
    request: Request,
    session: PostSessionDep,
    services: ServicesDep,
    review: ReviewDep,
    file_format: Annotated[str, Form(alias="format", pattern="^(csv|xlsx)$")] = "csv",
    status: Annotated[str, Form()] = "approved",
    occupation: Annotated[str, Form()] = "",
    program: Annotated[str, Form()] = "",
    region: Annotated[str, Form()] = "",
    reason: Annotated[str, Form(max_length=500, pattern=r"^[^\x00]*$")] = "",
) -> Response:
    """The registrations in scope as CSV or XLSX for BPJS's bulk upload (audited, full NIK)."""
    if len(reason.strip()) < audit.MIN_REASON:
        return redirect(request, "/admin", [("error", TEXT["reason_missing"])])
    params = {"status": status, "occupation": occupation, "program": program, "region": region}
    filters = QueueFilters.parse(params)
    asked = {
        "format": file_format,
        "status": filters.status,
        "region": filters.region,
        "program": filters.program,
        "occupation": filters.occupation,
        "via": "console",
    }
    rows = await export_rows(
        services.db,
        services.cipher,
        review.conditions(filters.wanted(None), session.official.scope),
        actor=session.official.audit_name,
        detail=asked,
        reason=reason.strip(),
    )
    content = exporting.render(file_format, rows, services.regions)
    name = f"lindungi-{filters.status}-{datetime.now(WIB):%Y%m%d-%H%M}.{file_format}"
    return Response(
        content,
        media_type=exporting.FORMATS[file_format],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
