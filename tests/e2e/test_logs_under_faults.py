"""Failures are logged without the worker's personal data, on every backend.

The log is captured as `lindungi serve` writes it (the product's own logging set-up, in JSON and
console form), while a registration's database write fails and while Telegram refuses calls.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from bot.logs import configure_logging
from tests.e2e.harness import BotHarness
from tests.e2e.test_registration import register_until_summary
from tests.walks import NIK

PERSONAL = (NIK, "6281234567890", "812-3456-7890", "Ahmad Fauzi", "Siti Aminah")


@pytest.fixture(params=[True, False], ids=["json", "console"])
def product_logging(
    request: pytest.FixtureRequest, capsys: pytest.CaptureFixture[str]
) -> Iterator[None]:
    # After capsys, so that the handler writes to the captured stderr.
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    configure_logging("INFO", json=request.param)
    yield
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])


async def _refuse_new_registrations(bot: BotHarness, refuse: bool) -> None:
    """Make the database refuse the INSERT of a registration (the row's values in hand)."""
    sqlite = bot.services.db.is_sqlite
    if refuse and sqlite:
        statements = [
            "CREATE TRIGGER refuse_writes BEFORE INSERT ON registrations "
            "BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END"
        ]
    elif refuse:
        statements = [
            "CREATE FUNCTION refuse_writes() RETURNS trigger AS $$ BEGIN "
            "RAISE EXCEPTION 'could not write block'; END $$ LANGUAGE plpgsql",
            "CREATE TRIGGER refuse_writes BEFORE INSERT ON registrations "
            "FOR EACH ROW EXECUTE FUNCTION refuse_writes()",
        ]
    else:
        statements = ["DROP TRIGGER refuse_writes" + ("" if sqlite else " ON registrations")]
    async with bot.services.db.engine.begin() as conn:
        for statement in statements:
            await conn.execute(text(statement))


@pytest.mark.usefixtures("product_logging")
async def test_a_failed_registration_write_is_logged_without_the_workers_data(
    bot: BotHarness, capsys: pytest.CaptureFixture[str]
) -> None:
    w = bot.worker()
    await register_until_summary(w)
    await _refuse_new_registrations(bot, True)
    await w.press("Kirim")
    assert "gangguan" in w.last  # told to send again; the answer is not lost
    await _refuse_new_registrations(bot, False)
    await w.press("Kirim")
    assert "LND-" in w.last
    err = capsys.readouterr().err
    assert "failed" in err
    assert "Traceback" in err or '"exception"' in err
    for value in PERSONAL:
        assert value not in err


@pytest.mark.usefixtures("product_logging")
async def test_telegram_refusing_calls_is_logged_without_the_workers_data(
    bot: BotHarness, capsys: pytest.CaptureFixture[str]
) -> None:
    w = bot.worker()
    await w.command("/start")
    await w.press("Daftar")
    bot.tg.fail_next(1, code=400, description="Bad Request: can't parse entities")
    await w.say(PERSONAL[3])  # the NIK question is refused by Telegram
    await w.say(NIK)
    bot.tg.fail_next(1, code=500, description="Internal Server Error")
    await w.press("Betul")  # the phone question waits for a retry
    err = capsys.readouterr().err
    assert "sendMessage" in err or "Telegram" in err
    for value in PERSONAL:
        assert value not in err
