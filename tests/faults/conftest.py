"""Fixtures: a private Redis the test may kill, and the bot on PostgreSQL + that Redis."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.e2e.harness import BotHarness, make_settings, running_bot
from tests.fakebot import FakeTelegram
from tests.faults.services import OwnRedis
from tests.services import fresh_postgres


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[OwnRedis]:
    server = OwnRedis(tmp_path / "redis")
    server.start()
    yield server
    server.kill()


@pytest.fixture
def tg() -> Iterator[FakeTelegram]:
    with FakeTelegram(token="123456:TEST-TOKEN-abcdefghijklmnopqrstuv") as fake:
        yield fake


@pytest.fixture
async def bot_on_own_redis(
    tg: FakeTelegram, own_redis: OwnRedis, tmp_path: Path
) -> AsyncIterator[BotHarness]:
    with fresh_postgres() as url:
        settings = make_settings(tmp_path / "data", tg, database_url=url, redis_url=own_redis.url)
        async with running_bot(settings, tg) as harness:
            yield harness
