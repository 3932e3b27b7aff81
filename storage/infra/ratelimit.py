"""One send rate for the whole bot: at most N messages in any window, about one a second per chat.

Every sender reserves a *slot* (a moment to send) before a sending Bot API call. Slots are kept
in a log (a Redis sorted set, shared by all processes, changed by one Lua script per call; or a
list in the embedded twin): a new slot is at least `spacing` after the last one and never the
(N+1)th within `window` seconds. Replies may reserve any slot; broadcast ("bulk") senders only
one at most `bulk_lookahead` ahead, so a reply waits behind at most that much of a broadcast.
When Telegram has answered, the slot is *settled*: moved to the time the answer arrived, which
is after Telegram saw the call, so however late a call went out, the next window is counted
from when it really arrived. That time is measured on the sender's own clock, as the time
elapsed since the slot (a shared clock is not needed, and no round trip adds to it). The
spacing counts from the slots as reserved, so that answers' delays do not add up from one
message to the next; only the window does. A slot given back (the call was refused, so
Telegram counted no message) frees its place. A 429 sets a shared "paused until" that holds
every sender back.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from dataclasses import dataclass
from typing import Protocol

from redis.asyncio import Redis

from storage.infra.redis_pipe import PipelinedRedis, Script

REPLY_LOOKAHEAD = 3600.0
PAUSE_CHECK_AHEAD = 0.01
# A slot due this soon is taken at once, without looking at the pause again.
NO_WAIT = 0.001


@dataclass(frozen=True)
class RateLimits:
    """`per_window` messages in any `window` seconds; broadcasts send a chat one message each
    `chat_interval` seconds after a burst of `chat_burst`, counting replies (0: no such limit).
    Replies themselves are paced by the worker's own messages and never held back per chat.

    `margin` seconds are added to the window for clock granularity. Two slots are at least
    `spacing` apart: `spread` times closer than an even pace (see `spacing`).
    """

    per_window: int = 30
    window: float = 1.0
    margin: float = 0.002
    chat_interval: float = 1.0
    chat_burst: int = 3
    bulk_lookahead: float = 0.1
    spread: float = 1.3

    @property
    def span(self) -> float:
        return self.window + self.margin

    @property
    def spacing(self) -> float:
        # Closer than an even pace (span/per_window), so that the pace can catch up: a slot
        # given back (a refused call) or counted late (a late answer) would otherwise push every
        # later slot back for good. Not much closer, so that sends stay spread over the window
        # and its gap, which a reply may have to wait for, stays short.
        return self.span / (self.per_window * self.spread)


class SendLimiter(Protocol):
    """Reserve a slot before each sending call; give it back if Telegram refused the call."""

    async def acquire(self, chat: str | None, *, bulk: bool = False) -> str:
        """Wait for a slot for `chat` (None: no per-chat limit); returns its token."""
        ...

    async def settle(self, token: str) -> None:
        """Telegram answered the slot's call: count it from now (never earlier than its slot)."""

    async def release(self, token: str) -> None:
        """Give a slot back: its call was refused or not made."""

    async def pause(self, seconds: float) -> None:
        """Hold every sender back for `seconds` (Telegram's `retry_after`)."""

    async def paused_for(self) -> float:
        """Seconds until senders may go again (0 when not paused)."""
        ...

    async def close(self) -> None: ...


GRANTED, WAIT, WAIT_FOR_CHAT = 1, 0, 2
"""What `_try` says: the slot is reserved; try again later (window or pause); later, for this
chat only (others may go first)."""


class _Acquiring:
    """The waiting loop shared by both backends; `_try` reserves or says how long to wait.

    Broadcast senders of one process look for a slot one at a time (`_bulk_turn`), in the
    order they asked: the window frees one slot at a time, so many senders asking at once
    would only ask the shared limiter again and again for nothing.
    """

    limits: RateLimits
    _slots: dict[str, float]
    _bulk_turn: asyncio.Lock

    async def _try(self, chat: str | None, lookahead: float, token: str) -> tuple[int, float]:
        raise NotImplementedError

    async def release(self, token: str) -> None:
        raise NotImplementedError

    async def paused_for(self) -> float:
        raise NotImplementedError

    async def _reserve(self, chat: str | None, lookahead: float, token: str) -> tuple[int, float]:
        """Ask until the slot is reserved or only this chat has to wait: (answer, wait)."""
        while True:
            asked = time.monotonic()
            answer, wait = await self._try(chat, lookahead, token)
            if answer == GRANTED:
                # The slot on this process's clock, never later than the real one: the
                # limiter read its clock after `asked`. Settling counts from here.
                self._remember(token, asked + wait)
                return answer, wait
            if answer == WAIT_FOR_CHAT:
                return answer, wait
            await asyncio.sleep(max(wait, 0.001))

    async def acquire(self, chat: str | None, *, bulk: bool = False) -> str:
        lookahead = self.limits.bulk_lookahead if bulk else REPLY_LOOKAHEAD
        token = secrets.token_hex(8)
        while True:
            if bulk:
                async with self._bulk_turn:
                    answer, wait = await self._reserve(chat, lookahead, token)
            else:
                answer, wait = await self._reserve(chat, lookahead, token)
            if answer == WAIT_FOR_CHAT:
                await asyncio.sleep(max(wait, 0.001))
                continue
            if wait <= NO_WAIT:
                return token  # `_try` looked at the pause as it reserved: nothing in between
            # A 429 may arrive while this slot waits: look shortly before it is due, so that
            # the look-up does not delay the call itself.
            due = time.monotonic() + wait
            await asyncio.sleep(max(0.0, wait - PAUSE_CHECK_AHEAD))
            paused = await self.paused_for()
            if paused <= 0:
                await asyncio.sleep(max(0.0, due - time.monotonic()))
                return token
            # A 429 arrived while this slot was waiting: the slot is void, queue again.
            await self.release(token)
            await asyncio.sleep(paused)

    def _remember(self, token: str, slot: float) -> None:
        if len(self._slots) > 10_000:  # slots neither settled nor given back (cancelled calls)
            oldest = time.monotonic() - 600
            self._slots = {k: t for k, t in self._slots.items() if t > oldest}
        self._slots[token] = slot

    def _late(self, token: str) -> float | None:
        """Seconds from the slot to now on this process's clock; None for a slot not known."""
        slot = self._slots.pop(token, None)
        return None if slot is None else max(0.0, time.monotonic() - slot)

    def _forget(self, token: str) -> None:
        self._slots.pop(token, None)


class LocalSendLimiter(_Acquiring):
    """The embedded twin for one process (no Redis), with the same rules."""

    def __init__(self, limits: RateLimits | None = None) -> None:
        self.limits = limits or RateLimits()
        self._log: list[tuple[float, str]] = []
        self._last = 0.0  # the latest slot as reserved (settling moves only the log's copy)
        self._chats: dict[str, float] = {}
        self._paused_until = 0.0
        self._slots = {}
        self._bulk_turn = asyncio.Lock()

    def _now(self) -> float:
        return time.monotonic()

    async def _try(self, chat: str | None, lookahead: float, token: str) -> tuple[int, float]:
        limits, now = self.limits, self._now()
        if self._paused_until > now:
            return WAIT, self._paused_until - now
        per_chat = bool(chat) and limits.chat_burst > 0
        chat_tat = self._chats.get(chat, 0.0) if per_chat and chat else 0.0
        allowed = chat_tat - (limits.chat_burst - 1) * limits.chat_interval
        if per_chat and lookahead <= limits.bulk_lookahead and allowed > now:
            return WAIT_FOR_CHAT, allowed - now
        span = limits.span
        self._log = [entry for entry in self._log if entry[0] > now - span]
        slot = max(now, self._last + limits.spacing) if self._last else now
        times = sorted(t for t, _ in self._log if t > slot - span)
        if len(times) >= limits.per_window:
            slot = times[-limits.per_window] + span
        if slot - now > lookahead:
            return WAIT, slot - lookahead - now
        self._log.append((slot, token))
        self._last = max(self._last, slot)
        if per_chat and chat:
            self._chats[chat] = max(chat_tat, slot) + limits.chat_interval
            if len(self._chats) > 10_000:
                self._chats = {c: t for c, t in self._chats.items() if t > now}
        return GRANTED, slot - now

    async def settle(self, token: str) -> None:
        self._forget(token)
        now = self._now()
        self._log = [(max(t, now) if k == token else t, k) for t, k in self._log]

    async def release(self, token: str) -> None:
        self._forget(token)
        given_back = [t for t, k in self._log if k == token]
        self._log = [entry for entry in self._log if entry[1] != token]
        if given_back and given_back[0] >= self._last:  # the latest: its spacing is free again
            self._last = max((t for t, _ in self._log), default=0.0)

    async def pause(self, seconds: float) -> None:
        self._paused_until = max(self._paused_until, self._now() + seconds)

    async def paused_for(self) -> float:
        return max(0.0, self._paused_until - self._now())

    async def close(self) -> None:
        return None


# Times in microseconds of the Redis server clock (one clock for every process), written with
# %d: Lua would print large numbers with 14 significant digits.
# KEYS: log, pause, chat, last (the latest slot as reserved). ARGV: token, window, per_window,
# spacing, lookahead, chat_interval, chat_burst (0: no chat), hold (1: wait for the chat).
# Returns {1, wait} with the slot reserved, {0, wait} to try again later, or {2, wait} when
# only this chat has to wait.
_TRY = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local window, cap, spacing = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local lookahead, interval, burst = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local paused = tonumber(redis.call('GET', KEYS[2]) or '0')
if paused > now then return {0, paused - now} end
local chat_tat = 0
if burst > 0 then
  chat_tat = tonumber(redis.call('GET', KEYS[3]) or '0')
  local allowed = chat_tat - (burst - 1) * interval
  if ARGV[8] == '1' and allowed > now then return {2, allowed - now} end
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', string.format('%d', now - window))
local slot = now
local last = tonumber(redis.call('GET', KEYS[4]) or '0')
if last > 0 then slot = math.max(slot, last + spacing) end
if redis.call('ZCOUNT', KEYS[1], string.format('(%d', slot - window), '+inf') >= cap then
  local oldest = redis.call('ZREVRANGE', KEYS[1], cap - 1, cap - 1, 'WITHSCORES')
  slot = tonumber(oldest[2]) + window
end
if slot - now > lookahead then return {0, slot - lookahead - now} end
redis.call('ZADD', KEYS[1], string.format('%d', slot), ARGV[1])
local ttl = math.ceil((slot - now + window) / 1000) + 1000
redis.call('PEXPIRE', KEYS[1], ttl)
if slot > last then redis.call('SET', KEYS[4], string.format('%d', slot), 'PX', ttl) end
if burst > 0 then
  local tat = math.max(chat_tat, slot) + interval
  redis.call('SET', KEYS[3], string.format('%d', tat), 'PX', math.ceil((tat - now) / 1000) + 1000)
end
return {1, slot - now}
"""

# KEYS: pause. ARGV: seconds (µs). Keeps the later of the current and the new pause.
_PAUSE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local span = tonumber(ARGV[1])
local untl = now + span
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if current < untl then
  redis.call('SET', KEYS[1], string.format('%d', untl), 'PX', math.ceil(span / 1000) + 1000)
end
return 1
"""

# KEYS: log. ARGV: token, late (µs; -1: unknown, count from now). Moves the slot `late` later:
# to when its answer arrived.
_SETTLE = """
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not score then return 0 end
local late = tonumber(ARGV[2])
local settled = tonumber(score) + late
if late < 0 then
  local t = redis.call('TIME')
  settled = math.max(tonumber(score), tonumber(t[1]) * 1000000 + tonumber(t[2]))
end
if settled > tonumber(score) then
  redis.call('ZADD', KEYS[1], 'XX', string.format('%d', settled), ARGV[1])
end
return 1
"""

# KEYS: log, last. ARGV: token. Frees the slot's place; if it was the latest slot, the next one
# may follow the one before it.
_RELEASE = """
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not score then return 0 end
redis.call('ZREM', KEYS[1], ARGV[1])
local last = tonumber(redis.call('GET', KEYS[2]) or '0')
if tonumber(score) >= last then
  local before = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
  if #before > 0 then
    redis.call('SET', KEYS[2], before[2], 'KEEPTTL')
  else
    redis.call('DEL', KEYS[2])
  end
end
return 1
"""

_PAUSED_FOR = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local paused = tonumber(redis.call('GET', KEYS[1]) or '0')
return math.max(0, paused - now)
"""


_TRY_SCRIPT = Script(_TRY)
_PAUSE_SCRIPT = Script(_PAUSE)
_SETTLE_SCRIPT = Script(_SETTLE)
_RELEASE_SCRIPT = Script(_RELEASE)
_PAUSED_FOR_SCRIPT = Script(_PAUSED_FOR)


def _us(seconds: float) -> int:
    return round(seconds * 1_000_000)


class RedisSendLimiter(_Acquiring):
    """The limiter shared by every process through Redis (keys under `{prefix}send:`)."""

    def __init__(self, client: Redis, prefix: str, limits: RateLimits | None = None) -> None:
        self.limits = limits or RateLimits()
        self._client = client
        self._log = f"{prefix}send:log"
        self._pause = f"{prefix}send:paused"
        self._chat = f"{prefix}send:chat:"
        self._last = f"{prefix}send:last"
        self._slots = {}
        self._bulk_turn = asyncio.Lock()
        # Every send asks and settles: over one pipelined connection (storage.infra.redis_pipe).
        self._pipe = PipelinedRedis.like(client)

    @classmethod
    def from_url(cls, url: str, prefix: str, limits: RateLimits | None = None) -> RedisSendLimiter:
        return cls(Redis.from_url(url, socket_connect_timeout=5), prefix, limits)

    async def _try(self, chat: str | None, lookahead: float, token: str) -> tuple[int, float]:
        limits = self.limits
        burst = limits.chat_burst if chat else 0
        granted, wait = await self._pipe.evalsha(
            _TRY_SCRIPT,
            [self._log, self._pause, f"{self._chat}{chat or '-'}", self._last],
            [
                token,
                _us(limits.span),
                limits.per_window,
                _us(limits.spacing),
                _us(lookahead),
                _us(limits.chat_interval),
                burst,
                int(lookahead <= limits.bulk_lookahead),
            ],
        )
        return int(granted), int(wait) / 1_000_000

    async def settle(self, token: str) -> None:
        late = self._late(token)
        await self._pipe.evalsha(
            _SETTLE_SCRIPT, [self._log], [token, -1 if late is None else _us(late)]
        )

    async def release(self, token: str) -> None:
        self._forget(token)
        await self._pipe.evalsha(_RELEASE_SCRIPT, [self._log, self._last], [token])

    async def pause(self, seconds: float) -> None:
        await self._pipe.evalsha(_PAUSE_SCRIPT, [self._pause], [_us(seconds)])

    async def paused_for(self) -> float:
        return int(await self._pipe.evalsha(_PAUSED_FOR_SCRIPT, [self._pause], [])) / 1_000_000

    async def close(self) -> None:
        await self._pipe.close()
        await self._client.aclose()


def make_send_limiter(
    redis_url: str | None, prefix: str, limits: RateLimits | None = None
) -> SendLimiter:
    """Shared through Redis when a URL is configured, else the embedded twin."""
    if redis_url:
        return RedisSendLimiter.from_url(redis_url, prefix, limits)
    return LocalSendLimiter(limits)
