"""Officials' accounts: API tokens and passwords work for their owner and nobody else."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import text, update
from sqlmodel import select

from storage.errors import ConflictError
from storage.infra.db import Database
from storage.models import ApiToken, Official, utcnow
from storage.repos import audit
from storage.repos.officials import TOKEN_LIFETIME, Officials

# Cheap argon2 parameters keep these tests fast; production uses the library's defaults.
FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture
def officials(db: Database) -> Officials:
    return Officials(db, FAST)


async def test_a_new_officials_token_authenticates_them(officials: Officials) -> None:
    official, _, token = await officials.create("rina", "Rina Wati", "reviewer", "36.04")

    found = await officials.authenticate_token(token)

    assert found is not None
    assert (found.id, found.role, found.region) == (official.id, "reviewer", "36.04")


async def test_using_a_token_records_when_it_was_last_used(
    officials: Officials, db: Database
) -> None:
    _, _, token = await officials.create("budi", "Budi", "admin", None)

    await officials.authenticate_token(token)

    async with db.session() as session:
        row = (await session.exec(select(ApiToken))).one()
    assert row.last_used_at is not None


async def test_a_wrong_token_is_refused(officials: Officials) -> None:
    await officials.create("rina", "Rina Wati", "reviewer", "36.04")

    assert await officials.authenticate_token("lnd_not-a-real-token") is None


async def test_a_revoked_token_is_refused(officials: Officials, db: Database) -> None:
    _, _, token = await officials.create("rina", "Rina Wati", "reviewer", None)
    async with db.engine.begin() as connection:
        await connection.execute(text("UPDATE api_tokens SET revoked_at = CURRENT_TIMESTAMP"))

    assert await officials.authenticate_token(token) is None


async def test_the_token_and_password_are_not_stored_in_plain_text(
    officials: Officials, db: Database
) -> None:
    _, password, token = await officials.create("rina", "Rina Wati", "reviewer", None)

    async with db.engine.connect() as connection:
        tokens = (await connection.execute(text("SELECT * FROM api_tokens"))).all()
        people = (await connection.execute(text("SELECT * FROM officials"))).all()
    raw = " ".join(str(value) for row in [*tokens, *people] for value in row)

    assert token not in raw
    assert password not in raw
    assert hashlib.sha256(token.encode()).hexdigest() in raw


async def test_the_right_password_is_accepted(officials: Officials) -> None:
    official, password, _ = await officials.create("rina", "Rina Wati", "reviewer", None)

    found = await officials.verify_password("Rina", password)

    assert found is not None
    assert found.id == official.id


async def test_a_wrong_password_is_refused(officials: Officials) -> None:
    await officials.create("rina", "Rina Wati", "reviewer", None)

    assert await officials.verify_password("rina", "wrong password") is None


async def test_an_unknown_username_is_refused(officials: Officials) -> None:
    assert await officials.verify_password("nobody", "anything") is None


async def test_an_expired_token_is_refused(officials: Officials, db: Database) -> None:
    _, _, token = await officials.create("rina", "Rina Wati", "reviewer", None)
    assert await officials.authenticate_token(token) is not None
    async with db.session() as session:
        await session.exec(update(ApiToken).values(expires_at=utcnow() - timedelta(seconds=1)))
        await session.commit()

    assert await officials.authenticate_token(token) is None


async def test_a_new_officials_token_expires_after_the_default_lifetime(
    officials: Officials, db: Database
) -> None:
    await officials.create("rina", "Rina Wati", "reviewer", None)

    async with db.session() as session:
        row = (await session.exec(select(ApiToken))).one()
    assert row.expires_at is not None
    assert abs(row.expires_at - (utcnow() + TOKEN_LIFETIME)) < timedelta(minutes=1)
    assert row.read_only is False


async def test_an_outdated_password_hash_is_upgraded_on_login(db: Database) -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    official, password, _ = await Officials(db, weak).create("rina", "Rina", "reviewer", None)
    stronger = PasswordHasher(time_cost=2, memory_cost=16, parallelism=1)

    assert await Officials(db, stronger).verify_password("rina", password) is not None

    async with db.session() as session:
        row = await session.get(Official, official.id)
    assert row is not None
    assert not stronger.check_needs_rehash(row.password_hash)


async def test_a_bad_role_is_refused_with_a_clear_sentence(officials: Officials) -> None:
    with pytest.raises(ValueError, match="role 'boss' is not valid: it must be 'admin' or"):
        await officials.create("rina", "Rina", "boss", None)


async def test_a_bad_region_code_is_refused_with_a_clear_sentence(officials: Officials) -> None:
    with pytest.raises(ValueError, match="region '3604' is not a Kemendagri code"):
        await officials.create("rina", "Rina", "reviewer", "3604")


async def test_a_username_taken_before_is_refused(officials: Officials) -> None:
    await officials.create("rina", "Rina Wati", "reviewer", None)

    with pytest.raises(ConflictError, match="rina"):
        await officials.create("Rina", "Rina Lain", "admin", None)


async def test_creating_an_official_is_audited(officials: Officials, db: Database) -> None:
    official, _, _ = await officials.create("rina", "Rina Wati", "reviewer", "36.04")

    entries = await audit.recent(db, 10)

    assert [(e.action, e.subject_type, e.subject_id) for e in entries] == [
        ("official.created", "official", str(official.id))
    ]
    assert entries[0].detail == {"role": "reviewer", "region": "36.04"}
