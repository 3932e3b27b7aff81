"""The notifications outbox: decisions queue a message to the worker in their own transaction.

Senders claim due rows with a lease (`FOR UPDATE SKIP LOCKED` on PostgreSQL), so two processes
never send the same row; a crash only delays a message until its lease runs out.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.infra.db import Database
from storage.models import Notification, Registration, utcnow

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


class Notifications:
    """Claim due notifications and record how their delivery went."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def claim_due(self, limit: int = 50, now: datetime | None = None) -> list[Notification]:
        """Reserve up to `limit` due rows (oldest first) for `LEASE` and return them."""
        now = now or utcnow()
        due = (
            col(Notification.state) == "pending",
            col(Notification.next_attempt_at) <= now,
        )
        # SKIP LOCKED lets another sender pass rows being claimed; repeating the due condition
        # in the UPDATE makes a row claimed meanwhile drop out (SQLite has one writer anyway).
        candidates = (
            select(Notification.id)
            .where(*due)
            .order_by(col(Notification.next_attempt_at), col(Notification.id))
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        async with self._db.session() as session:
            result = await session.exec(
                update(Notification)
                .where(col(Notification.id).in_(candidates.scalar_subquery()), *due)
                .values(next_attempt_at=now + LEASE)
                .returning(Notification)
                .execution_options(synchronize_session=False)
            )
            rows = list(result.scalars().all())
            await session.commit()
        return sorted(rows, key=lambda row: row.id or 0)

    async def mark_sent(self, notification_id: int, now: datetime | None = None) -> None:
        await self._finish(notification_id, state="sent", sent_at=now or utcnow(), last_error=None)

    async def mark_failed(
        self, notification_id: int, error: str, now: datetime | None = None
    ) -> None:
        """Give up on a row (the worker blocked the bot, or Telegram refuses it for good)."""
        await self._finish(
            notification_id, state="failed", failed_at=now or utcnow(), last_error=error[:500]
        )

    async def retry_later(self, notification_id: int, at: datetime, error: str) -> None:
        """Count a failed attempt and make the row due again at `at`."""
        await self._finish(notification_id, next_attempt_at=at, last_error=error[:500])

    async def release(self, notification_ids: Sequence[int], at: datetime | None = None) -> None:
        """Hand back claimed rows that were not attempted; due again at `at` (default now)."""
        if not notification_ids:
            return
        async with self._db.session() as session:
            await session.exec(
                update(Notification)
                .where(
                    col(Notification.id).in_(notification_ids),
                    col(Notification.state) == "pending",
                )
                .values(next_attempt_at=at or utcnow())
                .execution_options(synchronize_session=False)
            )
            await session.commit()

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

    async def _finish(self, notification_id: int, **values: Any) -> None:
        async with self._db.session() as session:
            await session.exec(
                update(Notification)
                .where(col(Notification.id) == notification_id)
                .values(attempts=col(Notification.attempts) + 1, **values)
                .execution_options(synchronize_session=False)
            )
            await session.commit()
