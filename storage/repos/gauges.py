"""Current counts for /metrics: registrations by status, queued messages, broadcast progress."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlmodel import col

from storage.infra.db import Database
from storage.models import Broadcast, BroadcastRecipient, Notification, Question, Registration


@dataclass
class Gauges:
    registrations: dict[str, int] = field(default_factory=dict)
    notifications_pending: int = 0
    replies_pending: int = 0
    broadcast_recipients: dict[str, int] = field(default_factory=dict)


async def read_gauges(db: Database) -> Gauges:
    """A handful of GROUP BY counts; cheap enough for a scrape every 15-60 seconds."""
    out = Gauges()
    async with db.engine.connect() as conn:
        rows = await conn.execute(
            select(col(Registration.status), func.count()).group_by(col(Registration.status))
        )
        out.registrations = {str(status): int(n) for status, n in rows}
        out.notifications_pending = int(
            (
                await conn.execute(
                    select(func.count())
                    .select_from(Notification)
                    .where(col(Notification.state) == "pending")
                )
            ).scalar_one()
        )
        out.replies_pending = int(
            (
                await conn.execute(
                    select(func.count())
                    .select_from(Question)
                    .where(col(Question.answered_at).is_not(None))
                    .where(col(Question.delivered_at).is_(None))
                )
            ).scalar_one()
        )
        rows = await conn.execute(
            select(col(BroadcastRecipient.status), func.count())
            .join(Broadcast, col(Broadcast.id) == col(BroadcastRecipient.broadcast_id))
            .where(col(Broadcast.status) == "running")
            .group_by(col(BroadcastRecipient.status))
        )
        out.broadcast_recipients = {str(status): int(n) for status, n in rows}
    return out
