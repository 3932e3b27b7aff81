"""`lindungi worker` outlives a Redis outage: it connects again by itself and delivers.

Its job queue runs on Redis; when Redis goes away the queue's run ends with a connection
error. The worker must not exit (nobody may be there to restart it): it connects again with a
growing pause, and a broadcast created after Redis is back is delivered to every chat once.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from storage.infra.db import Database
from storage.repos.broadcasts import Broadcasts
from tests.fakebot import FakeTelegram
from tests.faults.services import OwnRedis
from tests.integration.broadcast_support import LIMITS, TOKEN, add_chats, migrated_postgres

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]


@pytest.fixture
def database_url() -> Iterator[str]:
    with migrated_postgres() as url:
        yield url


async def _broadcast(database_url: str, n: int) -> list[int]:
    db = Database.from_url(database_url)
    try:
        chats = await add_chats(db, n)
        await Broadcasts(db).create("Info penting", {})
        return chats
    finally:
        await db.dispose()


def test_the_worker_survives_a_redis_outage_and_delivers_afterwards(
    database_url: str, own_redis: OwnRedis, tmp_path: Path
) -> None:
    with FakeTelegram(token=TOKEN, rate_limit=LIMITS.per_window) as tg:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("LINDUNGI_")},
            "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
            "LINDUNGI_BOT_TOKEN": TOKEN,
            "LINDUNGI_TELEGRAM_API_URL": tg.url,
            "LINDUNGI_DATABASE_URL": database_url,
            "LINDUNGI_REDIS_URL": own_redis.url,
            "LINDUNGI_DATA_DIR": str(tmp_path / "data"),
            "LINDUNGI_AUTO_MIGRATE": "false",
            "LINDUNGI_SEND_RATE": str(LIMITS.per_window),
        }
        log_path = tmp_path / "worker.log"
        with log_path.open("ab") as log:
            worker = subprocess.Popen(
                [sys.executable, "-m", "bot.cli", "worker"], env=env, stdout=log, stderr=log
            )
        try:
            time.sleep(3)  # started and ticking
            own_redis.kill()
            time.sleep(4)  # its queue's run ends with a connection error meanwhile
            assert worker.poll() is None, log_path.read_text()[-3000:]
            own_redis.start()
            chats = asyncio.run(_broadcast(database_url, 20))
            tg.wait_for(lambda: tg.count("sendMessage") >= len(chats), timeout=60)
            assert worker.poll() is None
        finally:
            if worker.poll() is None:
                worker.terminate()
                worker.wait(30)
        counts = tg.count_per_chat()
        assert {chat: int(counts.get(chat, 0)) for chat in chats} == dict.fromkeys(chats, 1)
        assert "connecting to Redis again" in log_path.read_text()
