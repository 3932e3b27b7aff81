"""Deliver a database outbox to Telegram, the same way for every kind of message.

Answers are read by `handlers.delivery.outcomes`: a 429 waits its `retry_after` (and so does the
rest of the batch); other temporary failures back off under `OUTBOX` (5 s, doubling, at most
30 minutes); a chat that blocked the bot (403) or a message Telegram refuses for good (400) is
marked failed and never retried.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, Generic, Protocol, TypeVar

from telegram.error import TelegramError

from handlers.delivery.outcomes import OUTBOX, SENT, Kind, Outcome, classify
from handlers.processor import BotApi
from storage.models import utcnow

log = logging.getLogger(__name__)


class Item(Protocol):
    """A claimed outbox row: its id and how many attempts it has had."""

    @property
    def id(self) -> int | None: ...

    @property
    def attempts(self) -> int: ...


T = TypeVar("T", bound=Item)
T_co = TypeVar("T_co", bound=Item, covariant=True)


class Outbox(Protocol[T_co]):
    """Storage of one outbox: claim due rows with a lease, then record each one's outcome."""

    async def claim_due(self, limit: int, now: datetime, /) -> Sequence[T_co]: ...

    async def mark_sent(self, item_id: int, now: datetime, /) -> None: ...

    async def mark_failed(self, item_id: int, error: str, /) -> None: ...

    async def retry_later(self, item_id: int, at: datetime, error: str, /) -> None: ...

    async def release(self, item_ids: Sequence[int], at: datetime | None = None, /) -> None: ...


class OutboxSender(Generic[T]):
    """Claims due rows of an outbox, renders each as `sendMessage` parameters and sends it.

    Subclasses say how a row reads (`render`); `lease` is how long the outbox reserves claimed
    rows, and a batch stops at half of it so no row is sent after another sender may take it.
    """

    kind = "message"
    """What the rows are, for log lines."""
    policy = OUTBOX
    """When a row is tried again after a temporary failure."""

    def __init__(
        self,
        outbox: Outbox[T],
        api: BotApi,
        *,
        lease: timedelta,
        now: Callable[[], datetime] = utcnow,
        on_call: Callable[[str, str], None] | None = None,
    ) -> None:
        self.outbox = outbox
        self.api = api
        self.now = now
        self.on_call = on_call or (lambda method, result: None)
        self.batch_seconds = lease.total_seconds() / 2

    def render(self, item: T) -> dict[str, Any]:
        """The `sendMessage` parameters of a row."""
        raise NotImplementedError

    async def deliver_due(self, limit: int = 50) -> int:
        """Send up to `limit` due rows; returns how many Telegram accepted."""
        claimed = await self.outbox.claim_due(limit, self.now())
        started = time.monotonic()
        sent = 0
        for index, item in enumerate(claimed):
            assert item.id is not None
            rest = [later.id for later in claimed[index + 1 :] if later.id is not None]
            if time.monotonic() - started > self.batch_seconds:
                await self.outbox.release([item.id, *rest])
                break
            try:
                await self._send(item)
            except TelegramError as exc:
                outcome = classify(exc)
            except Exception as exc:  # a bug must not stop the other rows
                log.exception("%s %s could not be sent", self.kind, item.id)
                outcome = Outcome(Kind.RETRY, type(exc).__name__)
            else:
                outcome = SENT
            if outcome.kind is Kind.SENT:
                await self.outbox.mark_sent(item.id, self.now())
                sent += 1
            elif outcome.kind is Kind.RETRY:
                at = self.now() + self.policy.wait(outcome, item.attempts + 1)
                await self.outbox.retry_later(item.id, at, outcome.error)
                if outcome.retry_after is not None:
                    # Telegram asks the whole bot to slow down: the rest of the batch waits too.
                    await self.outbox.release(rest, at)
                    break
            else:
                if outcome.kind is Kind.REFUSED:
                    log.warning("%s %s refused by Telegram", self.kind, item.id)
                await self.outbox.mark_failed(item.id, outcome.error)
        return sent

    async def _send(self, item: T) -> None:
        try:
            await self.api.call("sendMessage", self.render(item))
        except Exception as exc:
            self.on_call("sendMessage", type(exc).__name__)
            raise
        self.on_call("sendMessage", "ok")
