"""Helpers for the broadcast tests: a migrated PostgreSQL, a Redis prefix, worker chats, and
the pieces of one delivering process."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from typing import Any

import redis

from bot.telegram import TelegramApi
from handlers.delivery.broadcasts import BroadcastJobs, DeliveryConfig
from storage.infra.db import Database
from storage.infra.migrate import upgrade
from storage.infra.ratelimit import RateLimits, RedisSendLimiter
from storage.models import WorkerChat
from storage.repos.broadcasts import Broadcasts
from storage.repos.chats import WorkerChats
from tests.services import REDIS_URL, fresh_postgres, fresh_redis_prefix

TOKEN = "123456:TEST"
FIRST_CHAT = 810_000_000
# Fast enough for short tests, still a limit the fake Telegram enforces and counts.
LIMITS = RateLimits(per_window=100, margin=0.02, chat_burst=3)


@contextmanager
def migrated_postgres() -> Iterator[str]:
    with fresh_postgres() as url:
        upgrade(url)
        yield url


@contextmanager
def redis_prefix() -> Iterator[str]:
    with fresh_redis_prefix() as prefix:
        yield prefix
        client = redis.Redis.from_url(REDIS_URL)
        keys = list(client.scan_iter(match=f"arq:*{prefix}*", count=1000))
        if keys:
            client.delete(*keys)
        client.close()


async def add_chats(db: Database, n: int, *, first: int = FIRST_CHAT, **fields: Any) -> list[int]:
    """`n` worker chats that started the bot; returns their ids."""
    ids = list(range(first, first + n))
    async with db.session() as session:
        session.add_all(WorkerChat(chat_id=i, user_id=i, **fields) for i in ids)
        await session.commit()
    return ids


@dataclass
class Stack:
    """One delivering process's pieces, on a database, a Redis prefix and a fake Telegram."""

    db: Database
    api: TelegramApi
    limiter: RedisSendLimiter
    jobs: BroadcastJobs
    broadcasts: Broadcasts
    chats: WorkerChats


@asynccontextmanager
async def stack(
    database_url: str, redis_url: str, prefix: str, api_url: str, **config: Any
) -> AsyncIterator[Stack]:
    db = Database.from_url(database_url)
    limiter = RedisSendLimiter.from_url(redis_url, prefix, LIMITS)
    api = TelegramApi(TOKEN, api_url, limiter=limiter)
    options: dict[str, Any] = {"lease": 3.0, "backoff": 0.2, "idle": 0.1} | config
    jobs = BroadcastJobs(db, api.raw_call, limiter, DeliveryConfig(**options))
    await api.start()
    try:
        yield Stack(db, api, limiter, jobs, Broadcasts(db), WorkerChats(db))
    finally:
        await api.close()
        await limiter.close()
        await db.dispose()


async def deliver_all(s: Stack, within: float = 30) -> list[str]:
    """Tick and deliver every running broadcast until none is left (like the embedded runner)."""
    deadline = time.monotonic() + within
    outcomes: list[str] = []
    while time.monotonic() < deadline:
        running = await s.jobs.tick()
        if not running:
            return outcomes
        outcomes += await asyncio.gather(*(s.jobs.deliver(b) for b in running))
    raise TimeoutError("broadcasts still running")
