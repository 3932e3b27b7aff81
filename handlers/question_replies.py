"""Deliver officials' answers to workers' questions on Telegram, in the worker's language.

The message (`faq.reply`) quotes the question, shortened, above the answer; retries and failures
follow `handlers.outbox` (429 and network errors later, a blocked chat never again).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from domain.i18n import Catalog, escape
from handlers.outbox import OutboxSender
from handlers.processor import BotApi
from storage.models import utcnow
from storage.repos.questions import LEASE, Questions, ReplyToSend

QUOTE_CHARS = 200


def shorten(text: str, limit: int = QUOTE_CHARS) -> str:
    """`text` on one line, cut at a word boundary to at most `limit` characters (with "…")."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,.;:") + "…"


class QuestionReplySender(OutboxSender[ReplyToSend]):
    """Claims answers due for delivery, renders them from the catalogue and sends them."""

    kind = "answer to question"

    def __init__(
        self,
        questions: Questions,
        catalog: Catalog,
        api: BotApi,
        *,
        now: Callable[[], datetime] = utcnow,
        on_call: Callable[[str, str], None] | None = None,
    ) -> None:
        super().__init__(questions, api, lease=LEASE, now=now, on_call=on_call)
        self.catalog = catalog

    def render(self, item: ReplyToSend) -> dict[str, Any]:
        """The `sendMessage` parameters of an answer; both texts escaped for Telegram HTML."""
        lang = item.language
        text = self.catalog.text(
            lang,
            "faq.reply",
            sapaan=self.catalog.text(lang, f"address.{item.gender or 'unknown'}"),
            question=escape(shorten(item.question)),
            answer=escape(item.answer),
        )
        return {
            "chat_id": item.chat_id,
            "text": text,
            "parse_mode": "HTML",
            "link_preview_options": {"is_disabled": True},
        }
