"""Conversation state: one JSON document per chat, encrypted at rest, plus a per-chat lock.

Two backends behind one small interface (modelled on aiogram's FSM storages):

* ``SqliteStateStore``: embedded, for a single process. WAL journal with
  ``synchronous=NORMAL``, which keeps every committed write if the process is killed.
  Calls are sub-millisecond, so they run directly on the event loop.
* ``RedisStateStore``: shared by several processes. Documents expire after ``ttl_seconds``
  without a write; chats with unsent replies are kept in the sorted set ``{prefix}outbox``.

A document is serialised with orjson and encrypted with ``Cipher`` (context ``b"state"``).
A document that cannot be decrypted or parsed reads as ``None`` (logged with its chat id
only), so one bad row never blocks a chat for good: the next save replaces it.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import orjson
from redis.asyncio import BlockingConnectionPool, Redis

from storage.errors import CryptoError
from storage.infra.crypto import Cipher
from storage.infra.locks import Holding, LocalLocks, RedisLocks
from storage.infra.redis_pipe import PipelinedRedis, Script

log = logging.getLogger(__name__)

CONTEXT = b"state"
DEFAULT_TTL_SECONDS = 30 * 24 * 3600


@runtime_checkable
class StateStore(Protocol):
    """Where conversation state lives; see docs/architecture.md, "State document"."""

    async def load(self, chat_id: int) -> dict[str, Any] | None:
        """The chat's document, or None if there is none (or it is unreadable)."""

    async def save(self, chat_id: int, doc: dict[str, Any]) -> None:
        """Replace the chat's document; a non-empty ``doc["outbox"]`` lists the chat."""

    async def delete(self, chat_id: int) -> None:
        """Forget the chat."""

    def lock(self, chat_id: int, timeout: float = 30.0) -> AbstractAsyncContextManager[None]:
        """Hold the chat's lock; raises ``LockTimeout`` if not acquired within ``timeout``."""
        ...

    def hold(
        self, chat_id: int, timeout: float = 30.0, *, order: int = ...
    ) -> AbstractAsyncContextManager[HeldChat]:
        """Hold the chat's lock with its document loaded (Redis: one round trip for both);
        writes go through the yielded ``HeldChat``. Holders waiting together enter by
        ``order`` (the update id), lowest first; in one process, in the order they came."""
        ...

    async def chats_with_outbox(self, limit: int = 100) -> list[int]:
        """Chats whose document has unsent replies, least recently saved first."""
        ...

    async def ping(self) -> None:
        """Raise if the backend is unusable."""

    async def close(self) -> None:
        """Release connections; the store is unusable afterwards."""


class HeldChat:
    """A chat whose lock is held: its document as loaded, and the writes made under it.

    ``save`` writes now and keeps the lock. ``save_last`` is the final write of this hold:
    the store may make it together with releasing the lock (Redis: one round trip).
    """

    __slots__ = ("chat_id", "doc", "last")

    def __init__(self, chat_id: int, doc: dict[str, Any] | None) -> None:
        self.chat_id = chat_id
        self.doc = doc
        self.last: dict[str, Any] | None = None

    async def save(self, doc: dict[str, Any]) -> None:
        raise NotImplementedError

    def save_last(self, doc: dict[str, Any]) -> None:
        self.last = doc


class _SqliteHeld(HeldChat):
    __slots__ = ("_store",)

    def __init__(self, store: SqliteStateStore, chat_id: int, doc: dict[str, Any] | None) -> None:
        super().__init__(chat_id, doc)
        self._store = store

    async def save(self, doc: dict[str, Any]) -> None:
        await self._store.save(self.chat_id, doc)


def _encode(cipher: Cipher, doc: dict[str, Any]) -> bytes:
    return cipher.encrypt_bytes(orjson.dumps(doc), CONTEXT)


def _decode(cipher: Cipher, chat_id: int, blob: bytes) -> dict[str, Any] | None:
    try:
        doc = orjson.loads(cipher.decrypt_bytes(blob, CONTEXT))
    except (CryptoError, orjson.JSONDecodeError) as exc:
        log.warning("unreadable conversation state for chat %s ignored: %s", chat_id, exc)
        return None
    if not isinstance(doc, dict):
        log.warning("conversation state for chat %s is not an object; ignored", chat_id)
        return None
    return doc


def _has_outbox(doc: dict[str, Any]) -> bool:
    return bool(doc.get("outbox"))


class SqliteStateStore:
    """Embedded state store for one process: SQLite file plus in-process asyncio locks."""

    def __init__(self, path: Path, cipher: Cipher) -> None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._cipher = cipher
        self._locks = LocalLocks()
        # Autocommit: every statement is its own transaction. Only the event loop's thread
        # uses the connection, but it may have been created on another thread.
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA busy_timeout=2000")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS chat_state ("
            "chat_id INTEGER PRIMARY KEY, doc BLOB NOT NULL, "
            "has_outbox INTEGER NOT NULL DEFAULT 0, updated_at REAL NOT NULL)"
        )
        self._db.execute(
            "CREATE INDEX IF NOT EXISTS chat_state_has_outbox "
            "ON chat_state (has_outbox, updated_at)"
        )

    async def load(self, chat_id: int) -> dict[str, Any] | None:
        sql = "SELECT doc FROM chat_state WHERE chat_id = ?"
        row = self._db.execute(sql, (chat_id,)).fetchone()
        if row is None:
            return None
        return _decode(self._cipher, chat_id, bytes(row[0]))

    async def save(self, chat_id: int, doc: dict[str, Any]) -> None:
        self._db.execute(
            "INSERT INTO chat_state (chat_id, doc, has_outbox, updated_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (chat_id) DO UPDATE SET doc = excluded.doc, "
            "has_outbox = excluded.has_outbox, updated_at = excluded.updated_at",
            (chat_id, _encode(self._cipher, doc), int(_has_outbox(doc)), time.time()),
        )

    async def delete(self, chat_id: int) -> None:
        self._db.execute("DELETE FROM chat_state WHERE chat_id = ?", (chat_id,))

    def lock(self, chat_id: int, timeout: float = 30.0) -> AbstractAsyncContextManager[None]:
        return self._locks.hold(chat_id, timeout)

    def hold(
        self, chat_id: int, timeout: float = 30.0, *, order: int = 0
    ) -> AbstractAsyncContextManager[HeldChat]:
        # One process: its tasks queue in the order they came (asyncio.Lock is fair).
        return self._hold(chat_id, timeout)

    @asynccontextmanager
    async def _hold(self, chat_id: int, max_wait: float) -> AsyncIterator[HeldChat]:
        async with self._locks.hold(chat_id, max_wait):
            held = _SqliteHeld(self, chat_id, await self.load(chat_id))
            yield held
            if held.last is not None:
                await self.save(chat_id, held.last)

    async def chats_with_outbox(self, limit: int = 100) -> list[int]:
        rows = self._db.execute(
            "SELECT chat_id FROM chat_state WHERE has_outbox = 1 ORDER BY updated_at LIMIT ?",
            (limit,),
        ).fetchall()
        return [row[0] for row in rows]

    async def ping(self) -> None:
        self._db.execute("SELECT 1").fetchone()

    async def close(self) -> None:
        self._db.close()


# The first ARGV[2] chat ids of the outbox set whose document still exists; ids whose
# document expired (TTL) are removed on the way. KEYS[1] outbox set, ARGV[1] state key prefix.
_LIVE_OUTBOX = """
local limit = tonumber(ARGV[2])
local found = {}
local start = 0
while #found < limit do
    local ids = redis.call('zrange', KEYS[1], start, start + limit - 1)
    if #ids == 0 then break end
    local kept = 0
    for _, id in ipairs(ids) do
        if redis.call('exists', ARGV[1] .. id) == 1 then
            kept = kept + 1
            if #found < limit then table.insert(found, id) end
        else
            redis.call('zrem', KEYS[1], id)
        end
    end
    start = start + kept
end
return found
"""


# Take the chat's lock and read its document in one round trip.
# KEYS[1] lock, KEYS[2] state; ARGV[1] token, ARGV[2] lease ms. Returns {taken, doc or false}.
# Waiters for a chat's lock queue by update id, so that of two updates of one chat handled
# by two processes at once the earlier one goes first. KEYS[3] is the queue (sorted set:
# token by update id), KEYS[4] each waiter's times (hash: token -> last try in ms, and
# token..':s' -> first try): a waiter that stops asking (its process died) is dropped after
# ARGV[4] ms. ARGV[3] is the update id.
# With an order window (ARGV[5] ms > 0) an update of Telegram's (ARGV[6] == '1') also waits,
# at most that long, until every update with a lower id has been received by some process:
# Telegram numbers a bot's updates one after the other, so until then an earlier update of
# this chat may still be on its way. KEYS[5] holds the ids received above KEYS[6], the
# highest id below which all were received; an update that waited the whole window moves
# that mark up to itself (an id Telegram never sent does not hold back the rest).
# Returns {taken, document or retry-after ms}.
_LOCK_AND_LOAD = """
local t = redis.call('time')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[5])
redis.call('zadd', KEYS[3], ARGV[3], ARGV[1])
redis.call('hset', KEYS[4], ARGV[1], now)
redis.call('pexpire', KEYS[3], ARGV[4])
redis.call('pexpire', KEYS[4], ARGV[4])
while true do
    local head = redis.call('zrange', KEYS[3], 0, 0)[1]
    if not head then break end
    local seen = tonumber(redis.call('hget', KEYS[4], head) or '0')
    if seen + tonumber(ARGV[4]) >= now then break end
    redis.call('zrem', KEYS[3], head)
    redis.call('hdel', KEYS[4], head, head .. ':s')
end
if window > 0 and ARGV[6] == '1' then
    local u = tonumber(ARGV[3])
    local since = tonumber(redis.call('hget', KEYS[4], ARGV[1] .. ':s') or now)
    if since == now then redis.call('hset', KEYS[4], ARGV[1] .. ':s', now) end
    local low = tonumber(redis.call('get', KEYS[6]) or '-1')
    if low < 0 then low = u - 1 end
    if u > low then redis.call('zadd', KEYS[5], u, ARGV[3]) end
    if now - since >= window and low < u - 1 then low = u - 1 end
    while true do
        local first = redis.call('zrange', KEYS[5], 0, 0, 'WITHSCORES')
        if #first == 0 or tonumber(first[2]) > low + 1 then break end
        low = math.max(low, tonumber(first[2]))
        redis.call('zremrangebyrank', KEYS[5], 0, 0)
    end
    redis.call('set', KEYS[6], string.format('%d', low), 'PX', 86400000)
    redis.call('pexpire', KEYS[5], 86400000)
    if low < u - 1 then
        return {0, math.max(1, math.min(5, window - (now - since)))}
    end
end
if redis.call('zrange', KEYS[3], 0, 0)[1] == ARGV[1]
        and redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
    redis.call('zrem', KEYS[3], ARGV[1])
    redis.call('hdel', KEYS[4], ARGV[1], ARGV[1] .. ':s')
    return {1, redis.call('get', KEYS[2])}
end
return {0, false}
"""

# A waiter that gave up (timeout, cancelled) leaves the queue. KEYS[1] queue, KEYS[2] deadlines.
_LEAVE_QUEUE = """
redis.call('zrem', KEYS[1], ARGV[1])
redis.call('hdel', KEYS[2], ARGV[1], ARGV[1] .. ':s')
return 1
"""

# How long a waiter stays queued without asking again (it asks every 2 to 50 ms).
WAITER_TTL_MS = 2_000
# The order of a hold that is not for an update (resending an outbox): after queued updates.
LAST = 2**53

# Write the chat's document only while its lock is ours (fenced); with ARGV[6] == '1' also
# free the lock. KEYS[1] lock, KEYS[2] state, KEYS[3] outbox set; ARGV[1] token, ARGV[2]
# blob, ARGV[3] ttl s, ARGV[4] '1' if the outbox is not empty, ARGV[5] now, ARGV[7] chat id.
_FENCED_SAVE = """
if redis.call('get', KEYS[1]) ~= ARGV[1] then
    return 0
end
redis.call('set', KEYS[2], ARGV[2], 'EX', ARGV[3])
if ARGV[4] == '1' then
    redis.call('zadd', KEYS[3], ARGV[5], ARGV[7])
else
    redis.call('zrem', KEYS[3], ARGV[7])
end
if ARGV[6] == '1' then
    redis.call('del', KEYS[1])
end
return 1
"""


_LOCK_AND_LOAD_SCRIPT = Script(_LOCK_AND_LOAD)
_LEAVE_QUEUE_SCRIPT = Script(_LEAVE_QUEUE)
_FENCED_SAVE_SCRIPT = Script(_FENCED_SAVE)


class _RedisHeld(HeldChat):
    __slots__ = ("_holding", "_store")

    def __init__(self, store: RedisStateStore, chat_id: int, holding: Holding) -> None:
        blob = holding.result
        doc = _decode(store._cipher, chat_id, bytes(blob)) if isinstance(blob, bytes) else None
        super().__init__(chat_id, doc)
        self._store = store
        self._holding = holding

    async def save(self, doc: dict[str, Any]) -> None:
        await self._store._fenced_save(self._holding, self.chat_id, doc, release=False)

    def save_last(self, doc: dict[str, Any]) -> None:
        super().save_last(doc)
        holding = self._holding

        async def save_and_release() -> None:
            await self._store._fenced_save(holding, self.chat_id, doc, release=True)

        holding.release = save_and_release


class LostLock(RuntimeError):
    """A chat's lock expired while held, so a write under it was refused."""


class RedisStateStore:
    """State store in Redis, shared by processes; per-chat Redis locks.

    Keys: ``{prefix}state:{chat_id}`` (encrypted document, expires after ``ttl_seconds``),
    ``{prefix}outbox`` (sorted set of chat ids with unsent replies, score = save time),
    ``{prefix}lock:{chat_id}`` (the chat's lock, see ``storage.infra.locks.RedisLocks``).
    """

    def __init__(
        self,
        url: str,
        cipher: Cipher,
        *,
        prefix: str = "lindungi:",
        ttl_seconds: int = DEFAULT_TTL_SECONDS,
        max_connections: int = 50,
        pool_timeout: float = 10.0,
        lock_lease_seconds: float = 20.0,
        order_window: float = 0.0,
    ) -> None:
        # A blocking pool: a burst waits up to pool_timeout for a free connection instead of
        # failing with "Too many connections".
        pool = BlockingConnectionPool.from_url(
            url,
            max_connections=max_connections,
            timeout=pool_timeout,
            socket_connect_timeout=5,
        )
        self._setup(Redis.from_pool(pool), cipher, prefix, ttl_seconds, lock_lease_seconds)
        self._order_window_ms = round(order_window * 1000)
        self._owns_client = True

    @classmethod
    def from_client(
        cls,
        client: Redis,
        cipher: Cipher,
        prefix: str = "lindungi:",
        *,
        ttl_seconds: int = DEFAULT_TTL_SECONDS,
        lock_lease_seconds: float = 20.0,
        order_window: float = 0.0,
    ) -> RedisStateStore:
        """A store on an existing client (``decode_responses=False``); ``close`` leaves it open."""
        store = cls.__new__(cls)
        store._setup(client, cipher, prefix, ttl_seconds, lock_lease_seconds)
        store._order_window_ms = round(order_window * 1000)
        store._owns_client = False
        return store

    def _setup(
        self, client: Redis, cipher: Cipher, prefix: str, ttl_seconds: int, lease: float
    ) -> None:
        if ttl_seconds <= 0:
            raise ValueError("ttl_seconds must be positive")
        self._client = client
        self._cipher = cipher
        self.prefix = prefix
        self._ttl = ttl_seconds
        self._outbox_key = f"{prefix}outbox"
        # The per-update commands (lock and load, save, release) share one pipelined
        # connection; the rest uses the client's pool.
        self._pipe = PipelinedRedis.like(client)
        self._locks = RedisLocks(client, f"{prefix}lock:", lease=lease, pipe=self._pipe)
        self._outbox_script = client.register_script(_LIVE_OUTBOX)

    def _key(self, chat_id: int) -> str:
        return f"{self.prefix}state:{chat_id}"

    async def load(self, chat_id: int) -> dict[str, Any] | None:
        blob = await self._client.get(self._key(chat_id))
        if blob is None:
            return None
        return _decode(self._cipher, chat_id, bytes(blob))

    async def save(self, chat_id: int, doc: dict[str, Any]) -> None:
        blob = _encode(self._cipher, doc)
        # One round trip, applied atomically (MULTI/EXEC).
        async with self._client.pipeline(transaction=True) as pipe:
            pipe.set(self._key(chat_id), blob, ex=self._ttl)
            if _has_outbox(doc):
                pipe.zadd(self._outbox_key, {str(chat_id): time.time()})
            else:
                pipe.zrem(self._outbox_key, str(chat_id))
            await pipe.execute()

    async def delete(self, chat_id: int) -> None:
        async with self._client.pipeline(transaction=True) as pipe:
            pipe.delete(self._key(chat_id))
            pipe.zrem(self._outbox_key, str(chat_id))
            await pipe.execute()

    def lock(self, chat_id: int, timeout: float = 30.0) -> AbstractAsyncContextManager[None]:
        return self._locks.hold(chat_id, timeout)

    def hold(
        self, chat_id: int, timeout: float = 30.0, *, order: int = LAST
    ) -> AbstractAsyncContextManager[HeldChat]:
        return self._hold(chat_id, timeout, order)

    @asynccontextmanager
    async def _hold(self, chat_id: int, max_wait: float, order: int) -> AsyncIterator[HeldChat]:
        state_key = self._key(chat_id)
        queue = [f"{self.prefix}queue:{chat_id}", f"{self.prefix}queue-ttl:{chat_id}"]
        received = [f"{self.prefix}received", f"{self.prefix}received-below"]
        is_update = "1" if order < LAST else "0"
        lease = self._locks.lease_ms

        async def attempt(name: str, token: bytes) -> tuple[bool, object]:
            taken, blob = await self._pipe.evalsha(
                _LOCK_AND_LOAD_SCRIPT,
                [name, state_key, *queue, *received],
                [token, lease, order, WAITER_TTL_MS, self._order_window_ms, is_update],
            )
            if taken:
                return True, blob
            # Still inside the order window: try again when it ends.
            return False, blob / 1000 if isinstance(blob, int) else None

        async def give_up(name: str, token: bytes) -> None:
            await self._pipe.evalsha(_LEAVE_QUEUE_SCRIPT, [*queue], [token])

        async with self._locks.holding(chat_id, max_wait, attempt, give_up) as holding:
            yield _RedisHeld(self, chat_id, holding)

    async def _fenced_save(
        self, holding: Holding, chat_id: int, doc: dict[str, Any], *, release: bool
    ) -> None:
        args: list[bytes | str | int | float] = [
            holding.token,
            _encode(self._cipher, doc),
            self._ttl,
            "1" if _has_outbox(doc) else "0",
            time.time(),
            "1" if release else "0",
            str(chat_id),
        ]
        keys: list[bytes | str | int | float] = [holding.name, self._key(chat_id), self._outbox_key]
        if not await self._pipe.evalsha(_FENCED_SAVE_SCRIPT, keys, args):
            raise LostLock(f"the lock of chat {chat_id} expired; its state was not written")

    async def chats_with_outbox(self, limit: int = 100) -> list[int]:
        if limit <= 0:
            return []
        ids = await self._outbox_script(
            keys=[self._outbox_key], args=[f"{self.prefix}state:", limit]
        )
        return [int(i) for i in ids]

    async def ping(self) -> None:
        await self._client.ping()

    async def close(self) -> None:
        await self._locks.close()
        await self._pipe.close()
        if self._owns_client:
            await self._client.aclose()


def make_state_store(
    redis_url: str | None,
    sqlite_path: Path,
    cipher: Cipher,
    *,
    prefix: str = "lindungi:",
    order_window: float = 0.0,
) -> StateStore:
    """Redis when a URL is configured, else the embedded SQLite store at ``sqlite_path``.
    ``order_window`` (Redis): how long an update waits for an earlier one of its chat that
    may be on its way to another process (see ``_LOCK_AND_LOAD``)."""
    if redis_url:
        return RedisStateStore(redis_url, cipher, prefix=prefix, order_window=order_window)
    return SqliteStateStore(sqlite_path, cipher)


__all__ = [
    "DEFAULT_TTL_SECONDS",
    "HeldChat",
    "LostLock",
    "RedisStateStore",
    "SqliteStateStore",
    "StateStore",
    "make_state_store",
]
