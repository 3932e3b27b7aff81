"""Per-recipient delivery records of broadcasts, safe across processes and crashes.

A process *claims* pending recipients in batches (``FOR UPDATE SKIP LOCKED`` on PostgreSQL) for a
lease it keeps renewing. Right before its Bot API call it marks the recipient ``sending``, and
right after Telegram's answer it records the result, each in its own committed transaction. A
process that dies leaves its claims to expire: ``pending`` rows are then simply claimed again;
``sending`` rows are *uncertain* (Telegram may or may not have accepted the call) and are sent
again, which is the only way a recipient can get the message twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

from sqlalchemy import and_, exists, or_, select, update
from sqlmodel import col

from storage.infra.db import Database
from storage.models import Broadcast, BroadcastRecipient, WorkerChat, utcnow

UNCERTAIN = "resent: the earlier attempt's outcome is unknown (its process stopped)"


@dataclass(frozen=True)
class Claimed:
    """A recipient this process may now deliver to."""

    id: int
    chat_id: int
    attempts: int
    uncertain: bool


class Deliveries:
    """Claims and results of one delivering process, named `owner`."""

    def __init__(self, db: Database, owner: str, *, lease: float = 15.0) -> None:
        self.db = db
        self.owner = owner
        self.lease = timedelta(seconds=lease)

    async def claim(self, broadcast_id: int, limit: int) -> list[Claimed]:
        """Up to `limit` recipients nobody holds (or whose holder's lease ran out), by id."""
        now = utcnow()
        r = BroadcastRecipient
        free = or_(col(r.claim_expires).is_(None), col(r.claim_expires) < now)
        claimable = or_(
            and_(
                col(r.status) == "pending",
                free,
                or_(col(r.next_attempt_at).is_(None), col(r.next_attempt_at) <= now),
            ),
            and_(col(r.status) == "sending", col(r.claim_expires) < now),
        )
        query = (
            select(col(r.id), col(r.chat_id), col(r.attempts), col(r.status))
            .where(col(r.broadcast_id) == broadcast_id, claimable)
            .order_by(col(r.id))
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        async with self.db.engine.begin() as conn:
            rows = (await conn.execute(query)).all()
            if not rows:
                return []
            await conn.execute(
                update(r)
                .where(col(r.id).in_([row[0] for row in rows]))
                .values(claimed_by=self.owner, claim_expires=now + self.lease)
            )
        return [
            Claimed(cast(int, id_), chat, attempts, status == "sending")
            for id_, chat, attempts, status in rows
        ]

    async def renew(self, recipient_ids: list[int]) -> int:
        """Extend the lease on the recipients this process still works on; returns how many."""
        if not recipient_ids:
            return 0
        r = BroadcastRecipient
        return await self._update(
            and_(
                col(r.id).in_(recipient_ids),
                col(r.claimed_by) == self.owner,
                col(r.status).in_(("pending", "sending")),
            ),
            claim_expires=utcnow() + self.lease,
        )

    async def begin(self, recipient: Claimed, broadcast_id: int) -> bool:
        """Mark `sending` just before the call; False when cancelled or the claim was lost."""
        r = BroadcastRecipient
        running = exists().where(
            col(Broadcast.id) == broadcast_id, col(Broadcast.status) == "running"
        )
        values: dict[str, Any] = {"status": "sending", "attempts": col(r.attempts) + 1}
        if recipient.uncertain:
            values["error"] = UNCERTAIN
        changed = await self._update(
            and_(
                col(r.id) == recipient.id,
                col(r.claimed_by) == self.owner,
                col(r.status).in_(("pending", "sending")),
                col(r.claim_expires) > utcnow(),
                running,
            ),
            **values,
        )
        return changed == 1

    async def sent(self, recipient_id: int, message_id: int | None) -> None:
        await self._finish(recipient_id, "sent", sent_at=utcnow(), message_id=message_id)

    async def failed(self, recipient_id: int, error: str) -> None:
        await self._finish(recipient_id, "failed", error=error[:500])

    async def blocked(self, recipient: Claimed, error: str) -> None:
        """403: the worker blocked the bot (or is deactivated); the chat is skipped from now on."""
        r = BroadcastRecipient
        async with self.db.engine.begin() as conn:
            await conn.execute(
                update(r)
                .where(col(r.id) == recipient.id, col(r.status) == "sending")
                .values(status="blocked", error=error[:500], claimed_by=None, claim_expires=None)
            )
            await conn.execute(
                update(WorkerChat)
                .where(col(WorkerChat.chat_id) == recipient.chat_id)
                .values(blocked_at=utcnow())
            )

    async def retry_later(self, recipient_id: int, delay: float, error: str) -> None:
        """A temporary failure: back to pending for anyone after `delay` seconds."""
        r = BroadcastRecipient
        await self._update(
            col(r.id) == recipient_id,
            status="pending",
            error=error[:500],
            next_attempt_at=utcnow() + timedelta(seconds=delay),
            claimed_by=None,
            claim_expires=None,
        )

    async def not_sent(self, recipient_id: int) -> None:
        """Telegram refused the call (429): nothing was sent, this process tries again."""
        r = BroadcastRecipient
        await self._update(
            and_(col(r.id) == recipient_id, col(r.status) == "sending"),
            status="pending",
            attempts=col(r.attempts) - 1,
        )

    async def release(self) -> int:
        """Give back pending recipients this process holds (on an orderly stop)."""
        r = BroadcastRecipient
        return await self._update(
            and_(col(r.claimed_by) == self.owner, col(r.status) == "pending"),
            claimed_by=None,
            claim_expires=None,
        )

    async def _finish(self, recipient_id: int, status: str, **values: Any) -> None:
        r = BroadcastRecipient
        await self._update(
            and_(col(r.id) == recipient_id, col(r.status) == "sending"),
            status=status,
            claimed_by=None,
            claim_expires=None,
            **values,
        )

    async def _update(self, where: Any, **values: Any) -> int:
        async with self.db.engine.begin() as conn:
            result = await conn.execute(update(BroadcastRecipient).where(where).values(**values))
            return result.rowcount
