"""One registration: every field, its history, the audited "show NIK", and the decisions.

Decisions go through `console.deciding` like the JSON API: the same status rules (a second
approval changes nothing), the same quota places, the same notification to the worker.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Request, Response
from pydantic import ValidationError

from console.deciding import decide, decision
from console.deps import ReviewDep, ServicesDep
from console.schemas import ActivateIn, RejectIn
from console.web.pages import WebRoute, redirect, render, safe_next
from console.web.sessions import PostSessionDep, SessionDep, WebError, WebSession
from console.web.texts import ACTIONS, ACTORS, REJECT_REASONS, TEXT
from console.web.views import refusal, view, when
from storage.errors import CryptoError, StorageError
from storage.models import Registration
from storage.repos import audit
from storage.repos.quotas import used_places
from storage.repos.review import RegistrationFilter, Review

router = APIRouter(prefix="/registrations/{registration_id}", route_class=WebRoute)
Text = Annotated[str, Form(max_length=600)]


async def scoped_row(
    registration_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    session: SessionDep,
    review: ReviewDep,
) -> Registration:
    """The registration, if it lies in the official's regions; else 404, outside them the same
    as for an id that does not exist."""
    row = await review.get(registration_id)
    if row is None or not session.official.scope.allows(row):
        raise WebError(404, TEXT["not_found"])
    return row


ScopedRow = Annotated[Registration, Depends(scoped_row)]


async def actor_names(services: Any, actors: set[str]) -> dict[str, str]:
    """Readable names of audit actors (`official:3` -> `Ibu Sari (sari)`)."""
    names: dict[str, str] = {}
    for actor in actors:
        kind, _, ident = actor.partition(":")
        if kind == "official" and ident.isdigit():
            official = await services.officials.get(int(ident))
            names[actor] = f"{official.name} ({official.username})" if official else actor
        else:
            names[actor] = ACTORS.get(kind, actor)
    return names


async def _quota(services: Any, row: Registration) -> str:
    program = services.programs.get(row.program) if row.program else None
    quota = program.quota_for(row.occupation) if program is not None else None
    if program is None or quota is None:
        return TEXT["quota_none"]
    used = (await used_places(services.db)).get((program.id, quota.id), 0)
    left = max(quota.limit - used, 0)
    return TEXT["quota_left"].format(left=left, limit=quota.limit, quota=quota.id)


async def _next_pending(review: Review, session: WebSession, row: Registration) -> int | None:
    page = await review.search(RegistrationFilter("pending"), session.official.scope, limit=2)
    return next((other.id for other in page.items if other.id != row.id), None)


async def detail_page(
    request: Request,
    services: Any,
    review: Review,
    session: WebSession,
    row: Registration,
    *,
    nik: str | None = None,
    status: int = 200,
    messages: list[tuple[str, str]] | None = None,
) -> Response:
    assert row.id is not None
    entries = await audit.history(services.db, "registration", row.id)
    names = await actor_names(services, {entry.actor for entry in entries})
    history = [
        (when(e.at), names.get(e.actor, e.actor), ACTIONS.get(e.action, e.action)) for e in entries
    ]
    context = {
        "reg": view(row, services, nik=nik),
        "quota": await _quota(services, row),
        "history": history,
        "next_pending": await _next_pending(review, session, row),
        "reasons": REJECT_REASONS,
    }
    return render(request, "detail.html", context, status=status, messages=messages)


@router.get("", include_in_schema=False)
async def show(
    request: Request, session: SessionDep, row: ScopedRow, services: ServicesDep, review: ReviewDep
) -> Response:
    return await detail_page(request, services, review, session, row)


@router.post("/nik", include_in_schema=False)
async def show_nik(
    request: Request,
    session: PostSessionDep,
    row: ScopedRow,
    services: ServicesDep,
    review: ReviewDep,
    reason: Annotated[str, Form(max_length=500, pattern=r"^[^\x00]*$")] = "",
) -> Response:
    """The page again with the full NIK, once the view and its reason are in the audit log."""
    if len(reason.strip()) < audit.MIN_REASON:
        shown = [("error", TEXT["reason_missing"])]
        return await detail_page(request, services, review, session, row, messages=shown)
    try:
        nik = await review.reveal_nik(row, session.official.audit_name, reason.strip())
    except CryptoError:  # erased: there is no NIK any more
        raise WebError(404, TEXT["not_found"]) from None
    shown = [("info", TEXT["nik_shown"])]
    return await detail_page(request, services, review, session, row, nik=nik, messages=shown)


async def _apply(
    request: Request,
    services: Any,
    review: Review,
    session: WebSession,
    row: Registration,
    status: str,
    next_: str,
    **fields: str,
) -> Response:
    made = decision(status, session.official, services, row, **fields)
    try:
        await decide(review, services, row, made)
    except StorageError as exc:
        current = await review.get(row.id or 0) or row
        why = [("error", refusal(exc, current.status))]
        return await detail_page(
            request, services, review, session, current, status=409, messages=why
        )
    done = TEXT[f"decided_{status}"].format(ref=row.reference)
    return redirect(request, safe_next(next_, f"/admin/registrations/{row.id}"), [("ok", done)])


@router.post("/approve", include_in_schema=False)
async def approve(
    request: Request,
    session: PostSessionDep,
    row: ScopedRow,
    services: ServicesDep,
    review: ReviewDep,
    next: Text = "",
) -> Response:
    return await _apply(request, services, review, session, row, "approved", next)


@router.post("/reject", include_in_schema=False)
async def reject(
    request: Request,
    session: PostSessionDep,
    row: ScopedRow,
    services: ServicesDep,
    review: ReviewDep,
    reason_choice: Text = "",
    reason_other: Text = "",
    next: Text = "",
) -> Response:
    """Reject with the typed reason, or else the chosen common one."""
    typed = reason_other.strip() or REJECT_REASONS.get(reason_choice, "")
    try:
        reason = RejectIn(reason=typed).reason
    except ValidationError:
        why = [("error", TEXT["reason_required"])]
        return await detail_page(request, services, review, session, row, status=422, messages=why)
    return await _apply(request, services, review, session, row, "rejected", next, reason=reason)


@router.post("/activate", include_in_schema=False)
async def activate(
    request: Request,
    session: PostSessionDep,
    row: ScopedRow,
    services: ServicesDep,
    review: ReviewDep,
    kpj: Text = "",
    next: Text = "",
) -> Response:
    try:
        number = ActivateIn(kpj=kpj).kpj
    except ValidationError:
        why = [("error", TEXT["kpj_invalid"])]
        return await detail_page(request, services, review, session, row, status=422, messages=why)
    return await _apply(request, services, review, session, row, "active", next, kpj=number)
