"""The review queue: registrations of the official's regions, filtered and paged; bulk approval.

Filters travel in the URL, except the search text (a name or phone is personal data): it is
posted and kept in an encrypted, HttpOnly cookie, so it never reaches URLs, history or access logs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request, Response

from console.deciding import decide, decision
from console.deps import ReviewDep, ServicesDep
from console.labels import region_name
from console.schemas import OCCUPATION_PATTERN, PROGRAM_PATTERN, REGION_PATTERN, TEXT_PATTERN
from console.web.pages import WebRoute, redirect, render, safe_next
from console.web.sessions import (
    PostSessionDep,
    SessionDep,
    WebError,
    WebSession,
    forget_cookie,
    set_cookie,
)
from console.web.texts import TEXT
from console.web.views import refusal, view
from domain.occupations import load_occupations
from storage.errors import CryptoError, StorageError
from storage.models import REGISTRATION_STATUSES
from storage.repos.review import RegistrationFilter, Review

router = APIRouter(route_class=WebRoute)
PAGE_SIZE = 50
MAX_BULK = 200
SHOWN = 10
SEARCH_COOKIE = "lindungi_search"
STATUSES = (*REGISTRATION_STATUSES, "all")


def _clean(value: str | None, pattern: str) -> str | None:
    return value if value and re.fullmatch(pattern, value) else None


@dataclass(frozen=True)
class QueueFilters:
    """What the queue shows; `status` 'all' means every status."""

    status: str = "pending"
    occupation: str | None = None
    program: str | None = None
    region: str | None = None
    page: int = 1

    @classmethod
    def parse(cls, params: Mapping[str, str]) -> QueueFilters:
        status = params.get("status") or "pending"
        page = params.get("page", "1")
        return cls(
            status=status if status in STATUSES else "pending",
            occupation=_clean(params.get("occupation"), OCCUPATION_PATTERN),
            program=_clean(params.get("program"), PROGRAM_PATTERN),
            region=_clean(params.get("region"), REGION_PATTERN),
            page=min(int(page), 100_000) if page.isdigit() and int(page) > 0 else 1,
        )

    def url(self, **changes: Any) -> str:
        """The queue's address with these filters (and `changes`)."""
        chosen = replace(self, **changes)
        params = {
            name: value
            for name, value in vars(chosen).items()
            if value and not (name == "page" and value == 1)
        }
        return "/admin" + (f"?{urlencode(params)}" if params else "")

    def wanted(self, q: str | None) -> RegistrationFilter:
        status = None if self.status == "all" else self.status
        return RegistrationFilter(status, self.region, self.occupation, self.program, q)


# The search text may be a NIK or a phone number: the cookie holds it encrypted (and so also
# tamper-proof), never in clear.
SEARCH_CONTEXT = "console.search"


def search_text(request: Request, services: Any) -> str | None:
    token = request.cookies.get(SEARCH_COOKIE)
    if not token:
        return None
    try:
        return services.cipher.decrypt_text(token, SEARCH_CONTEXT) or None
    except (CryptoError, ValueError):  # tampered with, or from before a key change
        return None


def _choices(services: Any, session: WebSession) -> dict[str, Any]:
    scope = session.official.scope
    programs = [p for p in services.programs if any(scope.overlaps(c) for c in p.regions)]
    regencies = sorted({code for p in programs for code in p.regions})
    return {
        "statuses": [(s, TEXT[f"status_{s}"] if s != "all" else TEXT["any"]) for s in STATUSES],
        "occupations": [(o.id, o.id_label) for o in load_occupations()],
        "programs": [(p.id, p.short_name) for p in programs],
        "regions": [(c, region_name(services.regions, c) or c) for c in regencies],
    }


@router.get("", include_in_schema=False)
async def queue(
    request: Request, session: SessionDep, services: ServicesDep, review: ReviewDep
) -> Response:
    filters = QueueFilters.parse(request.query_params)
    q = search_text(request, services)
    offset = (filters.page - 1) * PAGE_SIZE
    page = await review.search(
        filters.wanted(q), session.official.scope, limit=PAGE_SIZE, offset=offset
    )
    last_page = max((page.total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    context = {
        "filters": filters,
        "q": q or "",
        "rows": [view(row, services) for row in page.items],
        "total": page.total,
        "first": offset + 1 if page.items else 0,
        "last": offset + len(page.items),
        "prev_url": filters.url(page=filters.page - 1) if filters.page > 1 else None,
        "next_url": filters.url(page=filters.page + 1) if filters.page < last_page else None,
        "here": filters.url(),
        **_choices(services, session),
    }
    return render(request, "queue.html", context)


@router.post("/search", include_in_schema=False)
async def search(
    request: Request,
    session: PostSessionDep,
    services: ServicesDep,
    q: Annotated[str, Form(max_length=100, pattern=TEXT_PATTERN)] = "",
    status: Annotated[str, Form()] = "pending",
    occupation: Annotated[str, Form()] = "",
    program: Annotated[str, Form()] = "",
    region: Annotated[str, Form()] = "",
) -> Response:
    """Apply the filter form: the search text goes to a cookie, the rest to the URL."""
    params = {"status": status, "occupation": occupation, "program": program, "region": region}
    response = redirect(request, QueueFilters.parse(params).url())
    if q.strip():
        value = services.cipher.encrypt_text(q.strip(), SEARCH_CONTEXT)
        set_cookie(request, response, SEARCH_COOKIE, value, None)
    else:
        forget_cookie(request, response, SEARCH_COOKIE)
    return response


async def _approve_one(
    review: Review, services: Any, session: WebSession, registration_id: int
) -> tuple[str, str | None]:
    """(reference or #id, None when approved or why not)."""
    row = await review.get(registration_id)
    if row is None or not session.official.scope.allows(row):
        return f"#{registration_id}", TEXT["out_of_scope"]
    try:
        await decide(review, services, row, decision("approved", session.official, services, row))
    except StorageError as exc:
        now = await review.get(registration_id)
        return row.reference, refusal(exc, now.status if now else None)
    return row.reference, None


@router.post("/bulk-approve", include_in_schema=False)
async def bulk_approve(
    request: Request,
    session: PostSessionDep,
    services: ServicesDep,
    review: ReviewDep,
    ids: Annotated[list[int], Form()] = [],  # noqa: B006 - FastAPI copies defaults
    next: Annotated[str, Form()] = "/admin",
) -> Response:
    """Approve each selected registration on its own; say which were approved and which not."""
    chosen = list(dict.fromkeys(i for i in ids if 0 < i < 2**31))
    if not chosen:
        return redirect(request, safe_next(next), [("error", TEXT["bulk_none"])])
    if len(chosen) > MAX_BULK:
        raise WebError(422, TEXT["invalid_input"])
    approved: list[str] = []
    messages: list[tuple[str, str]] = []
    for registration_id in chosen:
        reference, why = await _approve_one(review, services, session, registration_id)
        if why is None:
            approved.append(reference)
        else:
            messages.append(("error", TEXT["bulk_failed"].format(ref=reference, why=why)))
    # The messages travel in a cookie (about 4 KB at most): name a few, count the rest.
    if len(messages) > SHOWN:
        rest = len(messages) - SHOWN
        messages = [*messages[:SHOWN], ("error", TEXT["and_more_failed"].format(count=rest))]
    if approved:
        refs = ", ".join(approved[:SHOWN]) + ("…" if len(approved) > SHOWN else "")
        messages.insert(0, ("ok", TEXT["bulk_done"].format(count=len(approved), refs=refs)))
    return redirect(request, safe_next(next), messages)
