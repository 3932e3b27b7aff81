"""The Redis state backend: shared by several processes, a Redis lock per chat.

Documents expire after ``ttl_seconds`` without a write; chats with unsent replies are kept
in the sorted set ``{prefix}outbox``. Where the locking lives: ``storage.infra.locks.RedisLocks``
runs a lock's life (the local queue of a process, the token, polling, renewing the lease,
releasing); this module says what taking and giving back a *chat's* lock does for an update
(``scripts``): the queue by update id and the order window, the document read in the same
round trip, the fenced writes, the last one together with the release. So an update costs
three round trips for its state, all on the one pipelined connection of the process.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, TypedDict, Unpack

from redis.asyncio import BlockingConnectionPool, Redis

from storage.infra.crypto import Cipher
from storage.infra.locks import Holding, RedisLocks
from storage.infra.redis_pipe import PipelinedRedis
from storage.infra.state import codec, scripts
from storage.infra.state.protocol import DEFAULT_TTL_SECONDS, HeldChat, LostLock

# How long a waiter stays queued without asking again (it asks every 2 to 50 ms).
WAITER_TTL_MS = 2_000
# The order of a hold that is not for an update (resending an outbox): after queued updates.
LAST = 2**53


# How long a crashed holder keeps its chat locked: every lock is renewed every third of it
# while its holder works, so this bounds only what a dead process (or one cut off from
# Redis) can block, not how long an update may take.
LOCK_LEASE_SECONDS = 6.0


# The connection pool of a store made from a URL: how many connections at most, and how long
# a command waits for a free one.
MAX_CONNECTIONS = 50
POOL_TIMEOUT_SECONDS = 10.0


class PoolOptions(TypedDict, total=False):
    """The connection pool's keyword arguments of ``RedisStateStore``, each with its default
    above: ``max_connections`` (``MAX_CONNECTIONS``), ``pool_timeout`` in seconds
    (``POOL_TIMEOUT_SECONDS``)."""

    max_connections: int
    pool_timeout: float


class _RedisHeld(HeldChat):
    __slots__ = ("_holding", "_store")

    def __init__(self, store: RedisStateStore, chat_id: int, holding: Holding) -> None:
        blob = holding.result
        doc = codec.decode(store._cipher, chat_id, bytes(blob)) if isinstance(blob, bytes) else None
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


class RedisStateStore:
    """State store in Redis, shared by processes; per-chat Redis locks.

    Keys: ``{prefix}state:{chat_id}`` (encrypted document, expires after ``ttl_seconds``),
    ``{prefix}outbox`` (sorted set of chat ids with unsent replies, score = save time),
    ``{prefix}lock:{chat_id}`` (the chat's lock, see ``storage.infra.locks.RedisLocks``),
    ``{prefix}queue:{chat_id}`` and ``{prefix}queue-ttl:{chat_id}`` (its waiters),
    ``{prefix}received`` and ``{prefix}received-below`` (update ids seen, for the order window).
    """

    def __init__(
        self,
        url: str,
        cipher: Cipher,
        *,
        prefix: str = "lindungi:",
        ttl_seconds: int = DEFAULT_TTL_SECONDS,
        lock_lease_seconds: float = LOCK_LEASE_SECONDS,
        order_window: float = 0.0,
        **pool_options: Unpack[PoolOptions],
    ) -> None:
        unexpected = set(pool_options) - PoolOptions.__optional_keys__
        if unexpected:
            raise TypeError(f"unexpected keyword argument(s) {', '.join(sorted(unexpected))}")
        # A blocking pool: a burst waits up to pool_timeout for a free connection instead of
        # failing with "Too many connections".
        pool = BlockingConnectionPool.from_url(
            url,
            max_connections=pool_options.get("max_connections", MAX_CONNECTIONS),
            timeout=pool_options.get("pool_timeout", POOL_TIMEOUT_SECONDS),
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
        lock_lease_seconds: float = LOCK_LEASE_SECONDS,
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

    def _key(self, chat_id: int) -> str:
        return f"{self.prefix}state:{chat_id}"

    async def load(self, chat_id: int) -> dict[str, Any] | None:
        blob = await self._client.get(self._key(chat_id))
        if blob is None:
            return None
        return codec.decode(self._cipher, chat_id, bytes(blob))

    async def save(self, chat_id: int, doc: dict[str, Any]) -> None:
        blob = codec.encode(self._cipher, doc)
        # One round trip, applied atomically (MULTI/EXEC).
        async with self._client.pipeline(transaction=True) as pipe:
            pipe.set(self._key(chat_id), blob, ex=self._ttl)
            if codec.has_outbox(doc):
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
        state = self._key(chat_id)
        queue, waiters = f"{self.prefix}queue:{chat_id}", f"{self.prefix}queue-ttl:{chat_id}"
        received, received_below = f"{self.prefix}received", f"{self.prefix}received-below"
        pipe, lease_ms, window_ms = self._pipe, self._locks.lease_ms, self._order_window_ms
        is_update = order < LAST

        async def attempt(lock: str, token: bytes) -> tuple[bool, object]:
            taken, blob = await scripts.lock_and_load(
                pipe,
                lock=lock,
                state=state,
                queue=queue,
                waiters=waiters,
                received=received,
                received_below=received_below,
                token=token,
                lease_ms=lease_ms,
                update_id=order,
                waiter_ttl_ms=WAITER_TTL_MS,
                window_ms=window_ms,
                is_update=is_update,
            )
            if taken:
                return True, blob
            # Still inside the order window: try again when it ends.
            return False, blob / 1000 if isinstance(blob, int) else None

        async def give_up(lock: str, token: bytes) -> None:
            await scripts.leave_queue(pipe, queue=queue, waiters=waiters, token=token)

        async with self._locks.holding(chat_id, max_wait, attempt, give_up) as holding:
            yield _RedisHeld(self, chat_id, holding)

    async def _fenced_save(
        self, holding: Holding, chat_id: int, doc: dict[str, Any], *, release: bool
    ) -> None:
        written = await scripts.fenced_save(
            self._pipe,
            lock=holding.name,
            state=self._key(chat_id),
            outbox=self._outbox_key,
            token=holding.token,
            blob=codec.encode(self._cipher, doc),
            ttl_seconds=self._ttl,
            listed=codec.has_outbox(doc),
            now=time.time(),
            chat_id=chat_id,
            release=release,
        )
        if not written:
            raise LostLock(f"the lock of chat {chat_id} expired; its state was not written")

    async def chats_with_outbox(self, limit: int = 100) -> list[int]:
        if limit <= 0:
            return []
        ids = await scripts.live_outbox(
            self._pipe, outbox=self._outbox_key, state_prefix=f"{self.prefix}state:", limit=limit
        )
        return [int(i) for i in ids]

    async def ping(self) -> None:
        await self._client.ping()

    async def close(self) -> None:
        await self._locks.close()
        await self._pipe.close()
        if self._owns_client:
            await self._client.aclose()
