"""A `lindungi worker` stopped with SIGTERM mid-broadcast: sends under way are recorded, the
recipients it claimed but had not sent are given back at once (not after their lease), and
the next delivery finishes the broadcast with every chat reached exactly once."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from storage.infra.db import Database
from tests.fakebot import FakeTelegram
from tests.integration.broadcast_support import (
    LIMITS,
    TOKEN,
    add_chats,
    deliver_all,
    migrated_postgres,
    redis_prefix,
    stack,
)
from tests.services import REDIS_URL

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]

LEASE = 120  # far longer than the test: a claim that is not given back blocks the rest


@pytest.fixture
def tg() -> Iterator[FakeTelegram]:
    with FakeTelegram(token=TOKEN, rate_limit=LIMITS.per_window) as fake:
        yield fake


@pytest.fixture
def database_url() -> Iterator[str]:
    with migrated_postgres() as url:
        yield url


@pytest.fixture
def prefix() -> Iterator[str]:
    with redis_prefix() as value:
        yield value


def test_a_worker_stopped_with_sigterm_gives_its_claims_back_at_once(
    tg: FakeTelegram, database_url: str, prefix: str, tmp_path: Path
) -> None:
    chats = asyncio.run(_prepare(database_url, prefix, tg.url, 400))
    tg.delay(0.2)  # every send takes a while: the worker always has sends under way
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("LINDUNGI_")},
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
        "LINDUNGI_BOT_TOKEN": TOKEN,
        "LINDUNGI_TELEGRAM_API_URL": tg.url,
        "LINDUNGI_DATABASE_URL": database_url,
        "LINDUNGI_REDIS_URL": REDIS_URL,
        "LINDUNGI_REDIS_PREFIX": prefix,
        "LINDUNGI_DATA_DIR": str(tmp_path),
        "LINDUNGI_AUTO_MIGRATE": "false",
        "LINDUNGI_SEND_RATE": str(LIMITS.per_window),
        "LINDUNGI_BROADCAST_LEASE": str(LEASE),
    }
    log_path = tmp_path / "worker.log"
    with log_path.open("ab") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "worker"], env=env, stdout=log, stderr=log
        )
    try:
        tg.wait_for(lambda: tg.count("sendMessage") >= 30, timeout=30, interval=0.01)
        claimed = asyncio.run(_rows(database_url, "claimed_by IS NOT NULL"))
        assert claimed > 0
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(30) == 0, log_path.read_text()[-3000:]
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(10)
    sent_by_first = tg.count("sendMessage")
    assert sent_by_first < len(chats)
    # Nothing is left claimed, and nothing is left `sending`: calls under way were recorded.
    assert asyncio.run(_rows(database_url, "claimed_by IS NOT NULL")) == 0
    assert asyncio.run(_rows(database_url, "status = 'sending'")) == 0
    assert asyncio.run(_rows(database_url, "status = 'sent'")) == sent_by_first

    tg.delay(0)
    started = time.monotonic()
    assert asyncio.run(_deliver_rest(database_url, prefix, tg.url)) == ["done"]
    assert time.monotonic() - started < LEASE / 4  # taken at once, not after the lease

    counts = tg.count_per_chat()
    assert {chat: int(counts.get(chat, 0)) for chat in chats} == dict.fromkeys(chats, 1)
    assert tg.duplicates() == {}


async def _prepare(database_url: str, prefix: str, api_url: str, n: int) -> list[int]:
    async with stack(database_url, REDIS_URL, prefix, api_url) as s:
        chats = await add_chats(s.db, n)
        await s.broadcasts.create("Info penting", {})
        return chats


async def _deliver_rest(database_url: str, prefix: str, api_url: str) -> list[str]:
    async with stack(database_url, REDIS_URL, prefix, api_url, lease=LEASE) as s:
        return await asyncio.wait_for(deliver_all(s, within=LEASE / 4), LEASE / 4)


async def _rows(database_url: str, where: str) -> int:
    db = Database.from_url(database_url)
    try:
        async with db.engine.connect() as conn:
            query = text(f"SELECT count(*) FROM broadcast_recipients WHERE {where}")
            return int((await conn.execute(query)).scalar_one())
    finally:
        await db.dispose()
