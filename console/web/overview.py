"""Numbers at a glance: programs with their quota bars, and statistics drawn as server-side bars.

Bars are inline SVG with widths as attributes, so the strict CSP needs no inline styles.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request, Response

from console.deps import ReviewDep, ServicesDep
from console.labels import occupation_label, region_name
from console.quotas import program_name, quota_use
from console.schemas import QuotaUseOut
from console.web.pages import WebRoute, render
from console.web.sessions import SessionDep
from console.web.texts import TEXT
from console.web.views import day, number, status_label
from storage.repos.quotas import used_places
from storage.repos.review import RegistrationFilter
from storage.repos.stats import WIB, registration_counts

router = APIRouter(route_class=WebRoute)
DAYS = 30


@dataclass(frozen=True)
class Bar:
    """One labelled bar; `share` is its length in percent of the longest (or of the limit)."""

    label: str
    value: int
    share: float
    note: str = ""
    detail: str = ""
    estimate: bool = False
    full: bool = False


def _share(value: int, top: int) -> float:
    """Percent of `top`; any non-zero value stays visible."""
    if value <= 0 or top <= 0:
        return 0.0
    return round(max(min(100 * value / top, 100), 1.0), 1)


def bars(counts: dict[str, int]) -> list[Bar]:
    items = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    top = max((value for _, value in items), default=0)
    return [Bar(label, value, _share(value, top), note=number(value)) for label, value in items]


def quota_bars(rows: list[QuotaUseOut], *, with_program: bool = False) -> list[Bar]:
    """A bar per quota against its limit; a quota shared by occupations lists them."""
    found = []
    for q in rows:
        names = [occupation_label(o) for o in q.occupations]
        label = (
            names[0]
            if len(names) == 1
            else TEXT["quota_combined"].format(
                name=q.quota_id.replace("-", " ").replace("_", " ").capitalize()
            )
        )
        found.append(
            Bar(
                label=f"{q.program_name}: {label}" if with_program else label,
                value=q.used,
                share=_share(q.used, q.limit),
                note=TEXT["quota_used"].format(used=number(q.used), limit=number(q.limit)),
                detail=", ".join(names) if len(names) > 1 else "",
                estimate=q.estimate,
                full=q.used >= q.limit,
            )
        )
    return found


def per_day(counts: list[tuple[date, int]], today: date) -> list[Bar]:
    """One bar per day of the last `DAYS` days, days without registrations included."""
    known = dict(counts)
    days = [today - timedelta(days=n) for n in range(DAYS - 1, -1, -1)]
    top = max(known.values(), default=0)
    return [
        Bar(day(d)[:5], known.get(d, 0), _share(known.get(d, 0), top), note=day(d)) for d in days
    ]


@router.get("/programs", include_in_schema=False)
async def programs(request: Request, session: SessionDep, services: ServicesDep) -> Response:
    scope = session.official.scope
    used = await used_places(services.db)
    shown: list[dict[str, Any]] = []
    for program in services.programs:
        if not any(scope.overlaps(code) for code in program.regions):
            continue
        rows = [q for q in quota_use(services.programs, used, scope) if q.program == program.id]
        shown.append(
            {
                "program": program,
                "regions": [region_name(services.regions, c) or c for c in program.regions],
                "period": f"{day(program.period.start)} – {day(program.period.end)}",
                "quotas": quota_bars(rows),
                "used": sum(q.used for q in rows),
                "limit": sum(q.limit for q in rows),
            }
        )
    return render(request, "programs.html", {"programs": shown})


@router.get("/stats", include_in_schema=False)
async def stats(
    request: Request, session: SessionDep, services: ServicesDep, review: ReviewDep
) -> Response:
    scope = session.official.scope
    where = review.conditions(RegistrationFilter(), scope)
    today = datetime.now(WIB).date()
    counts = await registration_counts(services.db, where, days=DAYS, today=today)
    used = await used_places(services.db)
    regions = {
        region_name(services.regions, code) or code: n for code, n in counts.by_regency.items()
    }
    programs = {
        program_name(services.programs, key) or TEXT["no_program"]: n
        for key, n in counts.by_program.items()
    }
    daily = per_day(counts.per_day, today)
    context = {
        "total": counts.total,
        "by_status": [
            (status_label(s), counts.by_status.get(s, 0))
            for s in ("pending", "approved", "rejected", "active")
        ],
        "per_day": daily,
        "by_occupation": bars({occupation_label(k): n for k, n in counts.by_occupation.items()}),
        "by_region": bars(regions),
        "by_program": bars(programs),
        "day_max": max((bar.value for bar in daily), default=0),
        "quotas": quota_bars(quota_use(services.programs, used, scope), with_program=True),
    }
    return render(request, "stats.html", context)
