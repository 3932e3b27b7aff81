"""A question for the officials survives a crash and Telegram delivering its update again."""

from __future__ import annotations

from typing import Any

import pytest

from storage.infra.state import codec
from tests.e2e.harness import BotHarness, sql

QUESTION = "Saya sudah daftar 2 minggu lalu tapi belum ada kabar, bagaimana ya?"


class Killed(Exception):
    """The process died before it saved the chat's state (after the question was stored)."""


async def test_a_question_redelivered_after_a_crash_is_stored_once_with_one_reference(
    bot: BotHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = bot.worker()
    await w.command("/tanya")
    update = bot.updates.message(w.user_id, QUESTION)

    def killed(cipher: Any, doc: dict[str, Any]) -> bytes:
        raise Killed

    # Every write of a chat's state goes through its encryption: the process dies right there.
    with monkeypatch.context() as crash:
        crash.setattr(codec, "encode", killed)
        await bot.post(update)
    assert (await sql(bot, "SELECT count(*) AS n FROM questions"))[0]["n"] == 1
    sent_before = len(w.texts)

    await bot.post(update)  # Telegram saw no answer: it sends the same update again

    [row] = await sql(bot, "SELECT reference FROM questions")
    confirmations = [t for t in w.texts[sent_before:] if "sudah dikirim ke petugas" in t]
    assert len(confirmations) == 1
    assert row["reference"] in confirmations[0]
    await bot.post(update)  # and once more after the answer: a duplicate, nothing new
    assert (await sql(bot, "SELECT count(*) AS n FROM questions"))[0]["n"] == 1
    assert sum("sudah dikirim ke petugas" in t for t in w.texts) == 1


async def test_the_same_words_sent_again_later_are_a_new_question(bot: BotHarness) -> None:
    w = bot.worker()
    for _ in range(2):
        await w.command("/tanya")
        await w.say(QUESTION)

    rows = await sql(bot, "SELECT reference FROM questions")
    assert len({r["reference"] for r in rows}) == 2
