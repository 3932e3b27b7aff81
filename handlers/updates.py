"""Read the few fields Lindungi needs from a Telegram Update, without building object trees."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from conversations.messages import Incoming

# Telegram's longest message text. Anything longer did not come from a real chat; it is cut
# (one character over, so that "too long" is still recognised) before any processing.
TELEGRAM_MAX_TEXT = 4096


class MalformedUpdate(ValueError):
    """The body is not a Telegram Update (no integer `update_id`)."""


@dataclass(frozen=True)
class Envelope:
    """Who sent what, from one update."""

    update_id: int
    chat_id: int | None
    chat_type: str
    user_id: int | None
    incoming: Incoming | None
    callback_id: str | None = None
    is_command: bool = False
    blocked_us: bool = False


def _command(text: str) -> tuple[str, str] | None:
    if not text.startswith("/"):
        return None
    head, _, args = text[1:].partition(" ")
    name = head.split("@", 1)[0].lower()
    return (name, args.strip()) if name else None


def _message_incoming(message: dict[str, Any]) -> Incoming:
    sender = message.get("from") or {}
    first_name = str(sender.get("first_name") or "")
    lang = sender.get("language_code")
    text = message.get("text")
    if isinstance(text, str):
        text = text[: TELEGRAM_MAX_TEXT + 1]
        command = _command(text.strip())
        if command:
            return Incoming("command", text=command[0], data=command[1], first_name=first_name)
        return Incoming("text", text=text, first_name=first_name, language_code=lang)
    contact = message.get("contact")
    if isinstance(contact, dict):
        own = contact.get("user_id") in (None, sender.get("id"))
        return Incoming(
            "contact",
            phone=str(contact.get("phone_number") or ""),
            contact_is_self=own,
            first_name=first_name,
        )
    return Incoming("unsupported", first_name=first_name)


def parse_update(update: Any) -> Envelope:
    """An Envelope for any well-formed update; raises MalformedUpdate otherwise."""
    if not isinstance(update, dict):
        raise MalformedUpdate("an update must be a JSON object")
    update_id = update.get("update_id")
    if not isinstance(update_id, int) or isinstance(update_id, bool):
        raise MalformedUpdate("an update needs an integer update_id")
    if isinstance(update.get("message"), dict):
        message = update["message"]
        chat = message.get("chat") or {}
        incoming = _message_incoming(message)
        return Envelope(
            update_id,
            _int(chat.get("id")),
            str(chat.get("type") or ""),
            _int((message.get("from") or {}).get("id")),
            incoming,
            is_command=incoming.kind == "command",
        )
    if isinstance(update.get("edited_message"), dict):
        message = update["edited_message"]
        chat = message.get("chat") or {}
        user = _int((message.get("from") or {}).get("id"))
        return Envelope(
            update_id, _int(chat.get("id")), str(chat.get("type") or ""), user, Incoming("edited")
        )
    if isinstance(update.get("callback_query"), dict):
        query = update["callback_query"]
        user = _int((query.get("from") or {}).get("id"))
        message = query.get("message") or {}
        chat = message.get("chat") or {}
        chat_id = _int(chat.get("id")) or user
        data = query.get("data")
        pressed = Incoming("callback", data=data) if isinstance(data, str) else None
        return Envelope(
            update_id,
            chat_id,
            str(chat.get("type") or "private"),
            user,
            pressed,
            callback_id=str(query.get("id") or "") or None,
        )
    if isinstance(update.get("my_chat_member"), dict):
        member = update["my_chat_member"]
        chat = member.get("chat") or {}
        status = (member.get("new_chat_member") or {}).get("status")
        return Envelope(
            update_id,
            _int(chat.get("id")),
            str(chat.get("type") or ""),
            _int((member.get("from") or {}).get("id")),
            None,
            blocked_us=status == "kicked",
        )
    return Envelope(update_id, None, "", None, None)


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
