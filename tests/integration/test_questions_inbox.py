"""Workers' questions in the officials' inbox: stored encrypted, scoped by region, answered once."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from sqlalchemy import text

from storage.errors import ConflictError, NotFoundError
from storage.infra.crypto import Cipher
from storage.infra.db import Database
from storage.repos import audit
from storage.repos.questions import Questions
from storage.repos.registrations import NewRegistration, Registrations
from storage.repos.scope import RegionScope

NIK_QUESTION = "NIK saya 3604015505900001, hp 081234567890, klo kecelakaan gimana klaimnya?"
WORKER = 7_000_000_001


@dataclass(frozen=True)
class Official:
    audit_name: str = "official:1"
    username: str = "petugas"


@pytest.fixture
def questions(db: Database, cipher: Cipher) -> Questions:
    return Questions(db, cipher)


async def _raw_rows(db: Database) -> list[str]:
    async with db.engine.connect() as connection:
        rows = (await connection.execute(text("SELECT * FROM questions"))).all()
    return [" ".join(str(value) for value in row) for row in rows]


async def test_a_question_is_stored_only_encrypted(questions: Questions, db: Database) -> None:
    asked = await questions.ask(WORKER, WORKER, "id", NIK_QUESTION, "klaim_jkk")

    (raw,) = await _raw_rows(db)
    shown = await questions.get(asked.id)

    assert "3604015505900001" not in raw
    assert "kecelakaan" not in raw
    assert shown is not None and shown.text == NIK_QUESTION


async def test_a_question_gets_a_short_unambiguous_reference(questions: Questions) -> None:
    asked = await questions.ask(WORKER, WORKER, "id", "Berapa iurannya?")

    assert re.fullmatch(r"T-[2-9A-HJ-NP-Z]{4}", asked.reference)


async def test_an_empty_question_is_refused(questions: Questions) -> None:
    with pytest.raises(ValueError, match="empty"):
        await questions.ask(WORKER, WORKER, "id", "   \n ")


async def test_asking_is_audited_without_the_text(questions: Questions, db: Database) -> None:
    asked = await questions.ask(WORKER, WORKER, "id", NIK_QUESTION, "klaim_jkk")

    (entry,) = await audit.history(db, "question", asked.id)

    assert (entry.action, entry.actor) == ("question.asked", f"worker:{WORKER}")
    assert entry.detail == {"reference": asked.reference, "topic": "klaim_jkk", "language": "id"}


async def test_a_registered_worker_s_question_takes_their_latest_region(
    questions: Questions,
    registrations: Registrations,
    make_registration: Callable[..., NewRegistration],
) -> None:
    worker = make_registration(region="36.73.01.1001", regency="36.73")
    await registrations.submit(worker)

    asked = await questions.ask(worker.telegram_user_id, worker.telegram_chat_id, "id", "Kapan?")
    shown = await questions.get(asked.id)

    assert shown is not None
    assert (shown.region, shown.regency) == ("36.73.01.1001", "36.73")


async def test_a_reviewer_sees_their_region_and_unregistered_workers_only(
    questions: Questions,
    registrations: Registrations,
    make_registration: Callable[..., NewRegistration],
) -> None:
    serang, kota = make_registration(), make_registration(region="36.73.01.1001", regency="36.73")
    for worker in (serang, kota):
        await registrations.submit(worker)
    mine = await questions.ask(serang.telegram_user_id, serang.telegram_chat_id, "id", "A?")
    await questions.ask(kota.telegram_user_id, kota.telegram_chat_id, "id", "B?")
    nobody = await questions.ask(WORKER, WORKER, "en", "C?")

    items, total = await questions.list(RegionScope.within("36.04"))
    everything, _ = await questions.list(RegionScope.everything())
    none, _ = await questions.list(RegionScope.within(None))

    assert [item.id for item in items] == [mine.id, nobody.id] and total == 2
    assert len(everything) == 3
    assert none == []


async def test_a_question_is_answered_once(questions: Questions, db: Database) -> None:
    asked = await questions.ask(WORKER, WORKER, "id", "Berapa iurannya?")

    answered = await questions.reply(asked.id, Official(), "Rp16.800 sebulan.")
    with pytest.raises(ConflictError):
        await questions.reply(asked.id, Official(username="lain"), "Jawaban kedua.")

    shown = await questions.get(asked.id)
    assert answered.state == "answered"
    assert shown is not None
    assert (shown.answer, shown.answered_by, shown.delivery) == (
        "Rp16.800 sebulan.",
        "petugas",
        "pending",
    )
    assert "Rp16.800" not in " ".join(await _raw_rows(db))
    assert [e.action for e in await audit.history(db, "question", asked.id)] == [
        "question.asked",
        "question.answered",
    ]


async def test_answering_a_missing_question_says_so(questions: Questions) -> None:
    with pytest.raises(NotFoundError):
        await questions.reply(999_999, Official(), "Halo")


async def test_open_answered_and_all_are_listed_separately(questions: Questions) -> None:
    first = await questions.ask(WORKER, WORKER, "id", "Satu?")
    second = await questions.ask(WORKER, WORKER, "id", "Dua?")
    await questions.reply(first.id, Official(), "Ya.")
    everyone = RegionScope.everything()

    open_items, _ = await questions.list(everyone, "open")
    answered, _ = await questions.list(everyone, "answered")
    every, total = await questions.list(everyone, "all", limit=1)

    assert [item.id for item in open_items] == [second.id]
    assert [item.id for item in answered] == [first.id]
    assert ([item.id for item in every], total) == ([second.id], 2)
