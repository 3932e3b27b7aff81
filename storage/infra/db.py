"""The database handle: one async engine and a session factory, built from a URL on demand.

Works with `sqlite+aiosqlite://`, `postgresql+psycopg://` and `postgresql+asyncpg://`.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.infra.files import private_file

log = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 10_000


def is_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite"


def sqlite_file(url: URL) -> Path | None:
    """The database file of a SQLite URL, or None for an in-memory database."""
    database = url.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        return None
    return Path(database)


def _set_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        # Overwritten and deleted values are zeroed in the file, not left in free space.
        cursor.execute("PRAGMA secure_delete=ON")
    finally:
        cursor.close()


def unavailable(exc: BaseException) -> bool:
    """Whether `exc` says the database cannot be reached now (down, restarting, cut off),
    rather than that a statement is wrong: the same work may succeed when it is back."""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(
        exc,
        OperationalError
        | InterfaceError
        | PoolTimeout
        | DisconnectionError
        | ConnectionError
        | TimeoutError,
    ) or (isinstance(exc, OSError) and not isinstance(exc, FileNotFoundError))


class Database:
    """Owns an `AsyncEngine`; hands out sessions that do not expire objects on commit."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._sessions = async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)

    @classmethod
    def from_url(cls, url: str, *, pool_size: int = 10) -> Database:
        parsed = make_url(url)
        options: dict[str, Any] = {}
        if is_sqlite(parsed):
            path = sqlite_file(parsed)
            if path is not None:
                # Names and phones are stored in clear: the file is private from the start.
                private_file(path)
                # Writers queue on SQLite's lock; a few connections let readers run meanwhile.
                options |= {"pool_size": pool_size, "max_overflow": 0}
            options["connect_args"] = {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
        else:
            options |= {"pool_size": pool_size, "max_overflow": pool_size, "pool_pre_ping": True}
        # A failed statement's exception text must not carry row values (names, NIK hashes,
        # phones) into logs and tracebacks: SQLAlchemy then shows the statement only.
        engine = create_async_engine(parsed, hide_parameters=True, **options)
        if is_sqlite(parsed):
            event.listen(engine.sync_engine, "connect", _set_sqlite_pragmas)
        return cls(engine)

    @property
    def url(self) -> URL:
        return self.engine.url

    @property
    def is_sqlite(self) -> bool:
        return is_sqlite(self.engine.url)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session; the caller commits. Uncommitted work is rolled back on exit."""
        async with self._sessions() as session:
            yield session

    async def ping(self) -> None:
        """Run `SELECT 1`; raises the driver's error when the database is unreachable."""
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def checkpoint(self) -> None:
        """SQLite: copy the write-ahead log into the file and empty it (old values with it).

        Nothing on PostgreSQL. Readers still using old pages make it wait (busy timeout).
        """
        if not self.is_sqlite:
            return
        async with self.engine.connect() as connection:
            busy = (await connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))).scalar()
        if busy:
            log.warning("the SQLite write-ahead log could not be emptied: readers kept it busy")

    async def dispose(self) -> None:
        await self.engine.dispose()
