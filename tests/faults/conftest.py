"""Fixtures: a private Redis the test may kill, and the bot on PostgreSQL + that Redis."""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest

from bot.logs import configure_logging
from tests.e2e.harness import BotHarness, make_settings, running_bot
from tests.fakebot import FakeTelegram
from tests.faults.services import OwnPostgres, OwnRedis
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


@pytest.fixture
def own_postgres() -> Iterator[OwnPostgres]:
    # Not under pytest's temporary folder: that is private to root, and the cluster runs as
    # the `postgres` account.
    folder = Path(tempfile.mkdtemp(prefix="lindungi-faults-pg-"))
    server = OwnPostgres(folder)
    try:
        server.init()
        server.start()
        yield server
    finally:
        server.kill()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
async def bot_on_own_postgres(
    tg: FakeTelegram, own_postgres: OwnPostgres, tmp_path: Path
) -> AsyncIterator[BotHarness]:
    settings = make_settings(tmp_path / "data", tg, database_url=own_postgres.url)
    async with running_bot(settings, tg) as harness:
        yield harness


@pytest.fixture
def product_log(capsys: pytest.CaptureFixture[str]) -> Iterator[Callable[[], str]]:
    """Logging set up as `lindungi serve` does; call the result for what it wrote so far."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    configure_logging("INFO", json=False)
    yield lambda: capsys.readouterr().err
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])
