"""Turn engine replies into Bot API calls (method and parameters, as stored in the outbox)."""

from __future__ import annotations

import secrets
from typing import Any

from conversations.messages import Reply


def outbox_item(method: str, params: dict[str, Any], *, durable: bool = True) -> dict[str, Any]:
    """One pending Bot API call; non-durable items (callback answers) are never retried late."""
    return {"id": secrets.token_hex(6), "method": method, "params": params, "durable": durable}


def send_message(chat_id: int, reply: Reply, nav: tuple[str, str] | None = None) -> dict[str, Any]:
    """`sendMessage` for a reply: inline keyboard, contact keyboard, or keyboard removal."""
    params: dict[str, Any] = {
        "chat_id": chat_id,
        "text": reply.text,
        "parse_mode": "HTML",
        "link_preview_options": {"is_disabled": True},
    }
    if reply.buttons:
        params["reply_markup"] = {
            "inline_keyboard": [
                [{"text": b.text, "callback_data": b.data} for b in row] for row in reply.buttons
            ]
        }
    elif reply.share_contact:
        rows: list[list[dict[str, Any]]] = [
            [{"text": reply.share_contact, "request_contact": True}]
        ]
        if nav:
            rows.append([{"text": nav[0]}, {"text": nav[1]}])
        params["reply_markup"] = {
            "keyboard": rows,
            "resize_keyboard": True,
            "one_time_keyboard": True,
            "input_field_placeholder": "08xx xxxx xxxx",
        }
    elif reply.remove_keyboard:
        params["reply_markup"] = {"remove_keyboard": True}
    return outbox_item("sendMessage", params)


def answer_callback(callback_id: str) -> dict[str, Any]:
    return outbox_item("answerCallbackQuery", {"callback_query_id": callback_id}, durable=False)
