"""Broadcast delivery against the fake Telegram, on PostgreSQL and Redis: once each, blocked
chats skipped, opted-out chats excluded, cancel, schedule, 429, a SIGKILLed `lindungi worker`."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.worker import PARALLEL
from handlers.delivery.broadcasts import DeliveryConfig
from storage.infra.db import Database
from storage.models import utcnow
from storage.repos.broadcasts import Broadcasts
from storage.repos.deliveries import UNCERTAIN
from tests.fakebot import FakeTelegram
from tests.integration.broadcast_support import (
    LIMITS,
    TOKEN,
    Stack,
    add_chats,
    deliver_all,
    migrated_postgres,
    redis_prefix,
    stack,
)
from tests.services import REDIS_URL

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


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


@pytest.fixture
async def bot(tg: FakeTelegram, database_url: str, prefix: str) -> AsyncIterator[Stack]:
    async with stack(database_url, REDIS_URL, prefix, tg.url) as s:
        yield s


def received(tg: FakeTelegram, chats: list[int]) -> dict[int, int]:
    counts = tg.count_per_chat()
    return {chat: int(counts.get(chat, 0)) for chat in chats}


async def test_every_reachable_worker_gets_the_message_exactly_once(
    bot: Stack, tg: FakeTelegram
) -> None:
    chats = await add_chats(bot.db, 150)
    blocked = chats[::25]
    for chat in blocked:
        tg.block(chat)
    broadcast = await bot.broadcasts.create("<b>Pendaftaran gratis</b> untuk nelayan", {})

    assert await deliver_all(bot) == ["done"]

    counts = received(tg, chats)
    assert {c for c, n in counts.items() if n == 0} == set(blocked)
    assert {n for c, n in counts.items() if c not in blocked} == {1}
    assert tg.duplicates() == {}
    assert tg.max_in_any_window(1.0) <= LIMITS.per_window
    progress = await bot.broadcasts.progress(broadcast)
    assert (progress.status, progress.total, progress.sent, progress.blocked) == (
        "done",
        150,
        144,
        6,
    )
    assert progress.remaining == 0 and progress.failed == 0


async def test_chats_that_blocked_the_bot_are_skipped_next_time(
    bot: Stack, tg: FakeTelegram
) -> None:
    chats = await add_chats(bot.db, 20)
    tg.block(chats[0])
    await bot.broadcasts.create("Pertama", {})
    await deliver_all(bot)
    assert (await bot.chats.get(chats[0])).blocked_at is not None  # type: ignore[union-attr]

    second = await bot.broadcasts.create("Kedua", {})
    await deliver_all(bot)

    assert (await bot.broadcasts.progress(second)).total == 19
    assert tg.count("sendMessage") == 20 + 19


async def test_workers_who_sent_berhenti_get_no_broadcast(bot: Stack, tg: FakeTelegram) -> None:
    chats = await add_chats(bot.db, 10)
    await bot.chats.set_opted_out(chats[3], True)
    await bot.chats.set_opted_out(chats[4], True)
    await bot.chats.set_opted_out(chats[4], False)  # /mulai again

    assert await bot.chats.count_segment({}) == 9
    await bot.broadcasts.create("Info", {})
    await deliver_all(bot)

    assert received(tg, chats)[chats[3]] == 0
    assert received(tg, chats)[chats[4]] == 1


async def test_a_429_is_honoured_and_the_message_still_arrives_once(
    bot: Stack, tg: FakeTelegram
) -> None:
    chats = await add_chats(bot.db, 30)
    tg.fail_next(2, code=429, retry_after=1)
    started = time.monotonic()
    await bot.broadcasts.create("Info", {})

    await deliver_all(bot)

    assert time.monotonic() - started >= 1.0
    assert set(received(tg, chats).values()) == {1}


async def test_server_errors_are_retried_then_counted_as_failed_with_the_reason(
    tg: FakeTelegram, database_url: str, prefix: str
) -> None:
    async with stack(database_url, REDIS_URL, prefix, tg.url, max_attempts=2) as bot:
        chats = await add_chats(bot.db, 3)
        tg.fail_next(1, code=500)
        await bot.broadcasts.create("Info", {})
        await deliver_all(bot)
        assert set(received(tg, chats).values()) == {1}  # one failure, retried

        tg.fail_next(100, code=500)
        second = await bot.broadcasts.create("Lagi", {})
        await deliver_all(bot)
        progress = await bot.broadcasts.progress(second)
        async with bot.db.engine.connect() as conn:
            errors = (
                await conn.execute(
                    text("SELECT error FROM broadcast_recipients WHERE broadcast_id = :b"),
                    {"b": second},
                )
            ).scalars()
            assert all("Internal Server Error" in e for e in errors)
    assert (progress.failed, progress.sent) == (3, 0)


async def test_cancel_stops_further_sends(bot: Stack, tg: FakeTelegram) -> None:
    await add_chats(bot.db, 200)
    tg.delay(0.05)
    broadcast = await bot.broadcasts.create("Info", {})
    await bot.jobs.tick()
    delivery = asyncio.create_task(bot.jobs.deliver(broadcast))
    await tg.wait_for_async(lambda: tg.count("sendMessage") >= 20, timeout=10)

    assert await bot.broadcasts.cancel(broadcast)
    assert await asyncio.wait_for(delivery, 10) == "cancelled"
    sent_at_cancel = tg.count("sendMessage")
    await asyncio.sleep(0.5)

    assert tg.count("sendMessage") == sent_at_cancel < 60
    assert (await bot.broadcasts.progress(broadcast)).status == "cancelled"


async def test_a_scheduled_broadcast_starts_at_its_time(bot: Stack, tg: FakeTelegram) -> None:
    chats = await add_chats(bot.db, 5)
    await bot.broadcasts.create("Nanti", {}, scheduled_at=utcnow() + timedelta(seconds=1.5))

    assert await bot.jobs.tick() == []
    await asyncio.sleep(1.6)
    await deliver_all(bot)

    assert set(received(tg, chats).values()) == {1}


async def test_replies_get_through_while_a_broadcast_runs(bot: Stack, tg: FakeTelegram) -> None:
    await add_chats(bot.db, 400)
    broadcast = await bot.broadcasts.create("Info", {})
    await bot.jobs.tick()
    delivery = asyncio.create_task(bot.jobs.deliver(broadcast))
    await tg.wait_for_async(lambda: tg.count("sendMessage") >= 50, timeout=10)

    waits = []
    for n in range(5):
        started = time.monotonic()
        await bot.api.call("sendMessage", {"chat_id": 42_000 + n, "text": "Balasan"})
        waits.append(time.monotonic() - started)
    remaining = (await bot.broadcasts.progress(broadcast)).remaining
    await bot.broadcasts.cancel(broadcast)
    await delivery

    assert remaining > 100  # the broadcast was still far from done
    assert max(waits) < 0.3


def test_a_worker_killed_midway_is_finished_by_the_next_without_duplicates(
    tg: FakeTelegram, database_url: str, prefix: str, tmp_path: Path
) -> None:
    chats = asyncio.run(_prepare(database_url, prefix, tg.url, 600))
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
        "LINDUNGI_BROADCAST_LEASE": "3",
    }
    args = [sys.executable, "-m", "bot.cli", "worker"]
    log = (tmp_path / "worker.log").open("ab")
    worker = subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        tg.wait_for(lambda: tg.count("sendMessage") >= 200, timeout=30, interval=0.002)
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
        assert tg.count("sendMessage") < 600
        worker = subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT)
        asyncio.run(_wait_done(database_url, within=40))
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(20)
        log.close()
    counts = received(tg, chats)
    uncertain = asyncio.run(_uncertain(database_url))
    assert [c for c, n in counts.items() if n == 0] == []  # nobody missed
    # A second message is possible only for a send under way at the kill, flagged as such.
    assert {c for c, n in counts.items() if n > 1} <= uncertain
    assert len(uncertain) <= 2 * PARALLEL * DeliveryConfig().senders  # jobs overlap briefly


async def _prepare(database_url: str, prefix: str, api_url: str, n: int) -> list[int]:
    async with stack(database_url, REDIS_URL, prefix, api_url) as s:
        chats = await add_chats(s.db, n)
        await s.broadcasts.create("Info penting", {})
        return chats


async def _wait_done(database_url: str, within: float) -> None:
    db = Database.from_url(database_url)
    try:
        async with asyncio.timeout(within):
            for _ in iter(int, 1):  # until done
                if (await Broadcasts(db).get(1)).status == "done":
                    return
                await asyncio.sleep(0.2)
    finally:
        await db.dispose()


async def _uncertain(database_url: str) -> set[int]:
    db = Database.from_url(database_url)
    try:
        async with db.engine.connect() as conn:
            rows = await conn.execute(
                text("SELECT chat_id FROM broadcast_recipients WHERE error = :e"), {"e": UNCERTAIN}
            )
            return set(rows.scalars())
    finally:
        await db.dispose()
