"""Per-chat mutual exclusion: two updates of one chat are handled one after the other.

``LocalLocks`` serialises tasks of one process with an ``asyncio.Lock`` per key; an entry
exists only while somebody holds or waits for it, so memory does not grow with the number
of chats ever seen. ``RedisLocks`` extends this across processes with a Redis lock per key
(``SET key token NX PX lease``): the holder renews the lease while it works, a crashed holder
stops renewing so its lock expires, and only the owner (matching token, checked in Lua)
releases it. Taking a lock may read in the same round trip (``RedisLocks.holding``), and
giving it back may write (the state store saves a chat's document and frees its lock at
once). Waiters poll with short sleeps (2 ms growing to 50 ms).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from dataclasses import dataclass, field

from redis.asyncio import Redis
from redis.exceptions import RedisError

from storage.errors import LockTimeout
from storage.infra.redis_pipe import PipelinedRedis, Script

log = logging.getLogger(__name__)

_MIN_SLEEP = 0.002
_MAX_SLEEP = 0.05

# KEYS[1] lock key, ARGV[1] token
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('del', KEYS[1])
end
return 0
"""

# KEYS[1] lock key, ARGV[1] token, ARGV[2] lease in milliseconds
_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""


_RELEASE_PIPED = Script(_RELEASE)
_RENEW_PIPED = Script(_RENEW)


@dataclass
class _Entry:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0  # holders plus waiters


class LocalLocks:
    """One ``asyncio.Lock`` per key, dropped when nobody holds or waits for it."""

    def __init__(self) -> None:
        self._entries: dict[Hashable, _Entry] = {}

    def __len__(self) -> int:
        """Number of keys that are held or waited for right now."""
        return len(self._entries)

    def hold(
        self, key: Hashable, timeout: float | None = 30.0
    ) -> contextlib.AbstractAsyncContextManager[None]:
        """Hold the key's lock; raise ``LockTimeout`` if not acquired within ``timeout``
        seconds (None: wait for ever)."""
        return self._hold(key, timeout)

    @contextlib.asynccontextmanager
    async def _hold(self, key: Hashable, max_wait: float | None) -> AsyncIterator[None]:
        entry = self._entries.get(key)
        if entry is None:
            entry = self._entries[key] = _Entry()
        entry.users += 1
        try:
            try:
                async with asyncio.timeout(max_wait):
                    await entry.lock.acquire()
            except TimeoutError:
                raise LockTimeout(f"lock {key!r} not acquired within {max_wait} s") from None
            try:
                yield
            finally:
                entry.lock.release()
        finally:
            entry.users -= 1
            if entry.users == 0:
                del self._entries[key]


class Holding:
    """One held Redis lock: its key and token, and what the acquiring call returned.

    ``release``, when set by the holder, replaces the plain release (so it can write in the
    same round trip as it frees the lock).
    """

    __slots__ = ("name", "release", "result", "token")

    def __init__(self, name: str, token: bytes, result: object) -> None:
        self.name = name
        self.token = token
        self.result = result
        self.release: Callable[[], Awaitable[object]] | None = None


# Tries to take the lock `name` with `token`: (taken, anything the same round trip read).
Attempt = Callable[[str, bytes], Awaitable[tuple[bool, object]]]


class RedisLocks:
    """Redis locks named ``{prefix}{key}``, each combined with a local lock.

    The local lock makes the tasks of one process queue in order, so only one of them polls
    Redis; the Redis lock excludes the other processes. ``lease`` is how long a lock
    outlives a crashed holder; one task per process renews every lock it holds every
    ``lease / 3`` seconds (one pipelined round trip for all of them).
    The client must not decode responses.
    """

    def __init__(
        self, client: Redis, prefix: str, *, lease: float = 20.0, pipe: PipelinedRedis | None = None
    ) -> None:
        if lease <= 0:
            raise ValueError("lease must be positive")
        # Commands go over `pipe` (one pipelined connection) when given, else through `client`.
        self._pipe = pipe
        self._client = client
        self._prefix = prefix
        self._lease_ms = max(1, round(lease * 1000))
        self._release_script = client.register_script(_RELEASE)
        self._renew_script = client.register_script(_RENEW)
        self._local = LocalLocks()
        self._held: dict[str, bytes] = {}
        self._renewer: asyncio.Task[None] | None = None
        # Tokens: random per lock set (so per process), then a counter, unique per hold.
        self._owner = secrets.token_hex(12).encode()
        self._serial = itertools.count(1)

    def __len__(self) -> int:
        return len(self._local)

    @property
    def lease_ms(self) -> int:
        return self._lease_ms

    def name(self, key: Hashable) -> str:
        return f"{self._prefix}{key}"

    def hold(
        self, key: Hashable, timeout: float | None = 30.0
    ) -> contextlib.AbstractAsyncContextManager[None]:
        """Hold the key's lock in this process and in Redis; raise ``LockTimeout`` if not
        acquired within ``timeout`` seconds (None: wait for ever)."""
        return self._plain(key, timeout)

    @contextlib.asynccontextmanager
    async def _plain(self, key: Hashable, max_wait: float | None) -> AsyncIterator[None]:
        async with self.holding(key, max_wait, self._set_nx):
            yield

    async def _set_nx(self, name: str, token: bytes) -> tuple[bool, object]:
        if self._pipe is not None:
            taken = await self._pipe.execute("SET", name, token, "NX", "PX", self._lease_ms)
            return taken is not None, None
        return bool(await self._client.set(name, token, nx=True, px=self._lease_ms)), None

    async def _release(self, name: str, token: bytes) -> object:
        if self._pipe is not None:
            return await self._pipe.evalsha(_RELEASE_PIPED, [name], [token])
        return await self._release_script(keys=[name], args=[token])

    async def _renew(self, held: list[tuple[str, bytes]]) -> list[object]:
        if self._pipe is not None:
            pipe = self._pipe
            calls = (
                pipe.evalsha(_RENEW_PIPED, [name], [token, self._lease_ms]) for name, token in held
            )
            return list(await asyncio.gather(*calls))
        async with self._client.pipeline(transaction=False) as batch:
            for name, token in held:
                await self._renew_script(keys=[name], args=[token, self._lease_ms], client=batch)
            return list(await batch.execute())

    @contextlib.asynccontextmanager
    async def holding(
        self,
        key: Hashable,
        max_wait: float | None,
        attempt: Attempt,
        give_up: Callable[[str, bytes], Awaitable[object]] | None = None,
    ) -> AsyncIterator[Holding]:
        """Hold the lock, taken with ``attempt`` (which may read something in the same round
        trip); the holder may set ``release`` on the yielded object. ``give_up`` runs when
        waiting ends without the lock (timeout, cancellation)."""
        loop = asyncio.get_running_loop()
        deadline = None if max_wait is None else loop.time() + max_wait
        async with self._local.hold(key, max_wait):
            name = self.name(key)
            token = b"%s:%d" % (self._owner, next(self._serial))
            try:
                result = await self._acquire(name, token, deadline, attempt)
            except BaseException:
                if give_up is not None:
                    with contextlib.suppress(RedisError):
                        await asyncio.shield(give_up(name, token))
                raise
            holding = Holding(name, token, result)
            self._held[name] = token
            self._ensure_renewer(loop)
            try:
                yield holding
            finally:
                self._held.pop(name, None)
                release = holding.release or (lambda: self._release(name, token))
                try:
                    # Shielded: a cancelled handler still frees its lock promptly.
                    await asyncio.shield(release())
                except RedisError as exc:
                    log.warning("could not release lock %s (%s); it expires by itself", name, exc)

    async def _acquire(
        self, name: str, token: bytes, deadline: float | None, attempt: Attempt
    ) -> object:
        loop = asyncio.get_running_loop()
        sleep = _MIN_SLEEP
        while True:
            taken, result = await attempt(name, token)
            if taken:
                return result
            # An attempt may say when to try again (a float, seconds); else back off.
            wait = result if isinstance(result, float) else sleep
            if deadline is None:
                await asyncio.sleep(wait)
            else:
                remaining = deadline - loop.time()
                if remaining <= 0:
                    raise LockTimeout(f"lock {name} not acquired in time")
                await asyncio.sleep(min(wait, remaining))
            if not isinstance(result, float):
                sleep = min(sleep * 1.5, _MAX_SLEEP)

    def _ensure_renewer(self, loop: asyncio.AbstractEventLoop) -> None:
        if self._renewer is None or self._renewer.done():
            self._renewer = loop.create_task(self._keep_alive())

    async def _keep_alive(self) -> None:
        """Renew every held lock each lease/3; stop when none is held."""
        interval = self._lease_ms / 3000
        while True:
            await asyncio.sleep(interval)
            held = list(self._held.items())
            if not held:
                self._renewer = None
                return
            try:
                renewed = await self._renew(held)
            except RedisError as exc:
                log.warning("could not renew %d locks: %s", len(held), exc)
                continue
            for (name, token), ok in zip(held, renewed, strict=True):
                if not ok and self._held.get(name) == token:
                    log.warning("lock %s expired while held; another worker may enter", name)

    async def close(self) -> None:
        if self._renewer is not None:
            self._renewer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._renewer
            self._renewer = None
