"""Fixtures for the state-store tests: both backends behind one ``Backend`` helper.

Import the fixtures into a test module (``from ... import backend, store``). Redis tests use
a random key prefix and delete their keys afterwards; without a reachable Redis they are
skipped, or fail when ``CI=true``. ``LINDUNGI_TEST_REDIS_URL`` overrides the Redis URL.

Run as a script, this module is the child process some tests start:
``python state_fixtures.py <backend args> <command> <args>``.
"""

from __future__ import annotations

import asyncio
import base64
import os
import secrets
import signal
import sqlite3
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import orjson
import pytest
import pytest_asyncio
from redis.asyncio import Redis

from storage.infra.crypto import Cipher
from storage.infra.state import RedisStateStore, SqliteStateStore, StateStore

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
KEY = base64.urlsafe_b64encode(b"lindungi-state-tests-key-32bytes").decode()
OTHER_KEY = base64.urlsafe_b64encode(b"a-different-key-for-state-tests!").decode()
CHILD = str(Path(__file__).resolve())


def redis_url() -> str:
    return os.environ.get("LINDUNGI_TEST_REDIS_URL") or DEFAULT_REDIS_URL


def cipher(key: str = KEY) -> Cipher:
    return Cipher(key)


class Backend:
    """One place where state lives, able to open several stores on it."""

    name: str

    def __init__(self) -> None:
        self._stores: list[StateStore] = []

    def _make(self, cipher_: Cipher, **options: Any) -> StateStore:
        raise NotImplementedError

    async def open(self, *, key: str = KEY, **options: Any) -> StateStore:
        """A new store object on the same data (closed at teardown)."""
        store = self._make(cipher(key), **options)
        self._stores.append(store)
        return store

    async def another_worker(self, store: StateStore, **options: Any) -> StateStore:
        """A store for a second worker on ``store``'s chats: another process's with Redis; the
        same one when embedded (one process only)."""
        raise NotImplementedError

    def child_args(self) -> list[str]:
        """How a child process (this module as a script) opens the same data."""
        raise NotImplementedError

    async def raw_bytes(self) -> bytes:
        """Everything this backend holds at rest, as stored."""
        raise NotImplementedError

    async def put_raw(self, chat_id: int, blob: bytes) -> None:
        """Store ``blob`` as the chat's document, bypassing the store."""
        raise NotImplementedError

    async def aclose(self) -> None:
        for store in self._stores:
            await store.close()


class SqliteBackend(Backend):
    name = "sqlite"

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path

    def _make(self, cipher_: Cipher, **options: Any) -> StateStore:
        return SqliteStateStore(self.path, cipher_)

    async def another_worker(self, store: StateStore, **options: Any) -> StateStore:
        return store

    def child_args(self) -> list[str]:
        return ["sqlite", str(self.path)]

    async def raw_bytes(self) -> bytes:
        parts = []
        for suffix in ("", "-wal", "-shm"):
            file = self.path.with_name(self.path.name + suffix)
            if file.exists():
                parts.append(file.read_bytes())
        return b"".join(parts)

    async def put_raw(self, chat_id: int, blob: bytes) -> None:
        db = sqlite3.connect(self.path, isolation_level=None)
        try:
            db.execute("UPDATE chat_state SET doc = ? WHERE chat_id = ?", (blob, chat_id))
        finally:
            db.close()


class RedisBackend(Backend):
    name = "redis"

    def __init__(self, url: str, client: Redis) -> None:
        super().__init__()
        self.url = url
        self.client = client
        self.prefix = f"lindungi-test:{secrets.token_hex(6)}:"

    def _make(self, cipher_: Cipher, **options: Any) -> StateStore:
        return RedisStateStore(self.url, cipher_, prefix=self.prefix, **options)

    def from_client(self, **options: Any) -> RedisStateStore:
        store = RedisStateStore.from_client(self.client, cipher(), self.prefix, **options)
        self._stores.append(store)
        return store

    async def another_worker(self, store: StateStore, **options: Any) -> StateStore:
        return await self.open(**options)

    def child_args(self) -> list[str]:
        return ["redis", self.url, self.prefix]

    async def keys(self) -> list[bytes]:
        return [k async for k in self.client.scan_iter(match=f"{self.prefix}*")]

    async def raw_bytes(self) -> bytes:
        parts = []
        for key in await self.keys():
            kind = await self.client.type(key)
            if kind == b"string":
                parts.append(await self.client.get(key))
            elif kind == b"zset":
                parts.extend(await self.client.zrange(key, 0, -1))
        return b"".join(parts)

    async def put_raw(self, chat_id: int, blob: bytes) -> None:
        await self.client.set(f"{self.prefix}state:{chat_id}", blob)

    async def aclose(self) -> None:
        await super().aclose()
        keys = await self.keys()
        if keys:
            await self.client.delete(*keys)
        await self.client.aclose()


async def connect_redis() -> Redis:
    """A client on the test Redis, or skip (fail on CI) when it is unreachable."""
    url = redis_url()
    client: Redis = Redis.from_url(url, socket_connect_timeout=2)
    try:
        await client.ping()
    except Exception as exc:
        await client.aclose()
        reason = f"Redis at {url} is unreachable: {exc!r}"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return client


@pytest_asyncio.fixture(
    params=["sqlite", pytest.param("redis", marks=pytest.mark.redis)],
)
async def backend(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Backend]:
    """Each backend in turn."""
    made: Backend
    if request.param == "sqlite":
        made = SqliteBackend(tmp_path / "data" / "state.sqlite3")
    else:
        made = RedisBackend(redis_url(), await connect_redis())
    try:
        yield made
    finally:
        await made.aclose()


@pytest_asyncio.fixture
async def redis_backend() -> AsyncIterator[RedisBackend]:
    """The Redis backend only (for what exists only there: several processes, TTL)."""
    made = RedisBackend(redis_url(), await connect_redis())
    try:
        yield made
    finally:
        await made.aclose()


@pytest_asyncio.fixture
async def store(backend: Backend) -> StateStore:
    """A fresh store on the current backend."""
    return await backend.open()


async def run_child(backend: Backend, *args: str) -> asyncio.subprocess.Process:
    """Start this module as a child process on ``backend``'s data."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        CHILD,
        *backend.child_args(),
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


# ---- child process -------------------------------------------------------------------------


def _child_store(argv: list[str], **options: Any) -> tuple[StateStore, list[str]]:
    if argv[0] == "sqlite":
        return SqliteStateStore(Path(argv[1]), cipher()), argv[2:]
    return RedisStateStore(argv[1], cipher(), prefix=argv[2], **options), argv[3:]


def _die() -> None:
    sys.stdout.flush()
    os.kill(os.getpid(), signal.SIGKILL)


async def _child(argv: list[str]) -> None:
    lease = {"lock_lease_seconds": 0.5} if argv[0] == "redis" else {}
    store, rest = _child_store(argv, **lease)
    command, args = rest[0], rest[1:]
    if command == "save-and-die":
        await store.save(int(args[0]), orjson.loads(args[1]))
        _die()
    elif command == "hold-and-die":
        await store.hold(int(args[0]), timeout=10, order=1).__aenter__()
        print("held")
        _die()
    elif command == "count":
        chat_id, rounds = int(args[0]), int(args[1])
        overlaps = 0
        for _ in range(rounds):
            async with store.hold(chat_id, timeout=30) as held:
                doc = held.doc or {"n": 0}
                if doc.get("busy"):
                    overlaps += 1
                doc["busy"] = True
                await held.save(doc)
                await asyncio.sleep(0.002)
                doc["busy"] = False
                doc["n"] += 1
                held.save_last(doc)
        print(f"overlaps={overlaps}")
    else:
        raise SystemExit(f"unknown command {command}")
    await store.close()


if __name__ == "__main__":
    asyncio.run(_child(sys.argv[1:]))
