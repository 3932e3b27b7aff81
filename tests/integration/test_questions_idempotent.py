"""A worker's question is stored once per key (chat and update), however often it is asked."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from storage.infra.crypto import Cipher
from storage.infra.db import Database
from storage.repos.questions import Questions, keyed_reference

WORKER = 7_100_000_001
QUESTION = "Kapan kartu BPJS saya jadi?"


@pytest.fixture
def questions(db: Database, cipher: Cipher) -> Questions:
    return Questions(db, cipher)


async def _count(db: Database, table: str, where: str = "") -> int:
    async with db.engine.connect() as connection:
        return int(
            (await connection.execute(text(f"SELECT count(*) FROM {table} {where}"))).one()[0]
        )


async def test_the_same_question_asked_twice_with_one_key_is_stored_once(
    questions: Questions, db: Database
) -> None:
    first = await questions.ask(WORKER, WORKER, "id", QUESTION, key=f"{WORKER}:501")
    again = await questions.ask(WORKER, WORKER, "id", QUESTION, key=f"{WORKER}:501")

    assert again == first
    assert await _count(db, "questions") == 1
    assert await _count(db, "audit_log", "WHERE action = 'question.asked'") == 1


async def test_the_same_question_asked_at_once_by_two_processes_is_stored_once(
    questions: Questions, db: Database
) -> None:
    asked = await asyncio.gather(
        *(questions.ask(WORKER, WORKER, "id", QUESTION, key=f"{WORKER}:502") for _ in range(3))
    )

    assert len({a.reference for a in asked}) == 1
    assert await _count(db, "questions") == 1


async def test_questions_of_other_updates_are_stored_apart(
    questions: Questions, db: Database
) -> None:
    first = await questions.ask(WORKER, WORKER, "id", QUESTION, key=f"{WORKER}:503")
    second = await questions.ask(WORKER, WORKER, "id", QUESTION, key=f"{WORKER}:504")

    assert first.reference != second.reference
    assert await _count(db, "questions") == 2


async def test_a_reference_taken_by_another_question_gives_this_one_the_next(
    questions: Questions, db: Database, cipher: Cipher
) -> None:
    key = f"{WORKER}:505"
    taken = keyed_reference(cipher, key, 0)
    async with db.engine.begin() as connection:
        await connection.execute(
            text(
                "INSERT INTO questions (reference, state, telegram_user_id, chat_id, language,"
                " text_ciphertext, created_at, attempts)"
                " VALUES (:reference, 'open', 1, 1, 'id', 'x', CURRENT_TIMESTAMP, 0)"
            ),
            {"reference": taken},
        )

    first = await questions.ask(WORKER, WORKER, "id", QUESTION, key=key)
    again = await questions.ask(WORKER, WORKER, "id", QUESTION, key=key)

    assert first.reference == keyed_reference(cipher, key, 1)
    assert again == first
    assert await _count(db, "questions") == 2


async def test_without_a_key_every_question_is_stored(questions: Questions, db: Database) -> None:
    await questions.ask(WORKER, WORKER, "id", QUESTION)
    await questions.ask(WORKER, WORKER, "id", QUESTION)

    assert await _count(db, "questions") == 2
