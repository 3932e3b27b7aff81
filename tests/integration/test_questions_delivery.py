"""An official's answer reaches the worker on Telegram once, whatever Telegram does."""

from __future__ import annotations

import asyncio

from bot.telegram import TelegramApi
from domain.i18n import Catalog
from handlers.question_replies import QuestionReplySender, shorten
from storage.infra.db import Database
from storage.models import Question
from storage.repos.questions import Questions
from tests.fakebot import FakeTelegram
from tests.integration.api_harness import (
    BOT_TOKEN,
    Api,
    api_fixture,  # noqa: F401 - the `api` fixture
    api_tg_fixture,  # noqa: F401 - the `api_tg` fixture
    tg_fixture,  # noqa: F401 - the `tg` fixture
)

SWEEP = 1.0  # bot.app.SWEEP_SECONDS
_chats = iter(range(7_200_000_000, 7_300_000_000))


async def _ask(api: Api, text: str = "Berapa iurannya?", language: str = "id") -> tuple[int, int]:
    """A new worker's question: (question id, their chat id)."""
    chat = next(_chats)
    questions = Questions(api.services.db, api.services.cipher)
    return (await questions.ask(chat, chat, language, text)).id, chat


async def _row(api: Api, question: int) -> Question:
    async with api.services.db.session() as session:
        row: Question | None = await session.get(Question, question)
    assert row is not None
    return row


async def _settled(api: Api, question: int, timeout: float = 10) -> Question:  # noqa: ASYNC109
    """The question's row once its answer is sent or has failed."""
    async with asyncio.timeout(timeout):
        while True:
            row = await _row(api, question)
            if row.delivery != "pending":
                return row
            await asyncio.sleep(0.05)


async def test_an_answer_reaches_the_worker_exactly_once(api_tg: Api, tg: FakeTelegram) -> None:
    admin = await api_tg.official()
    question, chat = await _ask(api_tg, "Kalau kecelakaan saat narik ojek, klaimnya bagaimana?")

    response = await api_tg.post(f"/questions/{question}/reply", admin, {"text": "Lapor ke HRD."})
    texts = await tg.wait_for_messages_async(chat, 1, timeout=10)
    await asyncio.sleep(SWEEP * 1.5)

    assert response.status_code == 200
    assert tg.messages(chat) == texts
    (text,) = texts
    assert "Jawaban petugas" in text
    assert "Kalau kecelakaan saat narik ojek" in text
    assert "Lapor ke HRD." in text
    row = await _settled(api_tg, question)
    assert (row.delivery, row.attempts) == ("sent", 1)
    assert (await api_tg.get(f"/questions/{question}", admin)).json()["delivery"] == "sent"


async def test_an_english_speaker_is_answered_in_english(api_tg: Api, tg: FakeTelegram) -> None:
    admin = await api_tg.official()
    question, chat = await _ask(api_tg, "How much is it?", language="en")

    await api_tg.post(f"/questions/{question}/reply", admin, {"text": "Rp16.800 a month."})
    (text,) = await tg.wait_for_messages_async(chat, 1, timeout=10)

    assert "An official's answer" in text


async def test_both_texts_are_sent_safely_escaped(api_tg: Api, tg: FakeTelegram) -> None:
    admin = await api_tg.official()
    question, chat = await _ask(api_tg, "Umur <17 & belum punya KTP <b>bisa</b>?")

    await api_tg.post(
        f"/questions/{question}/reply", admin, {"text": "Belum bisa: umur <18 & KTP."}
    )
    (text,) = await tg.wait_for_messages_async(chat, 1, timeout=10)

    assert "Umur <17 & belum punya KTP <b>bisa</b>?" in text
    assert "Belum bisa: umur <18 & KTP." in text


async def test_a_long_question_is_quoted_shortened(api_tg: Api, tg: FakeTelegram) -> None:
    admin = await api_tg.official()
    long_question = "Saya nelayan di Serang dan ingin tahu " + "tentang iuran JKK " * 40
    question, chat = await _ask(api_tg, long_question)

    await api_tg.post(f"/questions/{question}/reply", admin, {"text": "Rp16.800."})
    (text,) = await tg.wait_for_messages_async(chat, 1, timeout=10)

    assert shorten(long_question) in text
    assert len(shorten(long_question)) <= 200
    assert long_question.strip() not in text


async def test_an_answer_refused_with_429_is_sent_later_exactly_once(
    api_tg: Api, tg: FakeTelegram
) -> None:
    admin = await api_tg.official()
    question, chat = await _ask(api_tg)
    tg.fail_next(1, code=429, retry_after=1)

    await api_tg.post(f"/questions/{question}/reply", admin, {"text": "Rp16.800."})
    texts = await tg.wait_for_messages_async(chat, 1, timeout=15)
    await asyncio.sleep(SWEEP * 1.5)

    assert len(texts) == len(tg.messages(chat)) == 1
    row = await _settled(api_tg, question)
    assert (row.delivery, row.attempts) == ("sent", 2)
    assert len(tg.calls_to("sendMessage")) == 2


async def test_a_worker_who_blocked_the_bot_is_marked_failed_and_not_retried(
    api_tg: Api, tg: FakeTelegram
) -> None:
    admin = await api_tg.official()
    question, chat = await _ask(api_tg)
    tg.block(chat)

    await api_tg.post(f"/questions/{question}/reply", admin, {"text": "Rp16.800."})
    row = await _settled(api_tg, question)
    await asyncio.sleep(SWEEP * 2.5)

    assert row.delivery == "failed"
    assert row.last_error is not None and "blocked" in row.last_error
    assert (await _row(api_tg, question)).attempts == 1
    assert len(tg.calls_to("sendMessage")) == 1
    assert (await api_tg.get(f"/questions/{question}", admin)).json()["delivery"] == "failed"


async def test_two_senders_at_once_send_each_answer_once(api: Api, tg: FakeTelegram) -> None:
    admin = await api.official()
    chats = []
    for _ in range(12):
        question, chat = await _ask(api)
        await api.post(f"/questions/{question}/reply", admin, {"text": "Rp16.800."})
        chats.append(chat)
    senders, resources = [], []
    for _ in range(2):
        db = Database.from_url(api.services.settings.resolved_database_url(), pool_size=2)
        bot = TelegramApi(BOT_TOKEN, tg.url)
        await bot.start()
        resources.append((db, bot))
        questions = Questions(db, api.services.cipher)
        senders.append(QuestionReplySender(questions, Catalog.load_shipped(), bot))
    try:
        async with asyncio.timeout(30):
            sent = await asyncio.gather(*(sender.deliver_due(limit=5) for sender in senders))
            while sum(sent) < len(chats):
                sent.append(sum(await asyncio.gather(*(s.deliver_due(5) for s in senders))))
    finally:
        for db, bot in resources:
            await bot.close()
            await db.dispose()

    assert sum(sent) == len(chats)
    assert [len(tg.messages(chat)) for chat in chats] == [1] * len(chats)
    assert tg.duplicates() == {}


def test_a_short_question_is_quoted_whole_on_one_line() -> None:
    assert shorten("Berapa\niurannya?") == "Berapa iurannya?"
    assert shorten("kata " * 100).endswith("…")
