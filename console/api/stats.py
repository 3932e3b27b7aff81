"""Statistics: counts by status, program, occupation, region and day, and program quota use."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from console.api.responses import errors
from console.deps import CurrentOfficial, ReviewDep, ServicesDep
from console.labels import occupation_label, region_name
from console.quotas import program_name, quota_use
from console.schemas import CountOut, DayCountOut, StatsOut
from storage.repos.quotas import used_places
from storage.repos.review import RegistrationFilter
from storage.repos.stats import registration_counts

router = APIRouter(tags=["statistics"])


def _sorted(counts: list[CountOut]) -> list[CountOut]:
    return sorted(counts, key=lambda c: (-c.count, c.key or ""))


@router.get("/stats", response_model=StatsOut, responses=errors(401), summary="Statistics")
async def stats(
    official: CurrentOfficial,
    services: ServicesDep,
    review: ReviewDep,
    days: Annotated[int, Query(ge=1, le=366, description="Days covered by `per_day`.")] = 30,
) -> StatsOut:
    """Counts over the registrations in the official's regions, and quota use of their programs."""
    where = review.conditions(RegistrationFilter(), official.scope)
    counts = await registration_counts(services.db, where, days=days)
    used = await used_places(services.db)
    return StatsOut(
        total=counts.total,
        by_status=counts.by_status,
        by_program=_sorted(
            [
                CountOut(key=key, label=program_name(services.programs, key), count=count)
                for key, count in counts.by_program.items()
            ]
        ),
        by_occupation=_sorted(
            [
                CountOut(key=key, label=occupation_label(key), count=count)
                for key, count in counts.by_occupation.items()
            ]
        ),
        by_region=_sorted(
            [
                CountOut(key=key, label=region_name(services.regions, key) or None, count=count)
                for key, count in counts.by_regency.items()
            ]
        ),
        per_day=[DayCountOut(day=day, count=count) for day, count in counts.per_day],
        quotas=quota_use(services.programs, used, official.scope),
    )
