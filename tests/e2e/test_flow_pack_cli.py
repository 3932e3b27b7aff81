"""`lindungi flows check`, `serve` with a wrong pack, and `serve --reuse-port` processes."""

from __future__ import annotations

import concurrent.futures
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
from sqlalchemy.engine import make_url

from tests.e2e.harness import SECRET
from tests.e2e.servers import free_port, server_env
from tests.fakebot import FakeTelegram
from tests.services import REDIS_URL, fresh_postgres, fresh_redis_prefix

TOKEN = "123456:TEST-TOKEN-abcdefghijklmnopqrstuv"
PACK = Path(__file__).resolve().parents[2] / "bench" / "peer_flow.yaml"
DONE = "Registration complete. Your reference number is REG-"


@pytest.fixture
def tg() -> Iterator[FakeTelegram]:
    with FakeTelegram(token=TOKEN) as fake:
        yield fake


def lindungi(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_flows_check_prints_the_steps_of_a_good_pack(tg: FakeTelegram, tmp_path: Path) -> None:
    done = lindungi(server_env(tg, tmp_path / "data"), "flows", "check", str(PACK))
    assert done.returncode == 0, done.stderr
    assert "peer_registration: 7 step(s)" in done.stdout
    assert "occupation: choice [occ:*]" in done.stdout
    assert done.stdout.strip().endswith("Flow pack OK.")


def test_a_wrong_pack_is_one_sentence_from_flows_check_and_from_serve(
    tg: FakeTelegram, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(PACK.read_text(encoding="utf-8").replace("'^\\d{16}$'", "'(\\d{16}'"))
    env = server_env(tg, tmp_path / "data", flow=str(bad))

    for args in (("flows", "check"), ("serve", "--port", str(free_port()))):
        done = lindungi(env, *args)
        assert done.returncode == 1, args
        assert "Traceback" not in done.stderr
        assert done.stderr.strip().count("\n") == 0, done.stderr
        assert f"{bad}: steps[1].pattern: not a regular expression" in done.stderr


def test_reuse_port_needs_redis_and_postgresql(tg: FakeTelegram, tmp_path: Path) -> None:
    done = lindungi(
        server_env(tg, tmp_path / "data"), "serve", "--port", str(free_port()), "--reuse-port"
    )
    assert done.returncode == 1
    assert "LINDUNGI_REDIS_URL" in done.stderr
    assert done.stderr.strip().count("\n") == 0


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.redis
def test_two_reuse_port_processes_share_one_port_and_every_conversation_completes(
    tg: FakeTelegram, tmp_path: Path
) -> None:
    port = free_port()
    with fresh_postgres("asyncpg") as url, fresh_redis_prefix() as prefix:
        env = server_env(
            tg,
            tmp_path / "data",
            database_url=url,
            redis_url=REDIS_URL,
            redis_prefix=prefix,
            flow=str(PACK),
        )
        # Migrated once beforehand: processes started together would race to create tables.
        assert lindungi(env, "db", "upgrade").returncode == 0
        env["LINDUNGI_AUTO_MIGRATE"] = "false"
        procs = [_serve(env, port, tmp_path / f"{name}.log") for name in ("a", "b")]
        try:
            _wait_healthy(port, procs)
            updates = tg.factory(language_code="en")
            users = list(range(556_000_000, 556_000_012))

            def converse(user: int) -> None:
                url = f"http://127.0.0.1:{port}/telegram/webhook"
                headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
                steps = [
                    updates.command(user, "/start"),
                    updates.message(user, f"Budi {user}"),
                    updates.message(user, f"{3201000000000000 + user}"),
                    updates.message(user, "+6281234567"),
                    updates.callback(user, "occ:employee"),
                    updates.callback(user, "confirm:yes"),
                ]
                for update in steps:
                    # A new connection for every update: the kernel picks a process each time.
                    answer = httpx.post(url, json=update, headers=headers, timeout=10)
                    assert answer.status_code == 200

            with concurrent.futures.ThreadPoolExecutor(max_workers=6) as pool:
                list(pool.map(converse, users))
            assert all(p.poll() is None for p in procs)
            for user in users:
                texts = tg.messages(user)
                assert len(texts) == 6, texts
                assert texts[-1].startswith(DONE)
            dsn = make_url(url).set(drivername="postgresql").render_as_string(False)
            with psycopg.connect(dsn) as conn:
                row = conn.execute("SELECT count(*) FROM flow_submissions").fetchone()
            assert row == (len(users),)
        finally:
            for proc in procs:
                proc.terminate()
                proc.wait(10)


def _serve(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "serve", "--port", str(port), "--reuse-port"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def _wait_healthy(port: int, procs: list[subprocess.Popen[bytes]], timeout: float = 30) -> None:
    """Until one process answers; the other already listens and serves once it has started."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert all(p.poll() is None for p in procs), "a server exited"
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise TimeoutError("the servers did not come up")
