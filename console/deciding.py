"""One way to decide on a registration, shared by the JSON API and the web pages.

Both build the same `Decision` (with the program's name for the worker's message) and approvals
take a quota place the same way; storage applies the status rules and queues the notification.
"""

from __future__ import annotations

from console.deps import Actor
from console.quotas import program_name, quota_lookup
from console.services import ConsoleServices
from storage.models import Registration
from storage.repos.review import Decision, Review


def decision(
    status: str,
    official: Actor,
    services: ConsoleServices,
    row: Registration,
    *,
    reason: str | None = None,
    kpj: str | None = None,
) -> Decision:
    """The decision `official` makes on `row`; the worker's message names the program."""
    notice = {"program": program_name(services.programs, row.program)}
    return Decision(
        status, official.audit_name, official.username, reason=reason, kpj=kpj, notice=notice
    )


async def decide(
    review: Review, services: ConsoleServices, row: Registration, made: Decision
) -> Registration:
    """Apply `made` to `row` (see `Review.decide` for the errors); approvals take a quota place."""
    assert row.id is not None
    quota = quota_lookup(services.programs) if made.status == "approved" else None
    return await review.decide(row.id, made, quota=quota)
