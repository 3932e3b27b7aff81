"""Process one Telegram update: de-duplicate, order per chat, run the engine, deliver replies.

Durability: the new state and the replies it produced are written in one save *before*
anything is sent, together with the update id (so a redelivered update is recognised). Replies
leave the outbox only once Telegram accepted them; what could not be sent is retried by
`flush_pending`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, Protocol

from telegram.error import TelegramError

from conversations.effects import Effect
from conversations.engine import Engine, Outcome
from conversations.messages import Reply
from conversations.session import Session
from handlers.chat_state import ChatState, UnknownStateVersion
from handlers.delivery.outcomes import REPLIES, Kind, classify
from handlers.delivery.outcomes import Outcome as Answer
from handlers.render import answer_callback, outbox_item, send_message
from handlers.updates import Envelope, parse_update
from storage.infra.db import unavailable
from storage.infra.state import HeldChat, StateStore

log = logging.getLogger(__name__)

RECENT_UPDATES = 50
LONG_TEXT = 300  # characters above which a turn runs in a thread (FAQ matching of long texts)
SENT_LATELY = 10_000  # outbox item ids remembered per process (a few minutes of traffic)
# What a failure outside Telegram's answers counts as: a retry after the replies' wait.
RETRY_SOON = Answer(Kind.RETRY, "not sent")
MAX_EFFECTS_PER_TURN = 4


class UpdateHeld(Exception):
    """The update could not be handled now (the database is away) and must be delivered again."""

    def __init__(self, update_id: int) -> None:
        super().__init__(f"update {update_id} held until the database is back")
        self.update_id = update_id


class BotApi(Protocol):
    """Makes one Bot API call; raises `telegram.error` exceptions like Telegram's answers."""

    async def call(self, method: str, params: dict[str, Any]) -> Any: ...


class ChatDirectory(Protocol):
    """Who can be reached for broadcasts: seen, blocked, opted out (storage.repos.chats)."""

    def note_seen(
        self, chat_id: int, user_id: int | None, language: str, marker: str, *, again: bool = False
    ) -> bool:
        """Record (soon) that the chat wrote to us; True once stored for `marker`."""
        ...

    async def mark_blocked(self, chat_id: int) -> None: ...

    async def set_opted_out(self, chat_id: int, opted_out: bool) -> None: ...


# Performs an effect for the chat of an update; returns the effect's typed result (or None).
EffectRunner = Callable[[Effect, Envelope], Awaitable[Any]]


class UpdateProcessor:
    """Runs updates through the engine with per-chat ordering and an outbox per chat."""

    def __init__(
        self,
        engine: Engine,
        state: StateStore,
        perform: EffectRunner,
        api: BotApi,
        *,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        on_call: Callable[[str, str], None] | None = None,
        chats: ChatDirectory | None = None,
    ) -> None:
        self.chats = chats
        self.engine = engine
        self.state = state
        self.perform = perform
        self.api = api
        self.now = now
        self.on_call = on_call or (lambda method, result: None)
        # Outbox items this process had accepted by Telegram lately. When the state store
        # fails between a send and the write that removes it from the outbox (Redis going
        # away), the item is still queued: it is then dropped here instead of sent twice.
        self._sent_lately: OrderedDict[str, None] = OrderedDict()

    async def process(self, update: Any) -> str:
        """Handle one update; returns a short outcome label (for metrics and logs)."""
        env = parse_update(update)
        if env.chat_id is None:
            return "ignored"
        if env.chat_type != "private":
            return await self._not_private(env)
        async with self.state.hold(env.chat_id, order=env.update_id) as held:
            chat = ChatState.load(held.doc)
            recent = chat.recent
            label = "ignored"
            if env.update_id in recent:
                await self._flush(held, chat)
                return "duplicate"
            if env.blocked_us:
                chat.blocked = True
                chat.outbox = []
                if self.chats is not None:
                    await self.chats.mark_blocked(env.chat_id)
            elif env.incoming is not None:
                was_blocked, chat.blocked = chat.blocked, False
                opted_out = bool((chat.session or {}).get("opted_out"))
                label = await self._turn(env, chat)
                if label == "held":
                    await self._hold(held, chat, env)
                await self._directory(env, chat, was_blocked, opted_out)
            chat.recent = [*recent, env.update_id][-RECENT_UPDATES:]
            if chat.outbox:
                # Durable before anything is sent: a crash from here on loses no reply.
                await held.save(chat.dump())
                await self._flush(held, chat)
            else:
                held.save_last(chat.dump())
            return "blocked" if env.blocked_us else label

    async def _turn(self, env: Envelope, chat: ChatState) -> str:
        assert env.chat_id is not None and env.incoming is not None
        session = Session.from_dict(chat.session)
        today = self.now()
        label = "handled"
        try:
            if len(env.incoming.text) > LONG_TEXT:
                # Matching a long free text to the FAQ takes a while: in a thread (the engine is
                # pure), so that other chats' updates go on meanwhile.
                outcome = await asyncio.to_thread(self.engine.handle, session, env.incoming, today)
            else:
                outcome = self.engine.handle(session, env.incoming, today)
            for _ in range(MAX_EFFECTS_PER_TURN):
                if outcome.effect is None:
                    break
                result = await self.perform(outcome.effect, env)
                outcome = self.engine.resume(outcome.session, outcome.effect, result, today)
        except Exception as exc:
            outcome = Outcome(session, [])
            if unavailable(exc):
                # The database is away: the update is not acknowledged (Telegram delivers it
                # again, and it is handled then); the worker is told so once per outage.
                log.warning(
                    "update %s held: the database is unavailable (%s)",
                    env.update_id,
                    type(exc).__name__,
                )
                if chat.held_since is None:
                    chat.held_since = time.time()
                    outcome.replies.append(Reply(self.engine.ctx.t(session, "err.held")))
                label = "held"
            else:
                # The worker's answer is not taken: the session stays as it was and they are
                # asked to send it again. Only the update id is logged, never the content.
                log.exception("update %s failed", env.update_id)
                outcome.replies.append(Reply(self.engine.ctx.t(session, "err.internal")))
                label = "failed"
        else:
            chat.held_since = None
        if label == "held":
            chat.outbox.extend(send_message(env.chat_id, r, None) for r in outcome.replies)
            return label
        pending = chat.outbox
        if env.callback_id:
            pending.append(answer_callback(env.callback_id))
        nav = (
            self.engine.ctx.t(outcome.session, "button.back"),
            self.engine.ctx.t(outcome.session, "button.cancel"),
        )
        pending.extend(send_message(env.chat_id, reply, nav) for reply in outcome.replies)
        chat.outbox = pending
        chat.session = outcome.session.to_dict()
        return label

    async def _hold(self, held: HeldChat, chat: ChatState, env: Envelope) -> None:
        """Keep the update for Telegram to deliver again: its id is not recorded, the one-time
        notice is stored and sent, and `UpdateHeld` tells the webhook not to acknowledge."""
        await held.save(chat.dump())
        await self._flush(held, chat)
        await held.save(chat.dump())  # what was sent, durable before the hold ends in an error
        raise UpdateHeld(env.update_id)

    async def _directory(
        self, env: Envelope, chat: ChatState, was_blocked: bool, opted_out: bool
    ) -> None:
        """Keep the broadcast directory current: a chat's first update of the day, or a change."""
        if self.chats is None or env.chat_id is None:
            return
        # `_turn` just wrote the session as a dict: read the two fields, no second parse.
        session = chat.session or {}
        lang, now_opted_out = str(session.get("lang", "id")), bool(session.get("opted_out"))
        seen = f"{self.now().date().isoformat()}:{lang}"
        try:
            # Remembered only once stored: a crash before the write loses nothing.
            if (was_blocked or chat.seen != seen) and self.chats.note_seen(
                env.chat_id, env.user_id, lang, seen, again=was_blocked
            ):
                chat.seen = seen
            if now_opted_out != opted_out:
                await self.chats.set_opted_out(env.chat_id, now_opted_out)
        except Exception:  # the conversation goes on; the directory catches up next time
            log.warning("chat directory not updated for update %s", env.update_id, exc_info=True)

    async def _not_private(self, env: Envelope) -> str:
        """Groups and channels: answer a command once with a pointer to a private chat."""
        if env.is_command and env.chat_id is not None:
            text = self.engine.ctx.t(Session(), "group.private_only")
            item = outbox_item("sendMessage", {"chat_id": env.chat_id, "text": text})
            await self._send(item)
        return "not_private"

    async def flush_pending(self, limit: int = 100) -> int:
        """Send replies left in outboxes (after a Telegram error or a crash); returns chats done."""
        done = 0
        for chat_id in await self.state.chats_with_outbox(limit):
            async with self.state.hold(chat_id) as held:
                try:
                    chat = ChatState.load(held.doc)
                except UnknownStateVersion as exc:  # a newer release's: left to it
                    log.warning("outbox of chat %s not sent: %s", chat_id, exc)
                    continue
                if not chat.outbox:
                    continue
                if (chat.retry_at or 0) > time.time():
                    continue
                await self._flush(held, chat)
                done += 1
        return done

    async def _flush(self, held: HeldChat, chat: ChatState) -> None:
        """Send the outbox in order; what was sent or dropped is written as the hold ends."""
        pending = list(chat.outbox)
        if not pending:
            return
        before = len(pending)
        while pending:
            item = pending[0]
            if item.get("id") not in self._sent_lately:  # else sent, its removal not stored
                failed = await self._try_send(held.chat_id, chat, item)
                if failed == "stop":
                    break
                if failed == "drop_all":
                    pending = []
                    break
            pending.pop(0)
        pending = [item for item in pending if item.get("durable", True)]
        if len(pending) != before or chat.retry_at is not None:
            chat.outbox = pending
            if not pending:
                chat.retry_at = None
            held.save_last(chat.dump())

    async def _try_send(self, chat_id: int, chat: ChatState, item: dict[str, Any]) -> str:
        """Send one item: "" when it leaves the outbox (sent, or refused for good), "stop"
        when it and the rest wait for a retry, "drop_all" when the worker blocked the bot."""
        try:
            await self._send(item)
        except TelegramError as exc:
            outcome = classify(exc)
            if outcome.kind is Kind.REFUSED:
                # Permanent: retrying the same call can only fail again.
                log.warning("reply dropped: Telegram refused %s", item["method"])
                return ""
            if outcome.kind is Kind.BLOCKED:
                chat.blocked = True
                if self.chats is not None:
                    await self.chats.mark_blocked(chat_id)
                return "drop_all"
            chat.retry_at = time.time() + REPLIES.wait(outcome, 1).total_seconds()
            return "stop"
        except Exception:
            # Not Telegram's answer: the send rate's store (Redis) or the transport failed
            # before the call was made or answered. Like a network error: what was sent so far
            # leaves the outbox, the rest is retried, nothing escapes the loop.
            log.warning("reply to chat %s not sent now; retried soon", chat_id, exc_info=True)
            chat.retry_at = time.time() + REPLIES.wait(RETRY_SOON, 1).total_seconds()
            return "stop"
        return ""

    async def _send(self, item: dict[str, Any]) -> None:
        method = item["method"]
        try:
            await self.api.call(method, item["params"])
        except Exception as exc:
            self.on_call(method, type(exc).__name__)
            raise
        self.on_call(method, "ok")
        if "id" in item:
            self._sent_lately[item["id"]] = None
            if len(self._sent_lately) > SENT_LATELY:
                self._sent_lately.popitem(last=False)
