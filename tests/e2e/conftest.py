"""Fixtures: the fake Telegram, and the bot on each backend (embedded; PostgreSQL + Redis)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.e2e.harness import BotHarness, make_settings, running_bot
from tests.fakebot import FakeTelegram
from tests.services import REDIS_URL, fresh_postgres, fresh_redis_prefix


@pytest.fixture
def tg() -> Iterator[FakeTelegram]:
    with FakeTelegram(token="123456:TEST-TOKEN-abcdefghijklmnopqrstuv") as fake:
        yield fake


@pytest.fixture(
    params=[
        "embedded",
        pytest.param("postgres+redis", marks=[pytest.mark.postgres, pytest.mark.redis]),
    ]
)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, object]]:
    if request.param == "embedded":
        yield {}
        return
    with fresh_postgres() as url, fresh_redis_prefix() as prefix:
        yield {"database_url": url, "redis_url": REDIS_URL, "redis_prefix": prefix}


@pytest.fixture
async def bot(
    tg: FakeTelegram, backend: dict[str, object], tmp_path: Path
) -> AsyncIterator[BotHarness]:
    settings = make_settings(tmp_path / "data", tg, **backend)
    async with running_bot(settings, tg) as harness:
        yield harness
