"""`lindungi officials ...` for offboarding, as an operator runs it."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from storage.infra.db import Database
from tests.e2e.servers import server_env
from tests.e2e.test_cli import lindungi
from tests.fakebot import FakeTelegram


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    with FakeTelegram(token="123456:TEST-TOKEN-abcdefghijklmnopqrstuv") as tg:
        url = f"sqlite+aiosqlite:///{tmp_path / 'officials.sqlite3'}"
        return {**server_env(tg, tmp_path / "data"), "LINDUNGI_DATABASE_URL": url}


def _owner(env: dict[str, str], token: str) -> object:
    from storage.repos.officials import Officials

    async def find() -> object:
        db = Database.from_url(env["LINDUNGI_DATABASE_URL"])
        try:
            return await Officials(db).authenticate(token)
        finally:
            await db.dispose()

    return asyncio.run(find())


def test_an_official_is_given_a_read_only_token_then_offboarded(env: dict[str, str]) -> None:
    added = lindungi(
        env,
        "officials",
        "add",
        "--name",
        "Siti Rahma",
        "--role",
        "reviewer",
        "--region",
        "36.04",
        "--username",
        "siti",
    )
    assert added.returncode == 0, added.stderr
    first = added.stdout.strip().splitlines()[-1]

    issued = lindungi(env, "officials", "token", "siti", "--read-only", "--days", "7")
    role = lindungi(env, "officials", "set-role", "siti", "admin")
    region = lindungi(env, "officials", "set-region", "siti", "none")
    reset = lindungi(env, "officials", "reset-password", "siti")
    assert issued.returncode == role.returncode == region.returncode == reset.returncode == 0
    read_only = issued.stdout.strip().splitlines()[-1]
    owner = _owner(env, read_only)
    assert owner is not None and owner.read_only  # type: ignore[attr-defined]
    assert owner.official.role == "admin"  # type: ignore[attr-defined]
    assert len(reset.stdout.strip().splitlines()[-1]) >= 16

    done = lindungi(env, "officials", "deactivate", "siti")

    assert done.returncode == 0, done.stderr
    assert "no longer work" in done.stdout
    assert _owner(env, first) is None
    assert _owner(env, read_only) is None


def test_revoke_tokens_and_an_unknown_username(env: dict[str, str]) -> None:
    lindungi(env, "officials", "add", "--name", "Budi", "--role", "admin", "--username", "budi")

    revoked = lindungi(env, "officials", "revoke-tokens", "budi")
    unknown = lindungi(env, "officials", "deactivate", "nobody")

    assert revoked.stdout.strip() == "1 API token(s) of budi revoked."
    assert unknown.returncode == 1
    assert unknown.stderr.strip() == "lindungi: no official has the username 'nobody'"
    assert "Traceback" not in unknown.stderr
