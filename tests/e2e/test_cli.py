"""The `lindungi` command as a user runs it: output, exit codes, one-sentence errors."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.servers import server_env
from tests.fakebot import FakeTelegram

TOKEN = "123456:TEST-TOKEN-abcdefghijklmnopqrstuv"


@pytest.fixture
def tg() -> Iterator[FakeTelegram]:
    with FakeTelegram(token=TOKEN) as fake:
        yield fake


def lindungi(
    env: dict[str, str], *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def env(tg: FakeTelegram, tmp_path: Path) -> dict[str, str]:
    return server_env(tg, tmp_path / "data")


def test_officials_add_prints_the_api_token_alone_on_the_last_line(env: dict[str, str]) -> None:
    done = lindungi(
        env, "officials", "add", "--name", "Siti Rahma", "--role", "reviewer", "--region", "36.04"
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert lines[-1].startswith("lnd_")
    assert " " not in lines[-1]
    assert any(line.startswith("password: ") for line in lines)


def test_a_wrong_role_is_one_sentence_on_stderr_without_a_traceback(env: dict[str, str]) -> None:
    done = lindungi(env, "officials", "add", "--name", "X Y", "--role", "boss")
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().count("\n") == 0
    assert "role" in done.stderr.lower()


def test_programs_check_lists_the_programs_and_the_serang_discrepancy(env: dict[str, str]) -> None:
    done = lindungi(env, "programs", "check")
    assert done.returncode == 0, done.stderr
    assert "21,434" in done.stdout
    assert "21,234" in done.stdout


def test_programs_check_names_the_file_field_and_problem(
    env: dict[str, str], tmp_path: Path
) -> None:
    folder = tmp_path / "programs"
    folder.mkdir()
    (folder / "broken.yaml").write_text("id: broken\nname: Broken\n")
    done = lindungi(env, "programs", "check", str(folder))
    assert done.returncode == 1
    assert "broken.yaml" in done.stderr


def test_regions_import_loads_a_region_file_and_refuses_a_bad_one(
    env: dict[str, str], tmp_path: Path
) -> None:
    good = tmp_path / "wilayah.csv"
    good.write_text("kode,nama\n36,Banten\n36.04,Kabupaten Serang\n")
    done = lindungi(env, "regions", "import", str(good))
    assert done.returncode == 0, done.stderr
    assert "Imported 2 regions" in done.stdout
    bad = tmp_path / "bad.csv"
    bad.write_text("kode,nama\n3x.04,Nowhere\n")
    done = lindungi(env, "regions", "import", str(bad))
    assert done.returncode != 0
    assert "Traceback" not in done.stderr


def test_webhook_set_info_and_delete_talk_to_telegram(
    env: dict[str, str], tg: FakeTelegram
) -> None:
    env = {**env, "LINDUNGI_PUBLIC_URL": "https://lindungi.example.go.id"}
    done = lindungi(env, "webhook", "set")
    assert done.returncode == 0, done.stderr
    call = tg.calls_to("setWebhook")[-1]
    assert call.params["url"] == "https://lindungi.example.go.id/telegram/webhook"
    assert call.params["secret_token"] == env["LINDUNGI_WEBHOOK_SECRET"]
    assert "callback_query" in call.params["allowed_updates"]
    info = lindungi(env, "webhook", "info")
    assert "https://lindungi.example.go.id/telegram/webhook" in info.stdout
    assert lindungi(env, "webhook", "delete").returncode == 0
    assert "(none" in lindungi(env, "webhook", "info").stdout


def test_webhook_set_without_a_public_url_says_what_to_set(env: dict[str, str]) -> None:
    done = lindungi(env, "webhook", "set")
    assert done.returncode != 0
    assert "LINDUNGI_PUBLIC_URL" in done.stderr


def test_serve_refuses_several_workers_without_redis(env: dict[str, str]) -> None:
    done = lindungi(env, "serve", "--workers", "2")
    assert done.returncode != 0
    assert "LINDUNGI_REDIS_URL" in done.stderr


def test_chat_runs_a_conversation_in_the_terminal(env: dict[str, str]) -> None:
    done = lindungi(env, "chat", stdin="#1\nAhmad Fauzi\n3604011205800001\nexit\n")
    assert done.returncode == 0, done.stderr
    assert "selamat datang" in done.stdout
    assert "nama lengkap" in done.stdout
    assert "12 Mei 1980" in done.stdout


def test_poll_answers_updates_fetched_from_telegram(env: dict[str, str], tg: FakeTelegram) -> None:
    updates = tg.factory()
    tg.push_update(updates.command(4242, "/start"))
    proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "poll"], env=env)
    try:
        deadline = time.monotonic() + 30
        while not tg.messages(4242) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert "selamat datang" in tg.messages(4242)[0]
    finally:
        proc.terminate()
        proc.wait(15)
    assert proc.returncode == 0


def test_db_upgrade_reports_an_up_to_date_database(env: dict[str, str]) -> None:
    done = lindungi(env, "db", "upgrade")
    assert done.returncode == 0
    assert "up to date" in done.stdout


def test_keys_rotate_re_encrypts_stored_niks_so_they_read_with_the_new_key_alone(
    env: dict[str, str], tmp_path: Path
) -> None:
    import asyncio

    from bot.settings import _new_key
    from storage.infra.crypto import Cipher
    from storage.infra.db import Database
    from storage.infra.migrate import upgrade
    from storage.repos.registrations import Registrations
    from tests.integration.conftest import make_registration

    old, new = _new_key(), _new_key()
    url = f"sqlite+aiosqlite:///{tmp_path / 'rot.sqlite3'}"
    upgrade(url)

    async def store() -> None:
        db = Database.from_url(url)
        make = make_registration.__wrapped__()  # type: ignore[attr-defined]
        await Registrations(db, Cipher(old)).submit(make(nik="3604011205800001"))
        await db.dispose()

    asyncio.run(store())
    env = {
        **env,
        "LINDUNGI_DATABASE_URL": url,
        "LINDUNGI_ENCRYPTION_KEY": new,
        "LINDUNGI_PREVIOUS_ENCRYPTION_KEYS": old,
    }
    done = lindungi(env, "keys", "rotate")
    assert done.returncode == 0, done.stderr
    assert "Re-encrypted 1 NIK" in done.stdout
    assert "can now be removed" in done.stdout
    again = lindungi(env, "keys", "rotate")  # run again (after stopping, say): nothing left
    assert again.returncode == 0, again.stderr
    assert "Re-encrypted 0 NIK" in again.stdout

    async def read() -> object:
        db = Database.from_url(url)
        try:
            return await Registrations(db, Cipher(new)).find_by_nik("3604011205800001")
        finally:
            await db.dispose()

    assert asyncio.run(read()) is not None
