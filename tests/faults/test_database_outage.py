"""PostgreSQL goes away while a worker sends their registration: the answer is kept.

The update is not acknowledged (Telegram delivers it again), the worker is told once that
their answer is kept and that they need not send it again, and when the database is back the
redelivered update finishes the registration: stored once, confirmed once.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.e2e.harness import BotHarness, sql
from tests.e2e.test_registration import register_until_summary
from tests.faults.services import OwnPostgres
from tests.walks import NIK

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


async def test_a_registration_sent_while_the_database_is_down_is_finished_when_it_is_back(
    bot_on_own_postgres: BotHarness, own_postgres: OwnPostgres, product_log: Callable[[], str]
) -> None:
    bot = bot_on_own_postgres
    w = bot.worker()
    await register_until_summary(w)
    message, data = w.button("Kirim")
    update = bot.updates.callback(w.user_id, data, message["message_id"])
    before = len(w.texts)

    own_postgres.kill()
    first = await bot.post(update)
    again = await bot.post(update)  # Telegram delivers it again while the database is down
    assert first.status_code == again.status_code == 503
    assert len(w.texts) == before + 1  # told once, not once per delivery
    assert "tidak perlu kirim lagi" in w.last

    own_postgres.start()
    done = await bot.post(update)  # and again, now that it is back
    assert done.status_code == 200
    assert "LND-" in w.last
    assert len(w.texts) == before + 2
    assert (await sql(bot, "SELECT count(*) AS n FROM registrations"))[0]["n"] == 1

    await w.say("halo")  # the next message is handled as usual, without a notice
    assert "tidak perlu kirim lagi" not in w.last
    logged = product_log()
    assert "held" in logged  # the outage is logged, the worker's data is not
    for value in (NIK, "6281234567890", "812-3456-7890", "Ahmad Fauzi", "Siti Aminah"):
        assert value not in logged
