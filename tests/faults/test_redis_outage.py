"""Redis goes away while workers chat: no update is acknowledged before it is stored.

Telegram delivers an update again until the webhook answers 200, so an update whose state
could not be stored must get an error status; when Redis is back, the redelivered update is
answered once, and the conversation goes on where it was.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.e2e.harness import BotHarness
from tests.faults.services import OwnRedis

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]


async def test_an_update_that_could_not_be_stored_is_not_acknowledged_and_is_answered_on_redelivery(
    bot_on_own_redis: BotHarness, own_redis: OwnRedis, product_log: Callable[[], str]
) -> None:
    bot = bot_on_own_redis
    w = bot.worker()
    await w.command("/daftar")
    assert "nama lengkap" in w.last.lower()

    own_redis.kill()
    update = bot.updates.message(w.user_id, "Ahmad Fauzi", first_name=w.first_name)
    refused = await bot.post(update)
    assert refused.status_code >= 500  # Telegram will deliver it again
    asked_before = len(w.texts)

    own_redis.start()
    accepted = await bot.post(update)  # Telegram's redelivery
    assert accepted.status_code == 200
    assert len(w.texts) == asked_before + 1
    logged = product_log()
    assert "could not be stored" in logged  # the outage is logged, the worker's answer is not
    assert "Ahmad Fauzi" not in logged
    assert "NIK" in w.last  # the name was taken: the next question

    again = await bot.post(update)  # a duplicate delivery is not answered twice
    assert again.status_code == 200
    assert len(w.texts) == asked_before + 1
