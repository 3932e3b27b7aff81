"""Deciding on registrations: approve, reject with a reason, activate with the KPJ.

Each is allowed only from the right status; the worker is told on Telegram through the outbox.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, status

from console.api.responses import errors
from console.deciding import decide, decision
from console.deps import NOT_FOUND, CurrentOfficial, ReviewDep, ScopedRegistration, ServicesDep
from console.schemas import ActivateIn, RegistrationOut, RejectIn
from console.services import ConsoleServices
from storage.errors import ConflictError, NotFoundError, QuotaFullError
from storage.models import Registration
from storage.repos.review import Decision, Review

router = APIRouter(prefix="/registrations/{registration_id}", tags=["decisions"])
REFUSALS = errors(401, 404, 409)
WITH_BODY = errors(400, 401, 404, 409)


async def _decide(
    review: Review, services: ConsoleServices, row: Registration, made: Decision
) -> RegistrationOut:
    try:
        decided = await decide(review, services, row, made)
    except NotFoundError as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, NOT_FOUND) from exc
    except QuotaFullError as exc:
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            f"The quota '{exc.quota_id}' of program '{exc.program}' is full: all {exc.limit} "
            "places are taken, so this registration cannot be approved now.",
        ) from exc
    except ConflictError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc).capitalize() + ".") from exc
    return RegistrationOut.of(decided)


@router.post("/approve", response_model=RegistrationOut, responses=REFUSALS, summary="Approve")
async def approve(
    row: ScopedRegistration, official: CurrentOfficial, services: ServicesDep, review: ReviewDep
) -> RegistrationOut:
    """Approve a pending registration; it takes a place of its program's quota."""
    return await _decide(review, services, row, decision("approved", official, services, row))


@router.post("/reject", response_model=RegistrationOut, responses=WITH_BODY, summary="Reject")
async def reject(
    body: RejectIn,
    row: ScopedRegistration,
    official: CurrentOfficial,
    services: ServicesDep,
    review: ReviewDep,
) -> RegistrationOut:
    """Reject a pending registration; the reason is sent to the worker."""
    made = decision("rejected", official, services, row, reason=body.reason)
    return await _decide(review, services, row, made)


@router.post(
    "/activate",
    response_model=RegistrationOut,
    responses=WITH_BODY,
    summary="Record the KPJ (active)",
)
async def activate(
    body: ActivateIn,
    row: ScopedRegistration,
    official: CurrentOfficial,
    services: ServicesDep,
    review: ReviewDep,
) -> RegistrationOut:
    """Record the membership number BPJS issued for an approved registration."""
    made = decision("active", official, services, row, kpj=body.kpj)
    return await _decide(review, services, row, made)
