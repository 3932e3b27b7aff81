"""Migrations: a fresh database upgrades to exactly the tables the models describe."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from storage.infra.migrate import current, head, run_with_connection, upgrade
from storage.models import metadata


def test_migrations_match_the_models(empty_database_url: str) -> None:
    upgrade(empty_database_url)

    differences = run_with_connection(
        empty_database_url,
        lambda connection: compare_metadata(
            MigrationContext.configure(connection, opts={"compare_type": True}), metadata
        ),
    )

    assert differences == []


def test_a_fresh_database_is_at_no_revision_until_upgraded(empty_database_url: str) -> None:
    assert current(empty_database_url) is None

    upgrade(empty_database_url)

    assert current(empty_database_url) == head()


def test_upgrading_twice_is_harmless(empty_database_url: str) -> None:
    upgrade(empty_database_url)
    upgrade(empty_database_url)

    assert current(empty_database_url) == head()


def test_upgrade_creates_the_folder_of_a_new_sqlite_file(tmp_path: Path) -> None:
    path = tmp_path / "not" / "yet" / "lindungi.sqlite3"

    upgrade(f"sqlite+aiosqlite:///{path}")

    assert path.exists()


def test_upgrade_works_from_any_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    upgrade("sqlite+aiosqlite:///elsewhere.sqlite3")

    assert current("sqlite+aiosqlite:///elsewhere.sqlite3") == head()


async def test_upgrade_inside_an_event_loop_says_to_use_a_thread(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'lindungi.sqlite3'}"

    with pytest.raises(RuntimeError, match="to_thread"):
        upgrade(url)
    await asyncio.to_thread(upgrade, url)

    assert await asyncio.to_thread(current, url) == head()
