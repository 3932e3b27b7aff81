"""The database handle: readiness checks, SQLite settings, and the audit trail's order."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from storage.infra.db import Database
from storage.repos import audit


async def test_a_reachable_database_answers_a_ping(db: Database) -> None:
    await db.ping()


async def test_an_unreachable_database_fails_the_ping() -> None:
    database = Database.from_url("postgresql+psycopg://postgres@127.0.0.1:1/nothing")
    try:
        with pytest.raises(DBAPIError):
            await database.ping()
    finally:
        await database.dispose()


async def test_sqlite_uses_wal_and_enforces_foreign_keys(db: Database) -> None:
    if not db.is_sqlite:
        pytest.skip("SQLite settings only")

    async with db.engine.connect() as connection:
        journal = (await connection.execute(text("PRAGMA journal_mode"))).scalar()
        foreign_keys = (await connection.execute(text("PRAGMA foreign_keys"))).scalar()
        synchronous = (await connection.execute(text("PRAGMA synchronous"))).scalar()

    assert (journal, foreign_keys, synchronous) == ("wal", 1, 1)


async def test_the_audit_trail_lists_the_newest_entries_first(db: Database) -> None:
    async with db.session() as session:
        for number in range(3):
            await audit.record(session, "system", "test.happened", "test", number, {"n": number})
        await session.commit()

    entries = await audit.recent(db, 2)

    assert [(e.subject_id, e.detail) for e in entries] == [("2", {"n": 2}), ("1", {"n": 1})]


async def test_audit_entries_are_written_only_with_their_transaction(db: Database) -> None:
    async with db.session() as session:
        await audit.record(session, "system", "test.rolled_back", "test", 1)
        await session.rollback()

    assert await audit.recent(db, 10) == []
