"""The notifications outbox: decisions queue a message to the worker in their own transaction.

Senders claim due rows with a lease (`storage.infra.outbox`: `FOR UPDATE SKIP LOCKED` on
PostgreSQL), so two processes never send the same row; a crash only delays a message until its
lease runs out.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.infra.db import Database
from storage.infra.outbox import LeasedOutbox, OutboxColumns
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


class Notifications:
    """Claim due notifications and record how their delivery went."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._outbox = LeasedOutbox(db, Notification, COLUMNS, lease=LEASE)

    async def claim_due(self, limit: int = 50, now: datetime | None = None) -> list[Notification]:
        """Reserve up to `limit` due rows (oldest first) for `LEASE` and return them."""
        return await self._outbox.claim(limit, now)

    async def mark_sent(self, notification_id: int, now: datetime | None = None) -> None:
        await self._outbox.sent(notification_id, now, last_error=None)

    async def mark_failed(
        self, notification_id: int, error: str, now: datetime | None = None
    ) -> None:
        """Give up on a row (the worker blocked the bot, or Telegram refuses it for good)."""
        await self._outbox.fail(notification_id, error, now=now)

    async def retry_later(self, notification_id: int, at: datetime, error: str) -> None:
        """Count a failed attempt and make the row due again at `at`."""
        await self._outbox.retry_at(notification_id, at, error)

    async def release(self, notification_ids: Sequence[int], at: datetime | None = None) -> None:
        """Hand back claimed rows that were not attempted; due again at `at` (default now)."""
        await self._outbox.give_back(notification_ids, at)

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
