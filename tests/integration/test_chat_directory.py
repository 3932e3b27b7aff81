"""The broadcast directory written in batches by the update processor's DirectoryWriter."""

from __future__ import annotations

from sqlalchemy import text

from storage.infra.db import Database
from storage.repos.chats import DirectoryWriter, WorkerChats


async def rows(db: Database) -> dict[int, dict[str, object]]:
    async with db.engine.connect() as conn:
        result = await conn.execute(text("SELECT chat_id, language, blocked_at FROM worker_chats"))
        return {row.chat_id: dict(row._mapping) for row in result}


async def test_chats_noted_are_written_together_and_then_known(db: Database) -> None:
    writer = DirectoryWriter(WorkerChats(db), interval=60)
    assert not writer.note_seen(1, 1, "id", "2026-11-23:id")
    assert not writer.note_seen(2, 2, "en", "2026-11-23:en")
    assert await rows(db) == {}  # nothing written yet: the caller does not remember them
    await writer.flush()
    assert {k: v["language"] for k, v in (await rows(db)).items()} == {1: "id", 2: "en"}
    assert writer.note_seen(1, 1, "id", "2026-11-23:id")  # stored: remembered from now on
    assert not writer.note_seen(1, 1, "en", "2026-11-23:en")  # a new language is written
    await writer.close()
    assert (await rows(db))[1]["language"] == "en"


async def test_a_process_that_dies_before_writing_loses_no_chat(db: Database) -> None:
    dead = DirectoryWriter(WorkerChats(db), interval=60)
    assert not dead.note_seen(7, 7, "id", "2026-11-23:id")  # then the process is killed
    fresh = DirectoryWriter(WorkerChats(db), interval=0.01)
    assert not fresh.note_seen(7, 7, "id", "2026-11-23:id")  # the next update notes it again
    await fresh.close()
    assert 7 in await rows(db)


async def test_a_chat_blocked_before_its_entry_was_written_stays_blocked(db: Database) -> None:
    writer = DirectoryWriter(WorkerChats(db), interval=60)
    writer.note_seen(9, 9, "id", "2026-11-23:id")
    await writer.mark_blocked(9)
    await writer.close()
    assert (await rows(db))[9]["blocked_at"] is not None
