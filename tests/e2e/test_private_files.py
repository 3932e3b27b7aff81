"""What `lindungi` writes to disk is private to its account, and a blank secret is refused."""

from __future__ import annotations

import asyncio
import base64
import os
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.settings import Settings
from storage.infra.crypto import Cipher
from storage.infra.state import SqliteStateStore
from tests.e2e.servers import server_env
from tests.e2e.test_cli import lindungi
from tests.fakebot import FakeTelegram


@pytest.fixture
def permissive_umask() -> Iterator[None]:
    """The usual umask of a server account (022): files readable by everyone unless asked."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def _key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.usefixtures("permissive_umask")
def test_the_data_folder_database_and_generated_secrets_are_readable_by_the_owner_only(
    tmp_path: Path,
) -> None:
    with FakeTelegram(token="123456:TEST-TOKEN-abcdefghijklmnopqrstuv") as tg:
        data = tmp_path / "data"
        env = server_env(tg, data)
        del env["LINDUNGI_WEBHOOK_SECRET"]  # generated into the data folder
        added = lindungi(env, "officials", "add", "--name", "Siti Rahma", "--role", "admin")
        assert added.returncode == 0, added.stderr
        exported = lindungi(
            env, "export", "-o", str(data / "export.csv"), "--reason", "Unggah massal BPJS"
        )
    assert exported.returncode == 0, exported.stderr
    Settings(data_dir=data).resolved_webhook_secret()  # as `serve` does at start
    asyncio.run(SqliteStateStore(data / "state.sqlite3", Cipher(_key())).close())
    assert _mode(data) == 0o700
    database = data / "lindungi.sqlite3"
    assert _mode(database) == 0o600
    for extra in (data / "lindungi.sqlite3-wal", data / "lindungi.sqlite3-shm"):
        if extra.exists():
            assert _mode(extra) == 0o600
    assert _mode(data / "encryption_key") == 0o600
    assert _mode(data / "webhook_secret") == 0o600
    assert _mode(data / "export.csv") == 0o600
    assert _mode(data / "state.sqlite3") == 0o600
    for path in data.iterdir():
        assert not _mode(path) & 0o077, f"{path.name} is readable by others"


def test_a_set_but_empty_webhook_secret_stops_the_server_with_one_sentence(
    tmp_path: Path,
) -> None:
    with FakeTelegram(token="123456:TEST-TOKEN-abcdefghijklmnopqrstuv") as tg:
        env = server_env(tg, tmp_path / "data", webhook_secret="")
        done = lindungi(env, "serve", "--port", "0")
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert "LINDUNGI_WEBHOOK_SECRET" in done.stderr
    assert done.stderr.strip().count("\n") == 0
