"""The fake Bot API's state and method logic, independent of HTTP.

``TelegramState.handle`` answers one Bot API call; everything is guarded by one lock so the test
thread can inspect and steer the state while the server thread answers requests.
"""

from __future__ import annotations

import copy
import itertools
import math
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from tests.fakebot.forms import UploadedFile
from tests.fakebot.text import EntityParseError, render, utf16_len

__all__ = [
    "EDIT_METHODS",
    "SENDING_METHODS",
    "SEND_METHODS",
    "ApiError",
    "Call",
    "ChatKey",
    "Delivery",
    "TelegramState",
]

ChatKey = int | str
JSON = dict[str, Any]

SEND_METHODS = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "sendAudio",
        "sendVideo",
        "sendVoice",
        "sendAnimation",
        "sendSticker",
        "sendVideoNote",
        "sendLocation",
        "sendContact",
    }
)
"""Methods that create a message in a chat."""
EDIT_METHODS = frozenset({"editMessageText", "editMessageCaption", "editMessageReplyMarkup"})
SENDING_METHODS = SEND_METHODS | EDIT_METHODS
"""Methods subject to ``fail_next``, blocking and rate limits ("sending calls")."""

_MEDIA_FIELDS = {
    "sendPhoto": "photo",
    "sendDocument": "document",
    "sendAudio": "audio",
    "sendVideo": "video",
    "sendVoice": "voice",
    "sendAnimation": "animation",
    "sendSticker": "sticker",
    "sendVideoNote": "video_note",
}
_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_DEFAULT_UPDATE_TYPES_EXCLUDED = frozenset(
    {"chat_member", "message_reaction", "message_reaction_count"}
)
_MESSAGE_KEYS = ("message", "edited_message", "channel_post", "edited_channel_post")
_ERROR_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    500: "Internal Server Error",
    502: "Bad Gateway",
    504: "Gateway Timeout",
}
_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
_FAKE_JPEG = bytes.fromhex("ffd8ffe000104a46494600010100000100010000ffd9")


class ApiError(Exception):
    """An error answer: ``{"ok": false, "error_code": code, "description": ...}``."""

    def __init__(self, code: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def body(self) -> JSON:
        """The JSON answer Telegram gives for this error."""
        body: JSON = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


@dataclass(frozen=True, slots=True)
class Call:
    """One recorded Bot API call; ``at`` is ``time.monotonic()`` when it was answered."""

    method: str
    params: JSON
    at: float
    status: int
    response: JSON = field(default_factory=dict, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        """True when Telegram would have accepted the call."""
        return self.status == 200

    @property
    def chat_id(self) -> ChatKey | None:
        """The normalised ``chat_id`` parameter, if any."""
        return _normalise_chat(self.params.get("chat_id"))


@dataclass(frozen=True, slots=True)
class Delivery:
    """One attempt to POST an update to the webhook."""

    update_id: int
    status: int
    at: float
    error: str | None


def _normalise_chat(value: Any) -> ChatKey | None:
    if value is None or isinstance(value, bool) or value == "":
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        stripped = value.strip()
        try:
            return int(stripped)
        except ValueError:
            return stripped
    return None


def update_type(update: JSON) -> str:
    """The kind of an update: the first key other than ``update_id`` (``message``...)."""
    return next((key for key in update if key != "update_id"), "")


class TelegramState:
    """Everything the fake remembers; all public methods are thread-safe."""

    def __init__(
        self,
        token: str,
        *,
        bot_first_name: str = "Lindungi",
        bot_username: str = "lindungi_test_bot",
    ) -> None:
        self.token = token
        prefix = token.split(":", 1)[0]
        self.bot_user: JSON = {
            "id": int(prefix) if prefix.isdigit() else 123456,
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
        }
        self.lock = threading.RLock()
        self.on_update: Callable[[], None] | None = None
        self.poll_generation = 0  # bumped by every getUpdates; an older long poll then gets 409
        self.closing = False  # set while the server shuts down: long polls answer at once
        self.reset()

    # ------------------------------------------------------------------ state

    def reset(self) -> None:
        """Forget every call, message, update, failure, limit, delay and webhook setting."""
        with self.lock:
            self.calls: list[Call] = []
            self.deliveries: list[Delivery] = []
            self._sent: list[JSON] = []
            self._messages: dict[ChatKey, dict[int, JSON]] = {}
            self._last_sent: dict[ChatKey, int] = {}
            self._deleted: set[tuple[ChatKey, int]] = set()
            self._next_message_id: dict[ChatKey, int] = {}
            self._chat_info: dict[ChatKey, JSON] = {}
            self._blocked: dict[ChatKey, str] = {}
            self._failures: deque[ApiError] = deque()
            self.per_second: float | None = None
            self.per_chat_per_second: float | None = None
            self._window: deque[float] = deque()
            self._chat_last: dict[ChatKey, float] = {}
            self.delay_seconds = 0.0
            self.webhook: JSON = {"url": ""}
            self._webhook_attempts: Counter[int] = Counter()
            self._updates: list[JSON] = []
            self._next_update_id = 1
            self._allowed_updates: list[str] = []
            self._commands: dict[str, list[JSON]] = {}
            self._files: dict[str, tuple[str, bytes]] = {}
            self._file_counter = itertools.count(1)
            self._callback_queries: list[str] = []
            self._answered: set[str] = set()

    def block(self, chat_id: ChatKey, description: str | None = None) -> None:
        """Make every sending call to ``chat_id`` answer 403 (bot blocked / kicked)."""
        key = _normalise_chat(chat_id)
        if key is None:
            raise ValueError(f"invalid chat_id {chat_id!r}")
        if description is None:
            private = isinstance(key, int) and key > 0
            description = (
                "Forbidden: bot was blocked by the user"
                if private
                else "Forbidden: bot was kicked from the group chat"
            )
        with self.lock:
            self._blocked[key] = description

    def unblock(self, chat_id: ChatKey) -> None:
        """Undo :meth:`block`."""
        with self.lock:
            self._blocked.pop(_normalise_chat(chat_id) or 0, None)

    def fail_next(
        self,
        n: int = 1,
        code: int = 429,
        retry_after: int = 1,
        description: str | None = None,
    ) -> None:
        """Answer the next ``n`` sending calls with an error (429 with ``retry_after``, 5xx...)."""
        if code == 429:
            error = ApiError(
                429,
                description or f"Too Many Requests: retry after {retry_after}",
                {"retry_after": retry_after},
            )
        else:
            error = ApiError(code, description or _ERROR_DESCRIPTIONS.get(code, "Error"))
        with self.lock:
            self._failures.extend(error for _ in range(n))

    def clear_failures(self) -> None:
        """Forget the failures `fail_next` still had to give (Telegram is back)."""
        with self.lock:
            self._failures.clear()

    def set_rate_limit(
        self, per_second: float | None = 30, per_chat_per_second: float | None = None
    ) -> None:
        """Limit accepted sending calls: ``per_second`` in any 1 s window, and per chat."""
        with self.lock:
            self.per_second = per_second
            self.per_chat_per_second = per_chat_per_second
            self._window.clear()
            self._chat_last.clear()

    def push_update(self, update: JSON) -> int:
        """Queue an update for ``getUpdates`` / the webhook; returns its ``update_id``."""
        update = copy.deepcopy(update)
        with self.lock:
            if "update_id" not in update:
                update["update_id"] = self._next_update_id
            update_id = int(update["update_id"])
            self._next_update_id = max(self._next_update_id, update_id + 1)
            self._learn(update)
            query = update.get("callback_query")
            if isinstance(query, dict) and query.get("id"):
                self._callback_queries.append(str(query["id"]))
            self._updates.append(update)
            self._updates.sort(key=lambda u: int(u["update_id"]))
        if self.on_update is not None:
            self.on_update()
        return update_id

    def next_message_id(self, chat_id: ChatKey) -> int:
        """Allocate the next message id in a chat (ids are shared by user and bot messages)."""
        key = _normalise_chat(chat_id)
        if key is None:
            raise ValueError(f"invalid chat_id {chat_id!r}")
        with self.lock:
            self._next_message_id[key] = self._next_message_id.get(key, 0) + 1
            return self._next_message_id[key]

    def add_file(self, file_id: str, data: bytes, file_path: str | None = None) -> None:
        """Register bytes served for ``getFile(file_id)`` and the file download URL."""
        with self.lock:
            path = file_path or f"documents/file_{next(self._file_counter)}"
            self._files[file_id] = (path, data)

    def file_bytes(self, file_path: str) -> bytes | None:
        """The bytes served at ``/file/bot<token>/<file_path>``."""
        with self.lock:
            for path, data in self._files.values():
                if path == file_path:
                    return data
        return None

    # --------------------------------------------------------------- queries

    def messages(self, chat_id: ChatKey) -> list[str]:
        """Texts (or captions) successfully sent to ``chat_id``, oldest first."""
        key = _normalise_chat(chat_id)
        with self.lock:
            return [_text_of(m) for m in self._sent if m["chat"]["id"] == key]

    @property
    def sent(self) -> list[JSON]:
        """Every successfully sent message (as returned to the bot), oldest first."""
        with self.lock:
            return copy.deepcopy(self._sent)

    def last_message(self, chat_id: ChatKey) -> JSON | None:
        """The last message sent to ``chat_id`` as it is now (edits applied, any reply_markup)."""
        key = _normalise_chat(chat_id)
        with self.lock:
            message_id = self._last_sent.get(key) if key is not None else None
            if message_id is None or key is None:
                return None
            return copy.deepcopy(self._messages[key][message_id])

    def chat_view(self, chat_id: ChatKey) -> list[JSON]:
        """What the user sees: the bot's messages in the chat, edits applied, deletions removed."""
        key = _normalise_chat(chat_id)
        with self.lock:
            stored = self._messages.get(key, {}) if key is not None else {}
            return [
                copy.deepcopy(m)
                for message_id, m in sorted(stored.items())
                if (key, message_id) not in self._deleted and m.get("from", {}).get("is_bot")
            ]

    def find_message(self, chat_id: ChatKey, message_id: int | None = None) -> JSON | None:
        """A stored message by id, or the last one sent to the chat when ``message_id`` is None."""
        if message_id is None:
            return self.last_message(chat_id)
        key = _normalise_chat(chat_id)
        with self.lock:
            found = self._messages.get(key, {}).get(message_id) if key is not None else None
            return copy.deepcopy(found)

    def count(self, method: str | None = None, *, ok: bool | None = None) -> int:
        """Number of recorded calls (to ``method``, case-insensitive; only ok/failed if given)."""
        wanted = method.lower() if method else None
        with self.lock:
            return sum(
                1
                for c in self.calls
                if (wanted is None or c.method.lower() == wanted) and (ok is None or c.ok == ok)
            )

    def calls_to(self, method: str) -> list[Call]:
        """Recorded calls to ``method`` (case-insensitive), oldest first."""
        wanted = method.lower()
        with self.lock:
            return [c for c in self.calls if c.method.lower() == wanted]

    def unanswered_callbacks(self) -> list[str]:
        """Ids of pushed callback queries never answered (the user still sees a spinner)."""
        with self.lock:
            return [q for q in self._callback_queries if q not in self._answered]

    def count_per_chat(self) -> dict[ChatKey, int]:
        """Successfully sent messages per chat."""
        with self.lock:
            return dict(Counter(m["chat"]["id"] for m in self._sent))

    def duplicates(self) -> dict[tuple[ChatKey, str], int]:
        """(chat, text) pairs sent more than once, with how often they were sent."""
        with self.lock:
            counts: Counter[tuple[ChatKey, str]] = Counter(
                (m["chat"]["id"], _text_of(m)) for m in self._sent
            )
        return {pair: n for pair, n in counts.items() if n > 1}

    def max_in_any_window(self, window: float = 1.0, methods: Iterable[str] | None = None) -> int:
        """Most successful sending calls (or ``methods``) within any ``window`` seconds."""
        names = {m.lower() for m in (methods or SENDING_METHODS)}
        with self.lock:
            times = sorted(c.at for c in self.calls if c.ok and c.method.lower() in names)
        best = 0
        start = 0
        for end, t in enumerate(times):
            while t - times[start] >= window:
                start += 1
            best = max(best, end - start + 1)
        return best

    def stats(self) -> JSON:
        """Counts for benchmarks (served at ``GET /_stats``)."""
        with self.lock:
            calls = Counter(c.method for c in self.calls)
            errors = Counter(str(c.status) for c in self.calls if not c.ok)
            sent = len(self._sent)
            chats = len({m["chat"]["id"] for m in self._sent})
            pending = len(self._updates)
        return {
            "calls": dict(calls),
            "total": sum(calls.values()),
            "errors": dict(errors),
            "sent": sent,
            "chats": chats,
            "duplicates": sum(n - 1 for n in self.duplicates().values()),
            "max_per_second": self.max_in_any_window(1.0),
            "pending_updates": pending,
        }

    # ------------------------------------------------------------- recording

    def record(self, method: str, params: JSON, status: int, response: JSON, at: float) -> None:
        """Append a :class:`Call` to :attr:`calls`."""
        with self.lock:
            self.calls.append(Call(method, params, at, status, response))

    # -------------------------------------------------------------- dispatch

    def canonical(self, method: str) -> str | None:
        """The Bot API spelling of ``method`` (Telegram ignores case), or None if unknown."""
        return _HANDLERS.get(method.lower())

    def handle(self, method: str, params: JSON, now: float | None = None) -> tuple[int, JSON]:
        """Answer one call and record it; returns (HTTP status, body). Never blocks."""
        now = time.monotonic() if now is None else now
        name = self.canonical(method)
        with self.lock:
            try:
                if name is None:
                    raise ApiError(404, "Not Found")
                if name in SENDING_METHODS and self._failures:
                    raise self._failures.popleft()
                if name == "getUpdates":  # without waiting; the HTTP server long-polls
                    offset, limit, _, _ = self.start_poll(params)
                    result: Any = self.poll(offset, limit)
                else:
                    result = _HANDLER_FUNCS[name](self, params, now)
                status, body = 200, {"ok": True, "result": result}
            except ApiError as exc:
                status, body = exc.code, exc.body()
            self.calls.append(Call(name or method, params, now, status, body))
        return status, body

    # ------------------------------------------------------------- getUpdates

    def start_poll(self, params: JSON) -> tuple[int, int, float, int]:
        """Validate a ``getUpdates`` call; returns (offset, limit, timeout, poll generation)."""
        with self.lock:
            if self.webhook["url"]:
                raise ApiError(
                    409,
                    "Conflict: can't use getUpdates method while webhook is active; "
                    "use deleteWebhook to delete the webhook first",
                )
            offset = _int_param(params, "offset", 0)
            limit = min(max(_int_param(params, "limit", 100), 1), 100)
            timeout = max(float(_int_param(params, "timeout", 0)), 0.0)
            allowed = params.get("allowed_updates")
            if isinstance(allowed, list):
                self._allowed_updates = [str(a) for a in allowed]
            self.poll_generation += 1
            return offset, limit, timeout, self.poll_generation

    def poll(self, offset: int, limit: int) -> list[JSON]:
        """Confirm updates before ``offset`` and return up to ``limit`` pending ones."""
        with self.lock:
            if offset < 0:
                self._updates = self._updates[offset:]
            elif offset:
                self._updates = [u for u in self._updates if int(u["update_id"]) >= offset]
            allowed = set(self._allowed_updates)
            kept = [
                u
                for u in self._updates
                if (update_type(u) in allowed)
                or (not allowed and update_type(u) not in _DEFAULT_UPDATE_TYPES_EXCLUDED)
            ]
            self._updates = kept
            return copy.deepcopy(kept[:limit])

    # ---------------------------------------------------------------- webhook

    def next_webhook_job(self) -> tuple[str, str | None, JSON] | None:
        """The next update to POST to the webhook: (url, secret token, update), if any."""
        with self.lock:
            if not self.webhook["url"] or not self._updates or self.closing:
                return None
            return self.webhook["url"], self.webhook.get("secret_token"), self._updates[0]

    def webhook_result(
        self, update_id: int, status: int, error: str | None, max_attempts: int = 3
    ) -> None:
        """Record a delivery attempt; drop the update when delivered or after ``max_attempts``."""
        with self.lock:
            self.deliveries.append(Delivery(update_id, status, time.monotonic(), error))
            if error is not None:
                self.webhook["last_error_date"] = int(time.time())
                self.webhook["last_error_message"] = error
                self._webhook_attempts[update_id] += 1
                if self._webhook_attempts[update_id] < max_attempts:
                    return
            self._updates = [u for u in self._updates if int(u["update_id"]) != update_id]

    # -------------------------------------------------------------- internals

    def _learn(self, update: JSON) -> None:
        """Remember chats and message ids seen in a pushed update."""
        for key in _MESSAGE_KEYS:
            if isinstance(update.get(key), dict):
                self._learn_message(update[key])
        query = update.get("callback_query")
        if isinstance(query, dict) and isinstance(query.get("message"), dict):
            message = query["message"]
            self._learn_message(message)
            chat = _normalise_chat(message.get("chat", {}).get("id"))
            message_id = message.get("message_id")
            if (
                chat is not None
                and isinstance(message_id, int)
                and message.get("from", {}).get("is_bot")
            ):
                self._messages.setdefault(chat, {}).setdefault(message_id, copy.deepcopy(message))
        member = update.get("my_chat_member") or update.get("chat_member")
        if isinstance(member, dict) and isinstance(member.get("chat"), dict):
            self._remember_chat(member["chat"])

    def _learn_message(self, message: JSON) -> None:
        chat = message.get("chat")
        if not isinstance(chat, dict):
            return
        key = self._remember_chat(chat)
        message_id = message.get("message_id")
        if key is not None and isinstance(message_id, int):
            self._next_message_id[key] = max(self._next_message_id.get(key, 0), message_id)

    def _remember_chat(self, chat: JSON) -> ChatKey | None:
        key = _normalise_chat(chat.get("id"))
        if key is not None:
            self._chat_info[key] = copy.deepcopy(chat)
            if isinstance(chat.get("username"), str):
                self._chat_info["@" + chat["username"]] = copy.deepcopy(chat)
        return key

    def _chat(self, params: JSON) -> ChatKey:
        raw = params.get("chat_id")
        if raw is None or raw == "":
            raise ApiError(400, "Bad Request: chat_id is empty")
        key = _normalise_chat(raw)
        if key is None or key == 0 or (isinstance(key, str) and not key.startswith("@")):
            raise ApiError(400, "Bad Request: chat not found")
        if isinstance(key, str):
            info = self._chat_info.get(key)
            if info is None:
                raise ApiError(400, "Bad Request: chat not found")
            return int(info["id"])
        return key

    def _chat_object(self, key: ChatKey) -> JSON:
        known = self._chat_info.get(key)
        if known is not None:
            return copy.deepcopy(known)
        if isinstance(key, int) and key > 0:
            return {"id": key, "first_name": "User", "type": "private"}
        if isinstance(key, int) and key <= -1_000_000_000_000:
            return {"id": key, "title": f"Group {key}", "type": "supergroup"}
        return {"id": key, "title": f"Group {key}", "type": "group"}

    def _gate(self, key: ChatKey, now: float, *, rate_limited: bool = True) -> None:
        """Refuse blocked chats and rate-limit excess; count the call when it passes."""
        blocked = self._blocked.get(key)
        if blocked is not None:
            raise ApiError(403, blocked)
        if not rate_limited:
            return
        while self._window and now - self._window[0] >= 1.0:
            self._window.popleft()
        if self.per_second is not None and len(self._window) >= self.per_second:
            _too_many(self._window[0] + 1.0 - now)
        if self.per_chat_per_second:
            last = self._chat_last.get(key)
            interval = 1.0 / self.per_chat_per_second
            if last is not None and now - last < interval:
                _too_many(last + interval - now)
        self._window.append(now)
        self._chat_last[key] = now

    def _render(self, params: JSON, field_name: str, entities_field: str) -> tuple[str, JSON]:
        """Render text/caption with ``parse_mode``; returns (text, extra message fields)."""
        raw = params.get(field_name)
        text = "" if raw is None else str(raw)
        parse_mode = params.get("parse_mode")
        if parse_mode is not None and not isinstance(parse_mode, str):
            raise ApiError(400, "Bad Request: unsupported parse_mode")
        try:
            rendered, entities = render(text, parse_mode or None)
        except EntityParseError as exc:
            raise ApiError(400, f"Bad Request: can't parse entities: {exc}") from None
        except ValueError:
            raise ApiError(400, "Bad Request: unsupported parse_mode") from None
        if not parse_mode and isinstance(params.get(entities_field), list):
            entities = params[entities_field]
        extra: JSON = {entities_field: entities} if entities else {}
        return rendered, extra

    def _text(self, params: JSON) -> tuple[str, JSON]:
        text, extra = self._render(params, "text", "entities")
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if utf16_len(text) > 4096:
            raise ApiError(400, "Bad Request: message is too long")
        return text, extra

    def _caption(self, params: JSON) -> JSON:
        if params.get("caption") in (None, ""):
            return {}
        caption, extra = self._render(params, "caption", "caption_entities")
        if utf16_len(caption) > 1024:
            raise ApiError(400, "Bad Request: message caption is too long")
        return {"caption": caption, **extra}

    def _store(self, key: ChatKey, message: JSON) -> JSON:
        """Store a new bot message and return the object Telegram answers with."""
        self._messages.setdefault(key, {})[message["message_id"]] = message
        self._last_sent[key] = message["message_id"]
        return _public(message)

    def _new_message(self, key: ChatKey, params: JSON, now: float, content: JSON) -> JSON:
        self._next_message_id[key] = message_id = self._next_message_id.get(key, 0) + 1
        message: JSON = {
            "message_id": message_id,
            "from": dict(self.bot_user),
            "chat": self._chat_object(key),
            "date": int(time.time()),
        }
        reply_to = _reply_to_id(params)
        if reply_to is not None:
            original = self._messages.get(key, {}).get(reply_to)
            message["reply_to_message"] = (
                _public(original)
                if original
                else {
                    "message_id": reply_to,
                    "chat": self._chat_object(key),
                    "date": int(time.time()),
                }
            )
        message.update(content)
        markup = _validate_markup(params.get("reply_markup"))
        if markup is not None:
            message["reply_markup"] = markup
        self._sent.append(_public(message, keep_markup=True))
        return self._store(key, message)

    def _editable(self, params: JSON, now: float) -> tuple[ChatKey, int, JSON] | None:
        """Resolve the message an edit targets; None for inline messages."""
        if params.get("inline_message_id"):
            return None
        key = self._chat(params)
        message_id = _int_param(params, "message_id", 0)
        if message_id <= 0:
            raise ApiError(400, "Bad Request: message identifier is not specified")
        if (key, message_id) in self._deleted:
            raise ApiError(400, "Bad Request: message to edit not found")
        current = self._messages.get(key, {}).get(message_id)
        if current is None:
            current = {
                "message_id": message_id,
                "from": dict(self.bot_user),
                "chat": self._chat_object(key),
                "date": int(time.time()),
            }
        return key, message_id, current

    def _replace(self, key: ChatKey, message_id: int, message: JSON) -> JSON:
        message["edit_date"] = int(time.time())
        self._messages.setdefault(key, {})[message_id] = message
        return _public(message)

    # ------------------------------------------------------------ Bot methods

    def _m_getMe(self, params: JSON, now: float) -> Any:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _m_logOut(self, params: JSON, now: float) -> Any:
        return True

    def _m_close(self, params: JSON, now: float) -> Any:
        return True

    def _m_sendMessage(self, params: JSON, now: float) -> Any:
        key = self._chat(params)
        text, extra = self._text(params)
        _validate_markup(params.get("reply_markup"))
        self._gate(key, now)
        return self._new_message(key, params, now, {"text": text, **extra})

    def _send_media(self, method: str, params: JSON, now: float) -> Any:
        key = self._chat(params)
        field_name = _MEDIA_FIELDS[method]
        media = params.get(field_name)
        if media in (None, ""):
            raise ApiError(400, f"Bad Request: there is no {field_name} in the request")
        caption = self._caption(params) if method != "sendSticker" else {}
        _validate_markup(params.get("reply_markup"))
        self._gate(key, now)
        file_id = self._file_id(media, field_name)
        unique = f"AQAD{file_id[-8:]}"
        content: JSON
        if field_name == "photo":
            content = {
                "photo": [
                    {
                        "file_id": f"{file_id}-{w}",
                        "file_unique_id": f"{unique}{w}",
                        "width": w,
                        "height": h,
                        "file_size": w * h // 10,
                    }
                    for w, h in ((90, 67), (320, 240), (1280, 960))
                ]
            }
        else:
            obj: JSON = {"file_id": file_id, "file_unique_id": unique}
            if isinstance(media, UploadedFile):
                obj["file_size"] = len(media.data)
                if media.filename and field_name == "document":
                    obj["file_name"] = media.filename
                obj["mime_type"] = media.content_type
            if field_name == "sticker":
                obj.update(width=512, height=512, type="regular", is_animated=False, is_video=False)
            content = {field_name: obj}
        return self._new_message(key, params, now, {**content, **caption})

    def _file_id(self, media: Any, field_name: str) -> str:
        if isinstance(media, str) and not media.startswith(("http://", "https://", "attach://")):
            return media
        number = next(self._file_counter)
        file_id = f"BQACAgUAAxkBAAI{number:08d}"
        data = media.data if isinstance(media, UploadedFile) else _FAKE_JPEG
        self._files[file_id] = (f"{field_name}s/file_{number}", data)
        return file_id

    def _m_sendPhoto(self, params: JSON, now: float) -> Any:
        return self._send_media("sendPhoto", params, now)

    def _m_sendDocument(self, params: JSON, now: float) -> Any:
        return self._send_media("sendDocument", params, now)

    def _m_sendAudio(self, params: JSON, now: float) -> Any:
        return self._send_media("sendAudio", params, now)

    def _m_sendVideo(self, params: JSON, now: float) -> Any:
        return self._send_media("sendVideo", params, now)

    def _m_sendVoice(self, params: JSON, now: float) -> Any:
        return self._send_media("sendVoice", params, now)

    def _m_sendAnimation(self, params: JSON, now: float) -> Any:
        return self._send_media("sendAnimation", params, now)

    def _m_sendSticker(self, params: JSON, now: float) -> Any:
        return self._send_media("sendSticker", params, now)

    def _m_sendVideoNote(self, params: JSON, now: float) -> Any:
        return self._send_media("sendVideoNote", params, now)

    def _m_sendLocation(self, params: JSON, now: float) -> Any:
        key = self._chat(params)
        try:
            location = {
                "latitude": float(params["latitude"]),
                "longitude": float(params["longitude"]),
            }
        except (KeyError, TypeError, ValueError):
            raise ApiError(400, "Bad Request: wrong latitude or longitude") from None
        self._gate(key, now)
        return self._new_message(key, params, now, {"location": location})

    def _m_sendContact(self, params: JSON, now: float) -> Any:
        key = self._chat(params)
        if not params.get("phone_number") or not params.get("first_name"):
            raise ApiError(400, "Bad Request: phone number or first name is empty")
        self._gate(key, now)
        contact = {k: params[k] for k in ("phone_number", "first_name", "last_name") if k in params}
        return self._new_message(key, params, now, {"contact": contact})

    def _m_editMessageText(self, params: JSON, now: float) -> Any:
        text, extra = self._text(params)
        markup = _validate_markup(params.get("reply_markup"))
        target = self._editable(params, now)
        if target is None:
            return True
        key, message_id, current = target
        if "text" not in current and message_id in self._messages.get(key, {}):
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        if (
            current.get("text") == text
            and current.get("entities", []) == extra.get("entities", [])
            and _inline_markup(current) == markup
        ):
            raise ApiError(400, _NOT_MODIFIED)
        self._gate(key, now)
        updated = {k: v for k, v in current.items() if k not in ("entities", "reply_markup")}
        updated.update(text=text, **extra)
        if markup is not None:
            updated["reply_markup"] = markup
        return self._replace(key, message_id, updated)

    def _m_editMessageCaption(self, params: JSON, now: float) -> Any:
        caption = self._caption(params)
        markup = _validate_markup(params.get("reply_markup"))
        target = self._editable(params, now)
        if target is None:
            return True
        key, message_id, current = target
        if current.get("caption") == caption.get("caption") and _inline_markup(current) == markup:
            raise ApiError(400, _NOT_MODIFIED)
        self._gate(key, now)
        updated = {
            k: v
            for k, v in current.items()
            if k not in ("caption", "caption_entities", "reply_markup")
        }
        updated.update(caption)
        if markup is not None:
            updated["reply_markup"] = markup
        return self._replace(key, message_id, updated)

    def _m_editMessageReplyMarkup(self, params: JSON, now: float) -> Any:
        markup = _validate_markup(params.get("reply_markup"))
        target = self._editable(params, now)
        if target is None:
            return True
        key, message_id, current = target
        if _inline_markup(current) == markup:
            raise ApiError(400, _NOT_MODIFIED)
        self._gate(key, now)
        updated = {k: v for k, v in current.items() if k != "reply_markup"}
        if markup is not None:
            updated["reply_markup"] = markup
        return self._replace(key, message_id, updated)

    def _m_deleteMessage(self, params: JSON, now: float) -> Any:
        key = self._chat(params)
        message_id = _int_param(params, "message_id", 0)
        if message_id <= 0 or (key, message_id) in self._deleted:
            raise ApiError(400, "Bad Request: message to delete not found")
        self._gate(key, now, rate_limited=False)
        self._deleted.add((key, message_id))
        return True

    def _m_sendChatAction(self, params: JSON, now: float) -> Any:
        key = self._chat(params)
        if params.get("action") not in _CHAT_ACTIONS:
            raise ApiError(400, "Bad Request: wrong parameter action in request")
        self._gate(key, now, rate_limited=False)
        return True

    def _m_answerCallbackQuery(self, params: JSON, now: float) -> Any:
        if not params.get("callback_query_id"):
            raise ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        if len(str(params.get("text") or "")) > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        self._answered.add(str(params["callback_query_id"]))
        return True

    def _m_getChat(self, params: JSON, now: float) -> Any:
        key = self._chat(params)
        return {**self._chat_object(key), "accent_color_id": 0, "max_reaction_count": 11}

    def _m_getFile(self, params: JSON, now: float) -> Any:
        file_id = params.get("file_id")
        if not isinstance(file_id, str) or not file_id:
            raise ApiError(400, "Bad Request: invalid file_id")
        if file_id not in self._files:
            self._files[file_id] = (f"photos/file_{next(self._file_counter)}.jpg", _FAKE_JPEG)
        path, data = self._files[file_id]
        return {
            "file_id": file_id,
            "file_unique_id": f"AQAD{file_id[-8:]}",
            "file_size": len(data),
            "file_path": path,
        }

    def _m_setWebhook(self, params: JSON, now: float) -> Any:
        url = str(params.get("url") or "")
        if not url:
            return self._m_deleteWebhook(params, now)
        if not url.startswith(("http://", "https://")):
            raise ApiError(400, "Bad Request: bad webhook: Failed to resolve host")
        secret = params.get("secret_token")
        if secret is not None:
            secret = str(secret)
            if not 1 <= len(secret) <= 256 or not all(
                ch.isascii() and (ch.isalnum() or ch in "_-") for ch in secret
            ):
                raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        if params.get("drop_pending_updates") in (True, "true"):
            self._updates.clear()
        self.webhook = {"url": url, "max_connections": _int_param(params, "max_connections", 40)}
        if secret is not None:
            self.webhook["secret_token"] = secret
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = [str(a) for a in allowed]
        self._webhook_attempts.clear()
        if self.on_update is not None:
            self.on_update()
        return True

    def _m_deleteWebhook(self, params: JSON, now: float) -> Any:
        if params.get("drop_pending_updates") in (True, "true"):
            self._updates.clear()
        self.webhook = {"url": ""}
        return True

    def _m_getWebhookInfo(self, params: JSON, now: float) -> Any:
        info: JSON = {
            "url": self.webhook["url"],
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self.webhook["url"]:
            info["ip_address"] = "127.0.0.1"
            info["max_connections"] = self.webhook["max_connections"]
            if self._allowed_updates:
                info["allowed_updates"] = list(self._allowed_updates)
            for key in ("last_error_date", "last_error_message"):
                if key in self.webhook:
                    info[key] = self.webhook[key]
        return info

    def _m_setMyCommands(self, params: JSON, now: float) -> Any:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise ApiError(400, "Bad Request: can't parse commands JSON object")
        for command in commands:
            name = command.get("command", "") if isinstance(command, dict) else ""
            name = name.removeprefix("/")
            if not 1 <= len(name) <= 32 or not all(
                ch.isascii() and (ch.islower() or ch.isdigit() or ch == "_") for ch in name
            ):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            description = command.get("description", "")
            if not isinstance(description, str) or not 1 <= len(description) <= 256:
                raise ApiError(400, "Bad Request: command description is empty")
        self._commands[_commands_key(params)] = [
            {"command": c["command"].removeprefix("/"), "description": c["description"]}
            for c in commands
        ]
        return True

    def _m_getMyCommands(self, params: JSON, now: float) -> Any:
        return copy.deepcopy(self._commands.get(_commands_key(params), []))

    def _m_deleteMyCommands(self, params: JSON, now: float) -> Any:
        self._commands.pop(_commands_key(params), None)
        return True

    def _m_setMyDescription(self, params: JSON, now: float) -> Any:
        return True

    def _m_setMyShortDescription(self, params: JSON, now: float) -> Any:
        return True

    def _m_setChatMenuButton(self, params: JSON, now: float) -> Any:
        return True


def _text_of(message: JSON) -> str:
    """A message's text, or its caption, or "" (media without caption)."""
    return str(message.get("text") or message.get("caption") or "")


def _too_many(wait: float) -> None:
    retry_after = max(1, math.ceil(wait))
    raise ApiError(
        429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
    )


def _int_param(params: JSON, name: str, default: int) -> int:
    value = params.get(name, default)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ApiError(400, f"Bad Request: invalid {name} specified") from None


def _reply_to_id(params: JSON) -> int | None:
    reply = params.get("reply_parameters")
    if isinstance(reply, dict) and isinstance(reply.get("message_id"), int):
        return int(reply["message_id"])
    legacy = params.get("reply_to_message_id")
    return int(legacy) if isinstance(legacy, int) else None


def _commands_key(params: JSON) -> str:
    scope = params.get("scope")
    scope_type = scope.get("type", "default") if isinstance(scope, dict) else "default"
    chat = scope.get("chat_id", "") if isinstance(scope, dict) else ""
    return f"{scope_type}:{chat}:{params.get('language_code') or ''}"


def _inline_markup(message: JSON) -> JSON | None:
    markup = message.get("reply_markup")
    return markup if isinstance(markup, dict) and "inline_keyboard" in markup else None


def _public(message: JSON, *, keep_markup: bool = False) -> JSON:
    """The message as Telegram returns it: only inline keyboards are echoed back."""
    result = copy.deepcopy(message)
    markup = result.get("reply_markup")
    if not keep_markup and isinstance(markup, dict) and "inline_keyboard" not in markup:
        del result["reply_markup"]
    return result


def _keyboard_rows(markup: JSON, field: str) -> list[Any]:
    """The buttons of ``markup[field]``, a list of rows, or the error Telegram gives."""
    rows = markup[field]
    if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
        raise ApiError(400, f'Bad Request: field "{field}" must be an Array')
    return list(itertools.chain.from_iterable(rows))


def _validate_reply_button(button: Any) -> None:
    text = button.get("text") if isinstance(button, dict) else button
    if not isinstance(text, str) or not text:
        raise ApiError(400, "Bad Request: can't parse keyboard button: text is empty")


def _validate_markup(markup: Any) -> JSON | None:
    """Validate ``reply_markup`` like Telegram; returns the decoded markup (or None)."""
    if markup is None or markup == "":
        return None
    if not isinstance(markup, dict):
        raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        buttons = _keyboard_rows(markup, "inline_keyboard")
        if len(buttons) > 100:
            raise ApiError(400, "Bad Request: reply markup is too long")
        for button in buttons:
            _validate_inline_button(button)
    elif "keyboard" in markup:
        for button in _keyboard_rows(markup, "keyboard"):
            _validate_reply_button(button)
    elif not (markup.get("remove_keyboard") or markup.get("force_reply")):
        raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    return copy.deepcopy(markup)


_INLINE_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)


def _validate_inline_button(button: Any) -> None:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise ApiError(400, "Bad Request: can't parse inline keyboard button: Text is empty")
    if not button["text"]:
        raise ApiError(400, "Bad Request: BUTTON_TEXT_EMPTY")
    if not any(key in button for key in _INLINE_ACTIONS):
        raise ApiError(
            400,
            "Bad Request: can't parse inline keyboard button: "
            "Text buttons are unallowed in the inline keyboard",
        )
    if "callback_data" in button:
        data = button["callback_data"]
        size = len(data.encode("utf-8")) if isinstance(data, str) else 0
        if not 1 <= size <= 64:
            raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
    if "url" in button and not str(button["url"]).startswith(("http://", "https://", "tg://")):
        raise ApiError(400, "Bad Request: BUTTON_URL_INVALID")


_HANDLER_FUNCS: dict[str, Callable[[TelegramState, JSON, float], Any]] = {
    name[3:]: func
    for name, func in vars(TelegramState).items()
    if name.startswith("_m_") and callable(func)
}
_HANDLERS: dict[str, str] = {name.lower(): name for name in [*_HANDLER_FUNCS, "getUpdates"]}
