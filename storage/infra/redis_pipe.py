"""One Redis connection shared by every task of a process, with commands pipelined.

redis-py gives each command a connection from its pool for the whole round trip, and
checks the connection on every checkout; on the conversation hot path (take a chat's lock
and read its state, write it, free the lock) that bookkeeping costs several times more CPU
than the command itself. Redis answers the commands of one connection in the order they
were sent (RESP pipelining), so here every command is written at once and its future is
resolved by the one reader task when its answer arrives: no checkout, no lock, one parser
(hiredis, the C parser redis-py uses too).

Errors are redis-py's: ``ResponseError`` for an error answer (``NoScriptError`` for a
script Redis does not know), ``ConnectionError`` when the connection fails (every command in
flight fails with it; the next command reconnects).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import hashlib
import logging
from typing import Any

import hiredis
from redis.asyncio import Redis
from redis.exceptions import ConnectionError, NoScriptError, ResponseError

log = logging.getLogger(__name__)

Arg = bytes | str | int | float


class Script:
    """A Lua script called by its SHA-1, loaded on first use (and again after a restart)."""

    __slots__ = ("sha", "source")

    def __init__(self, source: str) -> None:
        self.source = source.encode()
        self.sha = hashlib.sha1(self.source, usedforsecurity=False).hexdigest().encode()


def _encode(args: tuple[Arg, ...]) -> bytes:
    parts = [b"*%d\r\n" % len(args)]
    for arg in args:
        if isinstance(arg, bytes):
            data = arg
        elif isinstance(arg, str):
            data = arg.encode()
        elif isinstance(arg, float):
            data = repr(arg).encode()
        else:
            data = b"%d" % arg
        parts.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(parts)


class _Connection:
    """One socket, the futures of its commands in the order sent, and its reader task."""

    __slots__ = ("loop", "outgoing", "pending", "reader", "writer")

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.loop = asyncio.get_running_loop()
        self.writer = writer
        self.pending: collections.deque[asyncio.Future[Any]] = collections.deque()
        # Commands sent during one turn of the event loop leave in one write (one syscall).
        self.outgoing: list[bytes] = []
        self.reader = self.loop.create_task(self._read(reader))

    @property
    def usable(self) -> bool:
        return not self.reader.done() and not self.writer.is_closing()

    def send(self, args: tuple[Arg, ...]) -> asyncio.Future[Any]:
        future: asyncio.Future[Any] = self.loop.create_future()
        self.pending.append(future)
        if not self.outgoing:
            self.loop.call_soon(self._flush)
        self.outgoing.append(_encode(args))
        return future

    def _flush(self) -> None:
        data, self.outgoing = self.outgoing, []
        if not self.writer.is_closing():
            self.writer.write(b"".join(data))

    async def _read(self, stream: asyncio.StreamReader) -> None:
        parser = hiredis.Reader()
        pending = self.pending
        failure: Exception = ConnectionError("Redis closed the connection")
        try:
            while True:
                data = await stream.read(65536)
                if not data:
                    break
                parser.feed(data)
                while (reply := parser.gets()) is not False:
                    future = pending.popleft()
                    if future.done():  # its caller was cancelled; the answer is dropped
                        continue
                    if isinstance(reply, hiredis.ReplyError):
                        future.set_exception(_error(str(reply)))
                    else:
                        future.set_result(reply)
        except asyncio.CancelledError:
            failure = ConnectionError("the Redis connection was closed")
            raise
        except Exception as exc:  # the connection is unusable: fail what is in flight
            failure = ConnectionError(f"Redis connection failed: {exc!r}")
        finally:
            self.writer.close()
            while pending:
                future = pending.popleft()
                if not future.done():
                    future.set_exception(failure)

    async def close(self) -> None:
        self.writer.close()
        self.reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.reader


class PipelinedRedis:
    """Commands over one pipelined connection; see the module's docstring."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 6379,
        *,
        db: int = 0,
        username: str | None = None,
        password: str | None = None,
        connect_timeout: float = 5.0,
    ) -> None:
        self._address = (host, port)
        self._hello: list[tuple[Arg, ...]] = []
        if password:
            self._hello.append(("AUTH", username, password) if username else ("AUTH", password))
        if db:
            self._hello.append(("SELECT", db))
        self._connect_timeout = connect_timeout
        self._conn: _Connection | None = None
        self._connecting: asyncio.Lock | None = None

    @classmethod
    def like(cls, client: Redis) -> PipelinedRedis:
        """A pipelined connection to the server (and database) `client` talks to."""
        kwargs = client.connection_pool.connection_kwargs
        if "path" in kwargs:
            raise ValueError("Redis over a unix socket is not supported here; use host:port")
        return cls(
            kwargs.get("host", "127.0.0.1"),
            int(kwargs.get("port", 6379)),
            db=int(kwargs.get("db", 0) or 0),
            username=kwargs.get("username"),
            password=kwargs.get("password"),
            connect_timeout=float(kwargs.get("socket_connect_timeout") or 5.0),
        )

    async def execute(self, *args: Arg) -> Any:
        """Send one command and wait for its answer."""
        conn = self._conn
        if conn is None or not conn.usable:
            conn = await self._connect()
        return await conn.send(args)

    async def evalsha(self, script: Script, keys: list[Arg], args: list[Arg]) -> Any:
        """Run `script`; loads it when Redis does not know it yet."""
        call = (len(keys), *keys, *args)
        try:
            return await self.execute(b"EVALSHA", script.sha, *call)
        except NoScriptError:
            return await self.execute(b"EVAL", script.source, *call)

    async def _connect(self) -> _Connection:
        if self._connecting is None:
            self._connecting = asyncio.Lock()
        async with self._connecting:
            if self._conn is not None and self._conn.usable:
                return self._conn
            try:
                reader, writer = await asyncio.wait_for(
                    asyncio.open_connection(*self._address), self._connect_timeout
                )
            except (OSError, TimeoutError) as exc:
                raise ConnectionError(f"cannot connect to Redis at {self._address}: {exc}") from exc
            conn = _Connection(reader, writer)
            for command in self._hello:
                await conn.send(command)
            self._conn = conn
            return conn

    async def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            await conn.close()


def _error(message: str) -> ResponseError:
    if message.startswith("NOSCRIPT"):
        return NoScriptError(message)
    return ResponseError(message)


__all__ = ["PipelinedRedis", "Script"]
