"""Builders for realistic Telegram ``Update`` JSON dicts (the Bot API's own field names).

``UpdateFactory().command(42, "/start")`` gives what Telegram would POST to the webhook.
"""

from __future__ import annotations

import itertools
import time
from typing import Any, Protocol

__all__ = ["DEFAULT_BOT", "MessageSource", "UpdateFactory"]

JSON = dict[str, Any]

DEFAULT_BOT: JSON = {
    "id": 123456,
    "is_bot": True,
    "first_name": "Lindungi",
    "username": "lindungi_test_bot",
}


class MessageSource(Protocol):
    """What the factory needs from a fake server to share message ids and bot messages."""

    def next_message_id(self, chat_id: int | str) -> int:
        """Allocate the next message id in a chat."""
        ...

    def find_message(self, chat_id: int | str, message_id: int | None = None) -> JSON | None:
        """A bot message by id, or the last one sent to the chat."""
        ...


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class UpdateFactory:
    """Makes updates with increasing ``update_id`` and per-chat increasing ``message_id``."""

    def __init__(
        self,
        bot: JSON | None = None,
        *,
        telegram: MessageSource | None = None,
        first_update_id: int = 1,
        language_code: str = "id",
    ) -> None:
        self.bot: JSON = dict(bot or DEFAULT_BOT)
        self.telegram = telegram
        self.language_code = language_code
        self._update_ids = itertools.count(first_update_id)
        self._query_ids = itertools.count(1)
        self._message_ids: dict[int, int] = {}
        self._last_user_message: dict[int, int] = {}

    # ---------------------------------------------------------------- pieces

    def user(self, user_id: int, first_name: str = "Ahmad", **extra: Any) -> JSON:
        """A ``User`` object for a human."""
        user: JSON = {
            "id": user_id,
            "is_bot": False,
            "first_name": first_name,
            "language_code": self.language_code,
        }
        user.update(extra)
        return user

    def private_chat(self, user_id: int, first_name: str = "Ahmad", **extra: Any) -> JSON:
        """A private ``Chat`` with a user."""
        return {"id": user_id, "first_name": first_name, "type": "private", **extra}

    def group_chat(self, chat_id: int, title: str = "Kelompok Ojol") -> JSON:
        """A group (or supergroup when the id starts with -100) ``Chat``."""
        chat_type = "supergroup" if chat_id <= -1_000_000_000_000 else "group"
        return {"id": chat_id, "title": title, "type": chat_type}

    def next_message_id(self, chat_id: int) -> int:
        """Allocate a message id in a chat (shared with the fake server when bound to one)."""
        if self.telegram is not None:
            return self.telegram.next_message_id(chat_id)
        self._message_ids[chat_id] = self._message_ids.get(chat_id, 0) + 1
        return self._message_ids[chat_id]

    def _update(self, kind: str, payload: JSON) -> JSON:
        return {"update_id": next(self._update_ids), kind: payload}

    def _chat_for(self, user_id: int, first_name: str, chat_type: str) -> JSON:
        if chat_type == "private":
            return self.private_chat(user_id, first_name)
        chat_id = -1_000_000_000_000 - user_id if chat_type == "supergroup" else -user_id
        return self.group_chat(chat_id)

    def _message(self, user_id: int, chat: JSON, first_name: str, content: JSON) -> JSON:
        message_id = self.next_message_id(chat["id"])
        self._last_user_message[chat["id"]] = message_id
        return {
            "message_id": message_id,
            "from": self.user(user_id, first_name),
            "chat": chat,
            "date": int(time.time()),
            **content,
        }

    def _file_ids(self, kind: str) -> tuple[str, str]:
        n = next(self._query_ids)
        return f"AgACAgUAAxkBAAI{kind}{n:06d}", f"AQAD{kind}{n:04d}"

    # --------------------------------------------------------------- updates

    def message(
        self,
        user_id: int,
        text: str,
        chat_type: str = "private",
        first_name: str = "Ahmad",
        **extra: Any,
    ) -> JSON:
        """A text message from a user (``extra`` is merged into the message)."""
        chat = self._chat_for(user_id, first_name, chat_type)
        message = self._message(user_id, chat, first_name, {"text": text})
        message.update(extra)
        return self._update("message", message)

    def command(
        self, user_id: int, command: str, first_name: str = "Ahmad", chat_type: str = "private"
    ) -> JSON:
        """A command like ``/start`` or ``/start ref_123`` with its ``bot_command`` entity."""
        text = command if command.startswith("/") else f"/{command}"
        name = text.split(maxsplit=1)[0]
        entities = [{"offset": 0, "length": _utf16_len(name), "type": "bot_command"}]
        return self.message(user_id, text, chat_type, first_name, entities=entities)

    def callback(
        self,
        user_id: int,
        data: str,
        message_id: int | None = None,
        *,
        message_text: str = "Pilih salah satu:",
        reply_markup: JSON | None = None,
        first_name: str = "Ahmad",
    ) -> JSON:
        """A button press: ``callback_query`` with ``data`` and the bot message it belongs to.

        Bound to a fake server, the message defaults to the last one the bot sent to the user.
        """
        message: JSON | None = None
        if self.telegram is not None:
            message = self.telegram.find_message(user_id, message_id)
        if message is None:
            message = {
                "message_id": message_id
                if message_id is not None
                else self.next_message_id(user_id),
                "from": dict(self.bot),
                "chat": self.private_chat(user_id, first_name),
                "date": int(time.time()) - 1,
                "text": message_text,
            }
            if reply_markup is None:
                reply_markup = {"inline_keyboard": [[{"text": data, "callback_data": data}]]}
            message["reply_markup"] = reply_markup
        query = {
            "id": str(4_000_000_000_000_000_000 + user_id * 1000 + next(self._query_ids)),
            "from": self.user(user_id, first_name),
            "message": message,
            "chat_instance": str(-(abs(user_id) * 7919 % 10**18) - 1),
            "data": data,
        }
        return self._update("callback_query", query)

    def contact(
        self,
        user_id: int,
        phone_number: str,
        contact_user_id: int | None = None,
        *,
        first_name: str = "Ahmad",
        last_name: str | None = None,
        with_user_id: bool = True,
    ) -> JSON:
        """A shared contact; by default the sender's own (``user_id`` = sender, as when the
        user taps a ``request_contact`` button). ``with_user_id=False`` omits ``user_id``."""
        contact: JSON = {"phone_number": phone_number, "first_name": first_name}
        if last_name:
            contact["last_name"] = last_name
        if with_user_id:
            contact["user_id"] = contact_user_id if contact_user_id is not None else user_id
        chat = self.private_chat(user_id, first_name)
        return self._update(
            "message", self._message(user_id, chat, first_name, {"contact": contact})
        )

    def photo(self, user_id: int, caption: str | None = None, first_name: str = "Ahmad") -> JSON:
        """A photo (three sizes, like Telegram sends) with an optional caption."""
        file_id, unique = self._file_ids("p")
        sizes = [
            {
                "file_id": f"{file_id}-{w}",
                "file_unique_id": f"{unique}{w}",
                "file_size": w * h // 10,
                "width": w,
                "height": h,
            }
            for w, h in ((90, 67), (320, 240), (1280, 960))
        ]
        content: JSON = {"photo": sizes}
        if caption:
            content["caption"] = caption
        chat = self.private_chat(user_id, first_name)
        return self._update("message", self._message(user_id, chat, first_name, content))

    def sticker(self, user_id: int, emoji: str = "👍", first_name: str = "Ahmad") -> JSON:
        """A regular static sticker."""
        file_id, unique = self._file_ids("s")
        sticker = {
            "file_id": file_id,
            "file_unique_id": unique,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
            "set_name": "HotCherry",
            "file_size": 23_456,
        }
        chat = self.private_chat(user_id, first_name)
        return self._update(
            "message", self._message(user_id, chat, first_name, {"sticker": sticker})
        )

    def voice(self, user_id: int, duration: int = 3, first_name: str = "Ahmad") -> JSON:
        """A voice note (OGG/Opus)."""
        file_id, unique = self._file_ids("v")
        voice = {
            "file_id": file_id,
            "file_unique_id": unique,
            "duration": duration,
            "mime_type": "audio/ogg",
            "file_size": 4_000 * duration,
        }
        chat = self.private_chat(user_id, first_name)
        return self._update("message", self._message(user_id, chat, first_name, {"voice": voice}))

    def document(
        self,
        user_id: int,
        file_name: str = "ktp.pdf",
        mime_type: str = "application/pdf",
        first_name: str = "Ahmad",
    ) -> JSON:
        """A document (file) message."""
        file_id, unique = self._file_ids("d")
        document = {
            "file_id": file_id,
            "file_unique_id": unique,
            "file_name": file_name,
            "mime_type": mime_type,
            "file_size": 120_000,
        }
        chat = self.private_chat(user_id, first_name)
        return self._update(
            "message", self._message(user_id, chat, first_name, {"document": document})
        )

    def location(
        self,
        user_id: int,
        latitude: float = -6.2088,
        longitude: float = 106.8456,
        first_name: str = "Ahmad",
    ) -> JSON:
        """A shared location (default: Jakarta)."""
        chat = self.private_chat(user_id, first_name)
        content = {"location": {"latitude": latitude, "longitude": longitude}}
        return self._update("message", self._message(user_id, chat, first_name, content))

    def edited_message(
        self,
        user_id: int,
        text: str,
        message_id: int | None = None,
        first_name: str = "Ahmad",
    ) -> JSON:
        """An edit of the user's message (default: their last message in the chat)."""
        chat = self.private_chat(user_id, first_name)
        if message_id is None:
            message_id = self._last_user_message.get(user_id) or self.next_message_id(user_id)
        now = int(time.time())
        message = {
            "message_id": message_id,
            "from": self.user(user_id, first_name),
            "chat": chat,
            "date": now - 5,
            "edit_date": now,
            "text": text,
        }
        return self._update("edited_message", message)

    def group_message(
        self,
        user_id: int,
        group_chat_id: int,
        text: str,
        first_name: str = "Ahmad",
        title: str = "Kelompok Ojol",
    ) -> JSON:
        """A text message from a user in a group or supergroup."""
        chat = self.group_chat(group_chat_id, title)
        return self._update("message", self._message(user_id, chat, first_name, {"text": text}))

    def channel_post(self, chat_id: int, text: str, title: str = "Info Lindungi") -> JSON:
        """A post in a channel (no ``from``; ``sender_chat`` is the channel)."""
        chat = {"id": chat_id, "title": title, "type": "channel"}
        post = {
            "message_id": self.next_message_id(chat_id),
            "sender_chat": dict(chat),
            "chat": chat,
            "date": int(time.time()),
            "text": text,
        }
        return self._update("channel_post", post)

    def my_chat_member(
        self,
        user_id: int,
        status: str = "kicked",
        old_status: str | None = None,
        first_name: str = "Ahmad",
    ) -> JSON:
        """The bot's membership in a private chat changed (``kicked`` = the user blocked it)."""
        old_status = old_status or ("member" if status == "kicked" else "kicked")

        def member(state: str) -> JSON:
            info: JSON = {"user": dict(self.bot), "status": state}
            if state == "kicked":
                info["until_date"] = 0
            return info

        payload = {
            "chat": self.private_chat(user_id, first_name),
            "from": self.user(user_id, first_name),
            "date": int(time.time()),
            "old_chat_member": member(old_status),
            "new_chat_member": member(status),
        }
        return self._update("my_chat_member", payload)
