"""Deliver the notifications outbox: decisions reach workers on Telegram, in their language.

Retries and failures follow `handlers.outbox` (`handlers.delivery.outcomes.OUTBOX`): 429 waits
its `retry_after`, network errors back off, a chat that blocked the bot (403) or a refused
message (400) is marked failed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from domain.i18n import Catalog, escape
from handlers.outbox import OutboxSender
from handlers.processor import BotApi
from storage.models import Notification, utcnow
from storage.repos.notifications import LEASE, Notifications


class NotificationSender(OutboxSender[Notification]):
    """Claims due notifications, renders them from the catalogue and sends them."""

    kind = "notification"

    def __init__(
        self,
        outbox: Notifications,
        catalog: Catalog,
        api: BotApi,
        *,
        now: Callable[[], datetime] = utcnow,
        on_call: Callable[[str, str], None] | None = None,
    ) -> None:
        super().__init__(outbox, api, lease=LEASE, now=now, on_call=on_call)
        self.catalog = catalog

    def render(self, item: Notification) -> dict[str, Any]:
        """The `sendMessage` parameters of a notification."""
        lang = item.language
        params = item.params
        text = self.catalog.text(
            lang,
            f"notify.{item.kind}",
            sapaan=self.catalog.text(lang, f"address.{params.get('gender') or 'unknown'}"),
            reference=escape(params.get("reference") or ""),
            program=escape(params.get("program") or self.catalog.text(lang, "notify.no_program")),
            reason=escape(params.get("reason") or ""),
            kpj=escape(params.get("kpj") or ""),
        )
        return {
            "chat_id": item.chat_id,
            "text": text,
            "parse_mode": "HTML",
            "link_preview_options": {"is_disabled": True},
        }
