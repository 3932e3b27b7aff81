"""The bot's one send rate, on Redis and in its embedded twin: never over the cap in any second
(also from two processes), a 429 pauses everyone, replies overtake a broadcast, about one
message a second per chat, and refused calls give their slot back."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest

from storage.infra.ratelimit import LocalSendLimiter, RateLimits, RedisSendLimiter, SendLimiter
from tests.integration.ratelimit_support import LIMITS, max_in_any_window
from tests.services import REDIS_URL, fresh_redis_prefix

SUPPORT = str(Path(__file__).with_name("ratelimit_support.py"))
Opener = Callable[..., SendLimiter]


@pytest.fixture
def redis_key_prefix() -> Iterator[str]:
    with fresh_redis_prefix() as prefix:
        yield prefix


@pytest.fixture(params=["embedded", pytest.param("redis", marks=pytest.mark.redis)])
async def open_limiter(request: pytest.FixtureRequest) -> AsyncIterator[Opener]:
    """Opens limiters sharing one budget (Redis: like separate processes; embedded: one)."""
    opened: list[SendLimiter] = []
    shared: dict[RateLimits, SendLimiter] = {}
    prefix = request.getfixturevalue("redis_key_prefix") if request.param == "redis" else ""

    def opener(limits: RateLimits = LIMITS) -> SendLimiter:
        if not prefix:
            return shared.setdefault(limits, LocalSendLimiter(limits))
        limiter = RedisSendLimiter.from_url(REDIS_URL, prefix, limits)
        opened.append(limiter)
        return limiter

    yield opener
    for limiter in [*opened, *shared.values()]:
        await limiter.close()


async def take(limiter: SendLimiter, chat: str | None = None, *, bulk: bool = True) -> float:
    """Take a slot, "make the call" (note the time) and settle the slot, as senders do."""
    token = await limiter.acquire(chat, bulk=bulk)
    called = time.monotonic()
    await limiter.settle(token)
    return called


async def test_no_second_holds_more_than_the_cap(open_limiter: Opener) -> None:
    one, two = open_limiter(), open_limiter()
    started = time.monotonic()

    times = await asyncio.gather(*(take(one if n % 2 else two, f"c{n}") for n in range(50)))

    assert max_in_any_window(times) <= LIMITS.per_window
    assert max(times) - started < 50 / LIMITS.per_window + 0.5  # and it keeps up the pace


@pytest.mark.redis
def test_two_processes_never_exceed_the_cap_together(redis_key_prefix: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    args = [sys.executable, SUPPORT, REDIS_URL, redis_key_prefix, "30"]
    children = [subprocess.Popen(args, env=env, stdout=subprocess.PIPE) for _ in range(2)]
    outputs = [child.communicate(timeout=30)[0] for child in children]

    times = [float(line) for out in outputs for line in out.split()]
    assert len(times) == 60
    assert max_in_any_window(times) <= LIMITS.per_window
    assert max(times) - min(times) < 60 / LIMITS.per_window + 0.5


async def test_a_429_pauses_every_sender(open_limiter: Opener) -> None:
    told, other = open_limiter(), open_limiter()
    await take(other)

    await told.pause(1.0)
    started = time.monotonic()
    await take(other, "another-chat", bulk=False)

    assert time.monotonic() - started >= 0.95


async def test_a_reply_overtakes_a_long_broadcast(open_limiter: Opener) -> None:
    broadcast, replies = open_limiter(), open_limiter()
    stop = asyncio.Event()

    async def flood(n: int) -> None:
        while not stop.is_set():
            await take(broadcast, f"b{n}-{time.monotonic()}")

    senders = [asyncio.create_task(flood(n)) for n in range(12)]
    await asyncio.sleep(0.6)
    waits = []
    for n in range(4):
        started = time.monotonic()
        await take(replies, f"reply-{n}", bulk=False)
        waits.append(time.monotonic() - started)
    stop.set()
    await asyncio.gather(*senders)

    assert max(waits) < 0.35  # the broadcast goes on for seconds


async def test_a_broadcast_gives_one_chat_about_one_message_a_second_after_its_replies(
    open_limiter: Opener,
) -> None:
    limiter = open_limiter()
    started = time.monotonic()
    replies = [await take(limiter, "one-chat", bulk=False) - started for _ in range(4)]

    broadcast = await take(limiter, "one-chat") - started

    assert replies[-1] < 0.4  # replies follow the worker's pace, never held per chat
    assert broadcast >= 1.9  # four replies used up the burst of three and one second more


async def test_a_refused_call_gives_its_slot_back(open_limiter: Opener) -> None:
    limits = RateLimits(per_window=10, margin=0.0, chat_burst=0)
    limiter = open_limiter(limits)
    first = await take(limiter)
    tokens = [await limiter.acquire(None) for _ in range(limits.per_window - 1)]

    for token in tokens:
        await limiter.release(token)  # Telegram refused these calls: no message counted
    eleventh = await take(limiter)

    # Without the refunds the 11th would wait until the first leaves the window (1 s).
    assert eleventh - first < limits.window - limits.spacing / 4


async def test_a_late_answer_counts_from_when_it_arrived(open_limiter: Opener) -> None:
    limits = RateLimits(per_window=2, margin=0.0, chat_burst=0)
    limiter = open_limiter(limits)
    first = await limiter.acquire(None)
    await asyncio.sleep(0.4)  # Telegram answers late: the message may have arrived just now
    answered = time.monotonic()
    await limiter.settle(first)

    await take(limiter)
    third = await take(limiter)

    assert third >= answered + limits.window - 0.005


async def test_a_late_answer_does_not_hold_back_the_next_slot(open_limiter: Opener) -> None:
    limits = RateLimits(per_window=10, margin=0.0, chat_burst=0)
    limiter = open_limiter(limits)
    first = await limiter.acquire(None)
    await asyncio.sleep(0.3)
    await limiter.settle(first)

    started = time.monotonic()
    await take(limiter)

    # The pace counts from the slots as reserved, not from when their answers came.
    assert time.monotonic() - started < limits.spacing / 2
