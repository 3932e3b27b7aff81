"""The embedded state backend: a SQLite file plus in-process asyncio locks, for one process.

WAL journal with ``synchronous=NORMAL``, which keeps every committed write if the process is
killed. Calls are sub-millisecond, so they run directly on the event loop. A chat's lock is
an ``asyncio.Lock`` (``storage.infra.locks.LocalLocks``): it has no lease, so it is never
lost while held (``LostLock`` does not happen here), and waiters enter in the order they came.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

from storage.infra.crypto import Cipher
from storage.infra.files import private_file
from storage.infra.locks import LocalLocks
from storage.infra.state import codec
from storage.infra.state.protocol import HeldChat


class _SqliteHeld(HeldChat):
    __slots__ = ("_store",)

    def __init__(self, store: SqliteStateStore, chat_id: int, doc: dict[str, Any] | None) -> None:
        super().__init__(chat_id, doc)
        self._store = store

    async def save(self, doc: dict[str, Any]) -> None:
        await self._store.save(self.chat_id, doc)


class SqliteStateStore:
    """Embedded state store for one process: SQLite file plus in-process asyncio locks."""

    def __init__(self, path: Path, cipher: Cipher) -> None:
        path = Path(path)
        # Conversations (encrypted) and their metadata: private from the start.
        private_file(path)
        self.path = path
        self._cipher = cipher
        self._locks = LocalLocks()
        # Autocommit: every statement is its own transaction. Only the event loop's thread
        # uses the connection, but it may have been created on another thread.
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA busy_timeout=2000")
        # A forgotten chat's document is zeroed in the file, not left in free space.
        self._db.execute("PRAGMA secure_delete=ON")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS chat_state ("
            "chat_id INTEGER PRIMARY KEY, doc BLOB NOT NULL, "
            "has_outbox INTEGER NOT NULL DEFAULT 0, updated_at REAL NOT NULL)"
        )
        self._db.execute(
            "CREATE INDEX IF NOT EXISTS chat_state_has_outbox "
            "ON chat_state (has_outbox, updated_at)"
        )

    async def load(self, chat_id: int) -> dict[str, Any] | None:
        sql = "SELECT doc FROM chat_state WHERE chat_id = ?"
        row = self._db.execute(sql, (chat_id,)).fetchone()
        if row is None:
            return None
        return codec.decode(self._cipher, chat_id, bytes(row[0]))

    async def save(self, chat_id: int, doc: dict[str, Any]) -> None:
        self._db.execute(
            "INSERT INTO chat_state (chat_id, doc, has_outbox, updated_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (chat_id) DO UPDATE SET doc = excluded.doc, "
            "has_outbox = excluded.has_outbox, updated_at = excluded.updated_at",
            (chat_id, codec.encode(self._cipher, doc), int(codec.has_outbox(doc)), time.time()),
        )

    async def delete(self, chat_id: int) -> None:
        self._db.execute("DELETE FROM chat_state WHERE chat_id = ?", (chat_id,))
        # Earlier versions of the document stay in the write-ahead log until it is emptied.
        self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def lock(self, chat_id: int, timeout: float = 30.0) -> AbstractAsyncContextManager[None]:
        return self._locks.hold(chat_id, timeout)

    def hold(
        self, chat_id: int, timeout: float = 30.0, *, order: int = 0
    ) -> AbstractAsyncContextManager[HeldChat]:
        # One process: its tasks queue in the order they came (asyncio.Lock is fair).
        return self._hold(chat_id, timeout)

    @asynccontextmanager
    async def _hold(self, chat_id: int, max_wait: float) -> AsyncIterator[HeldChat]:
        async with self._locks.hold(chat_id, max_wait):
            held = _SqliteHeld(self, chat_id, await self.load(chat_id))
            yield held
            if held.last is not None:
                await self.save(chat_id, held.last)

    async def chats_with_outbox(self, limit: int = 100) -> list[int]:
        rows = self._db.execute(
            "SELECT chat_id FROM chat_state WHERE has_outbox = 1 ORDER BY updated_at LIMIT ?",
            (limit,),
        ).fetchall()
        return [row[0] for row in rows]

    async def ping(self) -> None:
        self._db.execute("SELECT 1").fetchone()

    async def close(self) -> None:
        self._db.close()
