"""Broadcasts' wiring: the in-process runner of `lindungi serve` without Redis, the send rate
and delivery jobs the settings describe, and previews for the console.

Delivery itself is `handlers.delivery.broadcasts`; `lindungi worker` runs its jobs on arq
(`bot.worker`). Durability is in `storage.repos.deliveries`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from telegram.error import TelegramError

from bot.settings import Settings
from bot.telegram import TelegramApi
from console.services import PreviewError
from handlers.delivery.broadcasts import BroadcastJobs, DeliveryConfig, message_for
from handlers.delivery.outcomes import Kind, classify
from handlers.processor import BotApi
from storage.infra.db import Database
from storage.infra.ratelimit import RateLimits, SendLimiter
from storage.models import Broadcast

log = logging.getLogger(__name__)


class BroadcastPreviews:
    """Sends a broadcast once to an official's own chat, to check how it looks (the console's
    `PreviewSender`): the replies' lane of the shared send rate, errors in one sentence."""

    def __init__(self, api: BotApi) -> None:
        self.api = api

    @property
    def bot_username(self) -> str | None:
        if not isinstance(self.api, TelegramApi):
            return None
        try:
            return self.api.bot.username or None
        except RuntimeError:  # getMe has not succeeded yet (Telegram unreachable at start)
            return None

    async def send(self, broadcast: Broadcast, chat_id: int) -> None:
        method, params = message_for(broadcast, chat_id)
        try:
            await self.api.call(method, params)
        except TelegramError as exc:
            message, blocked = _preview_error(exc)
            raise PreviewError(message, blocked=blocked) from None


def _preview_error(exc: TelegramError) -> tuple[str, bool]:
    """What the official is told when a preview was not sent, and whether the chat is blocked."""
    outcome = classify(exc)
    if outcome.kind is Kind.BLOCKED:
        return "The linked chat blocked the bot or no longer exists: link it again.", True
    if outcome.retry_after is not None:
        return f"Telegram asks to wait {outcome.retry_after:.0f} s before the next message.", False
    if outcome.kind is Kind.REFUSED:
        return f"Telegram refused the message: {exc.message}", False
    return f"Telegram could not be reached ({type(exc).__name__}).", False


class EmbeddedRunner:
    """Without Redis: runs the tick every `interval` seconds and one delivery per broadcast."""

    def __init__(self, jobs: BroadcastJobs, interval: float = 1.0) -> None:
        self.jobs = jobs
        self.interval = interval
        self._stop = asyncio.Event()
        self._loop: asyncio.Task[None] | None = None
        self._running: dict[int, asyncio.Task[str]] = {}

    def start(self) -> None:
        self._loop = asyncio.create_task(self._run())

    async def _run(self) -> None:
        while not self._stop.is_set():
            try:
                for broadcast_id in await self.jobs.tick():
                    task = self._running.get(broadcast_id)
                    if task is None or task.done():
                        self._running[broadcast_id] = asyncio.create_task(
                            self.jobs.deliver(broadcast_id, stop=self._stop)
                        )
            except Exception:  # keep ticking; the database may be back next time
                log.exception("broadcast tick failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), self.interval)

    async def stop(self) -> None:
        """Let sends under way finish and be recorded; give the rest back."""
        self._stop.set()
        tasks = [t for t in (self._loop, *self._running.values()) if t is not None]
        await asyncio.gather(*tasks, return_exceptions=True)


def rate_limits(settings: Settings) -> RateLimits:
    """The send rate the settings describe."""
    return RateLimits(
        per_window=settings.send_rate,
        margin=settings.send_margin,
        chat_interval=settings.send_chat_interval,
        chat_burst=settings.send_chat_burst,
    )


def build_broadcast_jobs(
    settings: Settings, db: Database, api: BotApi | None, limiter: SendLimiter
) -> BroadcastJobs | None:
    """Broadcast jobs on this process's Bot API connection; None while Telegram is off."""
    if api is None:
        return None
    raw = api.raw_call if isinstance(api, TelegramApi) else api.call
    config = DeliveryConfig(senders=settings.broadcast_senders, lease=settings.broadcast_lease)
    return BroadcastJobs(db, raw, limiter, config)
