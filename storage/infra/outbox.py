"""A leased outbox: rows that senders claim for a while, deliver, and record, safe across processes.

One implementation serves every table that queues Telegram messages (notifications, answers to
questions, broadcast recipients); `OutboxColumns` says where a table keeps its delivery state.

*Claim*: a sender reserves due rows for a lease. On PostgreSQL the candidates are selected
``FOR UPDATE SKIP LOCKED`` inside the claiming UPDATE, and the due condition is repeated in the
UPDATE itself, so a row another sender claimed meanwhile drops out: two senders never hold the
same row (SQLite has a single writer, and ignores the lock clause). A sender that dies only
delays its rows until the lease runs out. A table with a `holder` column records who claims,
so its sender can renew its lease and give everything back on an orderly stop; without one, the
lease is simply the row's next due time.

*In flight* (optional): a table with an `in_flight` state is marked so right before the call,
counting the attempt. A row whose holder died while it was in flight may or may not have
reached the chat; it is claimed again like a due one (the caller sees its state and may flag
the resend). Without that state, an attempt is counted when its outcome is recorded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar, cast

from sqlalchemy import ColumnElement, Executable, and_, or_, update
from sqlmodel import SQLModel, col, select

from storage.infra.db import Database
from storage.models import utcnow

M = TypeVar("M", bound=SQLModel)

PENDING = "pending"
MAX_ERROR = 500
"""Recorded error texts are cut to this many characters."""


@dataclass(frozen=True)
class OutboxColumns:
    """The names of the columns in which one table keeps its delivery state."""

    state: str = "state"
    """`pending` until delivered (`sent`) or given up (`failed`, or another final state)."""
    due: str = "next_attempt_at"
    """When the row may be claimed (again); NULL, where allowed, means now."""
    error: str = "last_error"
    sent_at: str = "sent_at"
    failed_at: str | None = None
    holder: str | None = None
    """Who holds the claim; None when the table does not record it."""
    lease: str | None = None
    """When the claim lapses; None: the lease is kept in `due`."""
    in_flight: str | None = None
    """The state of a row whose call is under way; None when the table has no such state."""
    order: tuple[str, ...] = ("next_attempt_at", "id")
    """The order in which due rows are claimed."""


class LeasedOutbox(Generic[M]):
    """Claims and outcomes on one outbox table, for one sender named `holder` (if recorded)."""

    def __init__(
        self,
        db: Database,
        model: type[M],
        columns: OutboxColumns,
        *,
        lease: timedelta,
        holder: str | None = None,
    ) -> None:
        if columns.in_flight is not None and columns.lease is None:
            raise ValueError("an in-flight state needs a lease column to lapse")
        if (columns.holder is None) != (holder is None):
            raise ValueError("name a holder exactly when the table records one")
        self.db = db
        self.model = model
        self.columns = columns
        self.lease = lease
        self.holder = holder
        self._lease_column = columns.lease or columns.due
        self._live = (PENDING,) if columns.in_flight is None else (PENDING, columns.in_flight)

    async def claim(
        self, limit: int, now: datetime | None = None, *where: ColumnElement[bool]
    ) -> list[M]:
        """Reserve up to `limit` claimable rows matching `where` for the lease, in `order`."""
        now = now or utcnow()
        claimable = and_(self._claimable(now), *where)
        candidates = (
            select(self._col("id"))
            .where(claimable)
            .order_by(*(self._col(name) for name in self.columns.order))
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        values: dict[str, Any] = {self._lease_column: now + self.lease}
        if self.columns.holder is not None:
            values[self.columns.holder] = self.holder
        async with self.db.session() as session:
            result = await session.exec(
                update(self.model)
                .where(self._col("id").in_(candidates.scalar_subquery()), claimable)
                .values(**values)
                .returning(self.model)
                .execution_options(synchronize_session=False)
            )
            rows = list(result.scalars().all())
            await session.commit()
        return sorted(rows, key=lambda row: cast(int, getattr(row, "id", 0) or 0))

    async def renew(self, ids: Sequence[int]) -> int:
        """Extend the lease on rows this sender still holds; returns how many."""
        if not ids:
            return 0
        return await self._update(
            [self._col("id").in_(ids), self._state.in_(self._live), *self._mine()],
            {self._lease_column: utcnow() + self.lease},
        )

    async def begin(self, item_id: int, *where: ColumnElement[bool], **values: Any) -> bool:
        """Mark a held row in flight just before its call, counting the attempt.

        False (nothing changed) when the claim lapsed or another sender took it, or `where`
        does not hold.
        """
        in_flight = self.columns.in_flight
        assert in_flight is not None and self.columns.lease is not None
        changed = await self._update(
            [
                self._col("id") == item_id,
                self._state.in_(self._live),
                self._col(self.columns.lease) > utcnow(),
                *self._mine(),
                *where,
            ],
            {self.columns.state: in_flight, "attempts": self._col("attempts") + 1, **values},
        )
        return changed == 1

    async def not_sent(self, item_id: int) -> None:
        """The call sent nothing (Telegram refused it outright): pending again, still held, and
        the attempt not counted."""
        assert self.columns.in_flight is not None
        await self._update(
            [self._col("id") == item_id, self._state == self.columns.in_flight],
            {self.columns.state: PENDING, "attempts": self._col("attempts") - 1},
        )

    async def sent(self, item_id: int, now: datetime | None = None, **values: Any) -> None:
        """Telegram accepted the message."""
        await self._outcome(item_id, "sent", {self.columns.sent_at: now or utcnow(), **values})

    async def retry_at(self, item_id: int, at: datetime, error: str) -> None:
        """A temporary failure: pending again, for any sender, from `at`."""
        await self._outcome(item_id, PENDING, {self.columns.due: at, self.columns.error: error})

    async def fail(
        self,
        item_id: int,
        error: str,
        *,
        state: str = "failed",
        now: datetime | None = None,
        together: Sequence[Executable] = (),
    ) -> None:
        """Give up on a row for good; `together` runs in the same transaction."""
        values: dict[str, Any] = {self.columns.error: error}
        if self.columns.failed_at is not None:
            values[self.columns.failed_at] = now or utcnow()
        await self._outcome(item_id, state, values, together)

    async def give_back(self, ids: Sequence[int] | None = None, at: datetime | None = None) -> int:
        """Hand back pending rows that were not attempted, due again at `at` (default now).

        `ids` None: every row this sender holds (tables with a holder only).
        """
        where = [self._state == PENDING, *self._mine()]
        if ids is not None:
            if not ids:
                return 0
            where.append(self._col("id").in_(ids))
        else:
            assert self.columns.holder is not None, "name the rows: the table records no holder"
        return await self._update(where, {self.columns.due: at or utcnow(), **self._unheld()})

    def _claimable(self, now: datetime) -> ColumnElement[bool]:
        c = self.columns
        due = self._col(c.due)
        nullable = bool(self.model.__table__.c[c.due].nullable)  # type: ignore[attr-defined]
        pending = [
            self._state == PENDING,
            or_(due.is_(None), due <= now) if nullable else due <= now,
        ]
        if c.lease is not None:
            lease = self._col(c.lease)
            pending.append(or_(lease.is_(None), lease < now))
        if c.in_flight is None or c.lease is None:
            return and_(*pending)
        lapsed = and_(self._state == c.in_flight, self._col(c.lease) < now)
        return or_(and_(*pending), lapsed)

    async def _outcome(
        self,
        item_id: int,
        state: str,
        values: dict[str, Any],
        together: Sequence[Executable] = (),
    ) -> None:
        error = values.get(self.columns.error)
        if isinstance(error, str):
            values[self.columns.error] = error[:MAX_ERROR]
        values = {self.columns.state: state, **values, **self._unheld()}
        if self.columns.in_flight is None:  # counted here, not when the call began
            values["attempts"] = self._col("attempts") + 1
        where = [self._col("id") == item_id, self._state.in_(self._live)]
        await self._update(where, values, together)

    def _mine(self) -> list[ColumnElement[bool]]:
        if self.columns.holder is None:
            return []
        return [self._col(self.columns.holder) == self.holder]

    def _unheld(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        if self.columns.holder is not None:
            values[self.columns.holder] = None
        if self.columns.lease is not None:
            values[self.columns.lease] = None
        return values

    async def _update(
        self,
        where: Sequence[ColumnElement[bool]],
        values: dict[str, Any],
        together: Sequence[Executable] = (),
    ) -> int:
        async with self.db.session() as session:
            result = await session.exec(
                update(self.model)
                .where(*where)
                .values(**values)
                .execution_options(synchronize_session=False)
            )
            for statement in together:
                await session.exec(statement)  # type: ignore[call-overload]
            await session.commit()
        return int(cast(Any, result).rowcount)

    @property
    def _state(self) -> Any:
        return self._col(self.columns.state)

    def _col(self, name: str) -> Any:
        return col(getattr(self.model, name))


class OutboxRecords:
    """The outcomes a message sender records, for a repository whose rows are a `LeasedOutbox`
    without an in-flight state (notifications, answers to questions)."""

    _outbox: LeasedOutbox[Any]

    async def mark_sent(self, item_id: int, now: datetime | None = None) -> None:
        """Telegram accepted the message; an earlier attempt's error is cleared."""
        await self._outbox.sent(item_id, now, **{self._outbox.columns.error: None})

    async def mark_failed(self, item_id: int, error: str, now: datetime | None = None) -> None:
        """Give up (the worker blocked the bot, or Telegram refuses the message for good)."""
        await self._outbox.fail(item_id, error, now=now)

    async def retry_later(self, item_id: int, at: datetime, error: str) -> None:
        """Count a failed attempt and make the row due again at `at`."""
        await self._outbox.retry_at(item_id, at, error)

    async def release(self, item_ids: Sequence[int], at: datetime | None = None) -> None:
        """Hand back claimed rows that were not attempted; due again at `at` (default now)."""
        await self._outbox.give_back(item_ids, at)
