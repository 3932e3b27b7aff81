"""Per-recipient delivery records of broadcasts, safe across processes and crashes.

A process *claims* pending recipients in batches (``storage.infra.outbox``: ``FOR UPDATE SKIP
LOCKED`` on PostgreSQL) for a lease it keeps renewing. Right before its Bot API call it marks
the recipient ``sending``, and right after Telegram's answer it records the result, each in its
own committed transaction. A process that dies leaves its claims to expire: ``pending`` rows
are then simply claimed again; ``sending`` rows are *uncertain* (Telegram may or may not have
accepted the call) and are sent again, which is the only way a recipient can get the message
twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import cast

from sqlalchemy import exists, update
from sqlmodel import col

from storage.infra.db import Database
from storage.infra.outbox import LeasedOutbox, OutboxColumns
from storage.models import Broadcast, BroadcastRecipient, WorkerChat, utcnow

UNCERTAIN = "resent: the earlier attempt's outcome is unknown (its process stopped)"


@dataclass(frozen=True)
class Claimed:
    """A recipient this process may now deliver to."""

    id: int
    chat_id: int
    attempts: int
    uncertain: bool


COLUMNS = OutboxColumns(
    state="status",
    error="error",
    holder="claimed_by",
    lease="claim_expires",
    in_flight="sending",
    order=("id",),
)
"""Where a recipient keeps its delivery state (`storage.infra.outbox`)."""


class Deliveries:
    """Claims and results of one delivering process, named `owner`."""

    def __init__(self, db: Database, owner: str, *, lease: float = 15.0) -> None:
        self.db = db
        self.owner = owner
        self.lease = timedelta(seconds=lease)
        self._outbox = LeasedOutbox(db, BroadcastRecipient, COLUMNS, lease=self.lease, holder=owner)

    async def claim(self, broadcast_id: int, limit: int) -> list[Claimed]:
        """Up to `limit` recipients nobody holds (or whose holder's lease ran out), by id."""
        rows = await self._outbox.claim(
            limit, None, col(BroadcastRecipient.broadcast_id) == broadcast_id
        )
        return [
            Claimed(cast(int, row.id), row.chat_id, row.attempts, row.status == "sending")
            for row in rows
        ]

    async def renew(self, recipient_ids: list[int]) -> int:
        """Extend the lease on the recipients this process still works on; returns how many."""
        return await self._outbox.renew(recipient_ids)

    async def begin(self, recipient: Claimed, broadcast_id: int) -> bool:
        """Mark `sending` just before the call; False when cancelled or the claim was lost."""
        running = exists().where(
            col(Broadcast.id) == broadcast_id, col(Broadcast.status) == "running"
        )
        flag = {"error": UNCERTAIN} if recipient.uncertain else {}
        return await self._outbox.begin(recipient.id, running, **flag)

    async def sent(self, recipient_id: int, message_id: int | None) -> None:
        await self._outbox.sent(recipient_id, message_id=message_id)

    async def failed(self, recipient_id: int, error: str) -> None:
        await self._outbox.fail(recipient_id, error)

    async def blocked(self, recipient: Claimed, error: str) -> None:
        """403: the worker blocked the bot (or is deactivated); the chat is skipped from now on."""
        chat = (
            update(WorkerChat)
            .where(col(WorkerChat.chat_id) == recipient.chat_id)
            .values(blocked_at=utcnow())
        )
        await self._outbox.fail(recipient.id, error, state="blocked", together=[chat])

    async def retry_later(self, recipient_id: int, delay: float, error: str) -> None:
        """A temporary failure: back to pending for anyone after `delay` seconds."""
        await self._outbox.retry_at(recipient_id, utcnow() + timedelta(seconds=delay), error)

    async def not_sent(self, recipient_id: int) -> None:
        """Telegram refused the call (429): nothing was sent, this process tries again."""
        await self._outbox.not_sent(recipient_id)

    async def release(self) -> int:
        """Give back pending recipients this process holds (on an orderly stop)."""
        return await self._outbox.give_back()
