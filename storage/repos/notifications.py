"""The notifications outbox: decisions queue a message to the worker in their own transaction.

Senders claim due rows with a lease (`storage.infra.outbox`: `FOR UPDATE SKIP LOCKED` on
PostgreSQL), so two processes never send the same row; a crash only delays a message until its
lease runs out.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.infra.db import Database
from storage.infra.outbox import LeasedOutbox, OutboxColumns, OutboxRecords
from storage.models import Notification, Registration

LEASE = timedelta(minutes=5)
"""How long a claimed row is reserved for its sender before another may take it."""


def enqueue(
    session: AsyncSession, registration: Registration, kind: str, params: dict[str, Any]
) -> Notification:
    """Add a message about `registration` to `session`; it is queued when the caller commits."""
    row = Notification(
        registration_id=registration.id,
        chat_id=registration.telegram_chat_id,
        kind=kind,
        language=registration.language,
        params=params,
    )
    session.add(row)
    return row


COLUMNS = OutboxColumns(failed_at="failed_at")
"""Where a notification keeps its delivery state (`storage.infra.outbox`)."""


class Notifications(OutboxRecords):
    """Claim due notifications and record how their delivery went."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._outbox = LeasedOutbox(db, Notification, COLUMNS, lease=LEASE)

    async def claim_due(self, limit: int = 50, now: datetime | None = None) -> list[Notification]:
        """Reserve up to `limit` due rows (oldest first) for `LEASE` and return them."""
        return await self._outbox.claim(limit, now)

    async def for_registration(self, registration_id: int) -> list[Notification]:
        async with self._db.session() as session:
            result = await session.exec(
                select(Notification)
                .where(col(Notification.registration_id) == registration_id)
                .order_by(col(Notification.id))
            )
            return list(result.all())

    async def counts(self) -> dict[str, int]:
        """Rows by state: pending, sent, failed."""
        async with self._db.session() as session:
            result = await session.exec(
                select(Notification.state, func.count()).group_by(col(Notification.state))
            )
            return {state: count for state, count in result.all()}
