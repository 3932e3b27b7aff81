"""Deliver the notifications outbox: decisions reach workers on Telegram, in their language.

Telegram's 429 waits its `retry_after`; network errors back off, doubling; a chat that blocked
the bot (Forbidden) or a message Telegram refuses for good (BadRequest) is marked failed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

from conversations.i18n import Catalog, escape
from handlers.processor import BotApi
from storage.models import Notification, utcnow
from storage.notifications import LEASE, Notifications

log = logging.getLogger(__name__)

FIRST_RETRY = timedelta(seconds=5)
LONGEST_RETRY = timedelta(minutes=30)
# Stop a batch well inside the lease, so no row is sent after another sender may claim it.
BATCH_SECONDS = LEASE.total_seconds() / 2


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed try: 5 s, 10 s, 20 s, … at most 30 minutes."""
    wait: timedelta = FIRST_RETRY * 2 ** min(max(attempts - 1, 0), 20)
    return min(wait, LONGEST_RETRY)


class NotificationSender:
    """Claims due notifications, renders them from the catalogue and sends them."""

    def __init__(
        self,
        outbox: Notifications,
        catalog: Catalog,
        api: BotApi,
        *,
        now: Callable[[], datetime] = utcnow,
        on_call: Callable[[str, str], None] | None = None,
    ) -> None:
        self.outbox = outbox
        self.catalog = catalog
        self.api = api
        self.now = now
        self.on_call = on_call or (lambda method, result: None)

    def render(self, notification: Notification) -> dict[str, Any]:
        """The `sendMessage` parameters of a notification."""
        lang = notification.language
        params = notification.params
        text = self.catalog.text(
            lang,
            f"notify.{notification.kind}",
            sapaan=self.catalog.text(lang, f"address.{params.get('gender') or 'unknown'}"),
            reference=escape(params.get("reference") or ""),
            program=escape(params.get("program") or self.catalog.text(lang, "notify.no_program")),
            reason=escape(params.get("reason") or ""),
            kpj=escape(params.get("kpj") or ""),
        )
        return {
            "chat_id": notification.chat_id,
            "text": text,
            "parse_mode": "HTML",
            "link_preview_options": {"is_disabled": True},
        }

    async def deliver_due(self, limit: int = 50) -> int:
        """Send up to `limit` due notifications; returns how many Telegram accepted."""
        claimed = await self.outbox.claim_due(limit, self.now())
        started = time.monotonic()
        sent = 0
        for index, notification in enumerate(claimed):
            assert notification.id is not None
            rest = [n.id for n in claimed[index + 1 :] if n.id is not None]
            if time.monotonic() - started > BATCH_SECONDS:
                await self.outbox.release([notification.id, *rest])
                break
            try:
                await self._send(notification)
            except RetryAfter as exc:
                # Telegram asks the whole bot to slow down: the rest of the batch waits too.
                at = self.now() + _seconds(exc.retry_after)
                await self.outbox.retry_later(notification.id, at, f"RetryAfter: {exc.message}")
                await self.outbox.release(rest, at)
                break
            except Forbidden as exc:
                await self.outbox.mark_failed(notification.id, f"Forbidden: {exc.message}")
            except BadRequest as exc:
                log.warning("notification %s refused by Telegram", notification.id)
                await self.outbox.mark_failed(notification.id, f"BadRequest: {exc.message}")
            except NetworkError as exc:  # TimedOut included
                await self._later(notification, f"{type(exc).__name__}: {exc.message}")
            except Exception as exc:  # a bug must not stop the other notifications
                log.exception("notification %s could not be sent", notification.id)
                await self._later(notification, type(exc).__name__)
            else:
                await self.outbox.mark_sent(notification.id, self.now())
                sent += 1
        return sent

    async def _send(self, notification: Notification) -> None:
        try:
            await self.api.call("sendMessage", self.render(notification))
        except Exception as exc:
            self.on_call("sendMessage", type(exc).__name__)
            raise
        self.on_call("sendMessage", "ok")

    async def _later(self, notification: Notification, error: str) -> None:
        assert notification.id is not None
        at = self.now() + backoff(notification.attempts + 1)
        await self.outbox.retry_later(notification.id, at, error)


def _seconds(value: Any) -> timedelta:
    if isinstance(value, timedelta):
        return value
    return timedelta(seconds=float(value))
