"""A flow pack's submissions: stored once per key, encrypted, re-encrypted by key rotation."""

from __future__ import annotations

import asyncio
import base64
import secrets
from collections.abc import Callable

import pytest
from alembic import command
from sqlalchemy import inspect
from sqlmodel import select

from storage.infra.crypto import Cipher
from storage.infra.db import Database
from storage.infra.migrate import alembic_config, current, run_with_connection, upgrade
from storage.models import FlowSubmission
from storage.repos import flow_submissions
from storage.repos.data_rights import DataRights
from storage.repos.flow_submissions import FlowSubmissions
from storage.repos.registrations import NewRegistration, Registrations
from storage.repos.rotation import rotate

ANSWERS = {"full_name": "Budi", "nik": "3201000000001234", "occupation": "student"}


async def test_the_same_key_stores_one_row_and_gives_the_same_reference(
    db: Database, cipher: Cipher
) -> None:
    store = FlowSubmissions(db, cipher)
    first = await store.submit("peer_registration", "42:abc", 42, 42, ANSWERS)
    again = await store.submit("peer_registration", "42:abc", 42, 42, {"other": "answers"})

    assert first.created and not again.created
    assert again.reference == first.reference
    assert first.reference.startswith("REG-") and len(first.reference) == 12
    row = await store.find("42:abc")
    assert row is not None
    assert "3201000000001234" not in row.answers_ciphertext
    assert store.answers(row) == ANSWERS


async def test_concurrent_submits_of_one_key_store_one_row(db: Database, cipher: Cipher) -> None:
    store = FlowSubmissions(db, cipher)
    results = await asyncio.gather(
        *(store.submit("peer_registration", "7:tap", 7, 7, ANSWERS) for _ in range(4))
    )
    assert len({r.reference for r in results}) == 1
    assert sum(r.created for r in results) == 1


async def test_a_taken_reference_is_drawn_again(
    db: Database, cipher: Cipher, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = FlowSubmissions(db, cipher)
    references = iter(["REG-AAAAAAAA", "REG-AAAAAAAA", "REG-BBBBBBBB"])
    monkeypatch.setattr(flow_submissions, "new_reference", lambda: next(references))
    one = await store.submit("f", "1:a", 1, 1, ANSWERS)
    two = await store.submit("f", "2:b", 2, 2, ANSWERS)
    assert (one.reference, two.reference) == ("REG-AAAAAAAA", "REG-BBBBBBBB")


async def test_key_rotation_re_encrypts_the_answers(db: Database) -> None:
    old, new = _new_key(), _new_key()
    await FlowSubmissions(db, Cipher(old)).submit("f", "3:c", 3, 3, ANSWERS)

    done = await rotate(db, Cipher(new, previous=[old]))

    assert done.flow_submissions == 1
    store = FlowSubmissions(db, Cipher(new))
    row = await store.find("3:c")
    assert row is not None
    assert store.answers(row) == ANSWERS


def _new_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def test_migration_0007_creates_and_drops_the_table(empty_database_url: str) -> None:
    url = empty_database_url
    upgrade(url, "0007")
    assert current(url) == "0007"
    assert "flow_submissions" in run_with_connection(url, lambda c: inspect(c).get_table_names())

    command.downgrade(alembic_config(url), "0006")
    assert current(url) == "0006"
    assert "flow_submissions" not in run_with_connection(
        url, lambda c: inspect(c).get_table_names()
    )


async def test_erasing_a_workers_data_also_erases_their_flow_answers(
    db: Database, cipher: Cipher, make_registration: Callable[..., NewRegistration]
) -> None:
    new = make_registration()
    await Registrations(db, cipher).submit(new)
    user = new.telegram_user_id
    store = FlowSubmissions(db, cipher)
    stored = await store.submit("peer_registration", f"{user}:k", user, user, ANSWERS)
    rights = DataRights(db, cipher)
    request = await rights.request_erasure(user)
    assert request.id is not None
    await rights.complete_erasure(request.id, "official:1")

    assert await store.find(f"{user}:k") is None  # the key named the chat
    async with db.session() as session:
        found = await session.exec(
            select(FlowSubmission).where(FlowSubmission.reference == stored.reference)
        )
        row = found.one()  # an anonymous count remains
    assert (row.telegram_user_id, row.telegram_chat_id) == (0, 0)
    assert str(user) not in row.submission_key
    assert store.answers(row) == {}
