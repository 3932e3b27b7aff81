"""The send rate inside the Bot API client: a 429 from Telegram holds back every sender of
every process, and calls that send nothing (answering a button) are never held back."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator

import pytest
from telegram.error import RetryAfter

from bot.telegram import TelegramApi
from storage.infra.ratelimit import RedisSendLimiter
from tests.fakebot import FakeTelegram
from tests.integration.ratelimit_support import LIMITS
from tests.services import REDIS_URL, fresh_redis_prefix

pytestmark = pytest.mark.redis
TOKEN = "123456:TEST"


@pytest.fixture
def tg() -> Iterator[FakeTelegram]:
    with FakeTelegram(token=TOKEN) as fake:
        yield fake


@pytest.fixture
async def two_processes(tg: FakeTelegram) -> AsyncIterator[tuple[TelegramApi, TelegramApi]]:
    """Two Bot API clients with their own limiter objects on one Redis budget."""
    with fresh_redis_prefix() as prefix:
        apis = [
            TelegramApi(TOKEN, tg.url, limiter=RedisSendLimiter.from_url(REDIS_URL, prefix, LIMITS))
            for _ in range(2)
        ]
        for api in apis:
            await api.start()
        yield apis[0], apis[1]
        for api in apis:
            await api.close()
            assert api.limiter is not None
            await api.limiter.close()


async def test_a_429_holds_back_the_other_process_for_its_retry_after(
    tg: FakeTelegram, two_processes: tuple[TelegramApi, TelegramApi]
) -> None:
    first, second = two_processes
    tg.fail_next(1, code=429, retry_after=1)
    with pytest.raises(RetryAfter):
        await first.call("sendMessage", {"chat_id": 1, "text": "Halo"})
    started = time.monotonic()

    await second.call("sendMessage", {"chat_id": 2, "text": "Halo"})

    assert time.monotonic() - started >= 0.9
    assert tg.messages(2) == ["Halo"]


async def test_answering_a_button_is_not_held_back_by_a_pause(
    tg: FakeTelegram, two_processes: tuple[TelegramApi, TelegramApi]
) -> None:
    first, _ = two_processes
    assert first.limiter is not None
    await first.limiter.pause(5)
    started = time.monotonic()

    await asyncio.wait_for(first.call("getMe", {}), 2)

    assert time.monotonic() - started < 1


async def test_a_blocked_chat_costs_no_place_in_the_window(
    tg: FakeTelegram, two_processes: tuple[TelegramApi, TelegramApi]
) -> None:
    first, _ = two_processes
    tg.set_rate_limit(LIMITS.per_window)
    for chat in range(100, 120):
        tg.block(chat)

    calls = [first.call("sendMessage", {"chat_id": c, "text": "Info"}) for c in range(100, 140)]
    results = await asyncio.gather(*calls, return_exceptions=True)

    assert sum(isinstance(r, dict) for r in results) == 20
    assert tg.max_in_any_window(1.0) <= LIMITS.per_window
    assert tg.count("sendMessage", ok=False) == 20  # only the blocked ones, no 429
