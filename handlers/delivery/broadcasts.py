"""Broadcast delivery: start due broadcasts, then send to their recipients within the send rate.

`Delivery` claims recipients in batches with a lease it renews, marks each `sending` just before
its slot and records Telegram's answer right after the call (`storage.repos.deliveries`).
Answers are read by `handlers.delivery.outcomes`: a 429 is waited out by every sender (the send
rate pauses) and the same recipient is tried again, not counted; a temporary failure is
retried under `DeliveryConfig.retry`; a 403 marks the chat blocked; a 400 fails the recipient.

`lindungi worker` runs `BroadcastJobs` as arq jobs on Redis (`bot.worker`); `lindungi serve`
without Redis runs the same code in-process (`bot.broadcasting.EmbeddedRunner`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from telegram.error import TelegramError

from handlers.delivery.outcomes import Kind, Outcome, RetryPolicy, classify
from handlers.delivery.sending import RawCall, send_in_slot
from storage.infra.db import Database
from storage.infra.ratelimit import SendLimiter
from storage.models import Broadcast
from storage.repos.broadcasts import Broadcasts
from storage.repos.deliveries import Claimed, Deliveries

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeliveryConfig:
    """`senders` concurrent sends per process; a failed send is retried after `backoff`
    seconds, doubled each time, `max_attempts` times in all."""

    senders: int = 8
    batch: int = 50
    lease: float = 15.0
    max_attempts: int = 5
    backoff: float = 2.0
    idle: float = 0.5

    @property
    def retry(self) -> RetryPolicy:
        """The retry policy of temporary failures these settings describe."""
        return RetryPolicy(first=timedelta(seconds=self.backoff), max_attempts=self.max_attempts)


def message_for(broadcast: Broadcast, chat_id: int) -> tuple[str, dict[str, Any]]:
    """The Bot API call that delivers `broadcast` to one chat."""
    params: dict[str, Any] = {"chat_id": chat_id, "parse_mode": "HTML"}
    if broadcast.button_text and broadcast.button_url:
        button = {"text": broadcast.button_text, "url": broadcast.button_url}
        params["reply_markup"] = {"inline_keyboard": [[button]]}
    if broadcast.photo_url:
        return "sendPhoto", {**params, "photo": broadcast.photo_url, "caption": broadcast.text}
    return "sendMessage", {**params, "text": broadcast.text}


class Delivery:
    """Delivers one broadcast from this process, with its own claims (`owner`)."""

    def __init__(
        self, db: Database, raw: RawCall, limiter: SendLimiter, config: DeliveryConfig
    ) -> None:
        self.broadcasts = Broadcasts(db)
        owner = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
        self.deliveries = Deliveries(db, owner, lease=config.lease)
        self.raw = raw
        self.limiter = limiter
        self.config = config
        self._held: dict[int, Claimed] = {}
        self._inflight: set[asyncio.Task[bool]] = set()

    async def run(
        self, broadcast_id: int, *, until: float | None = None, stop: asyncio.Event | None = None
    ) -> str:
        """Deliver until done, cancelled, `stop` is set or the wall clock passes `until`."""
        broadcast = await self.broadcasts.get(broadcast_id)
        if broadcast.status != "running":
            return broadcast.status
        queue: asyncio.Queue[Claimed] = asyncio.Queue()
        senders = [
            asyncio.create_task(self._sender(broadcast, queue)) for _ in range(self.config.senders)
        ]
        keeper = asyncio.create_task(self._keep_claims())
        try:
            return await self._feed(broadcast_id, queue, until, stop)
        finally:
            for task in (*senders, keeper):
                task.cancel()
            # Sends already under way finish and are recorded; queued ones are given back.
            await asyncio.gather(*senders, keeper, *self._inflight, return_exceptions=True)
            with contextlib.suppress(Exception):
                await self.deliveries.release()

    async def _feed(
        self,
        broadcast_id: int,
        queue: asyncio.Queue[Claimed],
        until: float | None,
        stop: asyncio.Event | None,
    ) -> str:
        config = self.config
        while True:
            if stop is not None and stop.is_set():
                return "stopped"
            if until is not None and time.time() >= until:
                return "deadline"
            if len(self._held) <= config.batch // 2:
                if not await self.broadcasts.is_running(broadcast_id):
                    return (await self.broadcasts.get(broadcast_id)).status
                claimed = await self.deliveries.claim(broadcast_id, config.batch - len(self._held))
                for recipient in claimed:
                    self._held[recipient.id] = recipient
                    queue.put_nowait(recipient)
                if not claimed and not self._held:
                    if await self.broadcasts.finish_if_complete(broadcast_id):
                        log.info("broadcast %s delivered", broadcast_id)
                        return "done"
                    await asyncio.sleep(config.idle)  # others hold the rest, or it waits to retry
                    continue
            await asyncio.sleep(0.05)

    async def _keep_claims(self) -> None:
        while True:
            await asyncio.sleep(self.config.lease / 3)
            try:
                await self.deliveries.renew(list(self._held))
            except Exception:  # the next round retries; the lease outlasts two misses
                log.exception("could not renew broadcast claims")

    async def _sender(self, broadcast: Broadcast, queue: asyncio.Queue[Claimed]) -> None:
        while True:
            recipient = await queue.get()
            try:
                while await self._attempt(broadcast, recipient):
                    pass  # Telegram said 429: every sender waited out the pause; again
            except asyncio.CancelledError:
                raise
            except Exception:  # the row's claim lapses and another round takes it over
                log.exception("broadcast %s: recipient %s not recorded", broadcast.id, recipient.id)
            self._held.pop(recipient.id, None)

    async def _attempt(self, broadcast: Broadcast, recipient: Claimed) -> bool:
        """One attempt; True when Telegram asked us to retry later (429)."""
        assert broadcast.id is not None
        # Marked `sending` before the wait for a slot, so that nothing slow (a database
        # commit) stands between the slot and the call: calls then reach Telegram evenly.
        # Shielded: a stop during the commit must still learn whether the row became `sending`.
        began = asyncio.ensure_future(self.deliveries.begin(recipient, broadcast.id))
        try:
            if not await asyncio.shield(began):
                return False  # cancelled, or the claim was lost
            token = await self.limiter.acquire(str(recipient.chat_id), bulk=True)
        except BaseException:
            if await began:  # nothing was sent: back to pending, for `release` to give back
                await asyncio.shield(self.deliveries.not_sent(recipient.id))
            raise
        task = asyncio.create_task(self._send(broadcast, recipient, token))
        self._inflight.add(task)
        task.add_done_callback(self._inflight.discard)
        # Shielded: once the call is under way, it and its record must complete.
        return await asyncio.shield(task)

    async def _send(self, broadcast: Broadcast, recipient: Claimed, token: str) -> bool:
        method, params = message_for(broadcast, recipient.chat_id)
        try:
            result = await send_in_slot(self.limiter, self.raw, method, params, token)
        except TelegramError as exc:
            return await self._record(recipient, classify(exc))
        message_id = result.get("message_id") if isinstance(result, dict) else None
        await self.deliveries.sent(recipient.id, message_id)
        return False

    async def _record(self, recipient: Claimed, outcome: Outcome) -> bool:
        """Record a call that did not deliver; True when it is to be tried again at once."""
        assert outcome.kind is not Kind.SENT
        if outcome.kind is Kind.BLOCKED:
            await self.deliveries.blocked(recipient, outcome.error)
        elif outcome.kind is Kind.REFUSED:
            await self.deliveries.failed(recipient.id, outcome.error)
        elif outcome.retry_after is not None:
            # Nothing was sent; every sender waits the pause out (`send_in_slot`), then again.
            await self.deliveries.not_sent(recipient.id)
            return True
        else:
            policy, attempts = self.config.retry, recipient.attempts + 1
            if policy.gives_up(outcome, attempts):
                await self.deliveries.failed(recipient.id, outcome.error)
            else:
                wait = policy.wait(outcome, attempts).total_seconds()
                await self.deliveries.retry_later(recipient.id, wait, outcome.error)
        return False


class BroadcastJobs:
    """The two jobs: a tick (start due broadcasts, list running ones) and delivering one."""

    def __init__(
        self, db: Database, raw: RawCall, limiter: SendLimiter, config: DeliveryConfig
    ) -> None:
        self.db = db
        self.raw = raw
        self.limiter = limiter
        self.config = config
        self.broadcasts = Broadcasts(db)

    async def tick(self) -> list[int]:
        for broadcast_id in await self.broadcasts.start_due():
            log.info("broadcast %s started", broadcast_id)
        return await self.broadcasts.running()

    async def deliver(
        self, broadcast_id: int, *, until: float | None = None, stop: asyncio.Event | None = None
    ) -> str:
        delivery = Delivery(self.db, self.raw, self.limiter, self.config)
        return await delivery.run(broadcast_id, until=until, stop=stop)
