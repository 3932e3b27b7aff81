"""Fixtures for database tests: every backend (SQLite, PostgreSQL via psycopg and asyncpg).

Each test module gets its own migrated database per backend; tables are emptied after each test.
"""

from __future__ import annotations

import base64
import itertools
import os
import secrets
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from storage.infra.crypto import Cipher
from storage.infra.db import Database
from storage.infra.migrate import upgrade
from storage.models import metadata
from storage.repos.registrations import NewRegistration, Registrations

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
BACKENDS = [
    "sqlite",
    pytest.param("psycopg", marks=pytest.mark.postgres),
    pytest.param("asyncpg", marks=pytest.mark.postgres),
]


def _pg_admin_dsn() -> str:
    """The maintenance database's URL as a libpq DSN (no SQLAlchemy driver name)."""
    url = make_url(os.environ.get("LINDUNGI_TEST_PG_URL", DEFAULT_PG_URL))
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _pg_unavailable(reason: str) -> None:
    message = f"PostgreSQL is not reachable ({reason}); set LINDUNGI_TEST_PG_URL to run these"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def pg_admin_dsn() -> str:
    dsn = _pg_admin_dsn()
    try:
        with psycopg.connect(dsn, connect_timeout=3):
            pass
    except psycopg.Error as exc:
        _pg_unavailable(
            str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        )
    return dsn


@contextmanager
def _empty_database(request: pytest.FixtureRequest, backend: str, tmp_path: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'lindungi.sqlite3'}"
        return
    admin_dsn: str = request.getfixturevalue("pg_admin_dsn")
    name = f"lindungi_test_{secrets.token_hex(6)}"
    with psycopg.connect(admin_dsn, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    url = make_url(admin_dsn).set(drivername=f"postgresql+{backend}", database=name)
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module", params=BACKENDS)
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A migrated database shared by the tests of one module, for each backend."""
    tmp = tmp_path_factory.mktemp("db")
    with _empty_database(request, request.param, tmp) as url:
        upgrade(url)
        yield url


@pytest.fixture(params=BACKENDS)
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database that exists but was never migrated, for each backend."""
    with _empty_database(request, request.param, tmp_path) as url:
        yield url


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database.from_url(database_url, pool_size=5)
    try:
        yield database
    finally:
        async with database.engine.begin() as connection:
            for table in reversed(metadata.sorted_tables):
                await connection.execute(text(f"DELETE FROM {table.name}"))
        await database.dispose()


@pytest.fixture
def cipher() -> Cipher:
    return Cipher(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())


@pytest.fixture
def registrations(db: Database, cipher: Cipher) -> Registrations:
    return Registrations(db, cipher)


_serials = itertools.count(1)


@pytest.fixture
def make_registration() -> Callable[..., NewRegistration]:
    """Build a valid `NewRegistration` with a fresh NIK and key; override any field."""

    def make(**overrides: Any) -> NewRegistration:
        serial = next(_serials) % 10_000 or 1
        fields: dict[str, Any] = {
            "submission_key": secrets.token_hex(8),
            "full_name": "Siti Aminah",
            "nik": f"360401550590{serial:04d}",
            "birth_date": date(1990, 5, 15),
            "gender": "female",
            "phone": "+6281234567890",
            "occupation": "kader_posyandu",
            "occupation_other": None,
            "region": "36.04.01.2001",
            "regency": "36.04",
            "monthly_income": 1_500_000,
            "heir_name": "Ahmad",
            "heir_relation": "child",
            "program": "serang-2025",
            "telegram_user_id": 5_000_000_000 + serial,
            "telegram_chat_id": 5_000_000_000 + serial,
            "language": "id",
            "consent_purpose": "registration:serang-2025",
            "consent_version": "2025-01",
            "consent_text_sha256": "ab" * 32,
            "consent_at": datetime(2025, 12, 9, 3, 0, tzinfo=UTC),
        }
        fields.update(overrides)
        return NewRegistration(**fields)

    return make
