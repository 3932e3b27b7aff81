"""Real server processes: a SIGKILL loses nothing; two processes handle one chat in turn;
SIGTERM while an update is being handled answers it 200, its reply reaches Telegram and leaves
the outbox, and the process then exits by itself."""

from __future__ import annotations

import concurrent.futures
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.servers import ServerProcess, server_env
from tests.fakebot import FakeTelegram
from tests.services import REDIS_URL, fresh_postgres, fresh_redis_prefix

pytestmark = pytest.mark.slow

TOKEN = "123456:TEST-TOKEN-abcdefghijklmnopqrstuv"
BOT_API_DELAY = 2.0  # seconds the fake Telegram takes to answer each call (SIGTERM test)


@pytest.fixture
def tg() -> Iterator[FakeTelegram]:
    with FakeTelegram(token=TOKEN) as fake:
        yield fake


@pytest.fixture(
    params=[
        "embedded",
        pytest.param("postgres+redis", marks=[pytest.mark.postgres, pytest.mark.redis]),
    ]
)
def env(
    request: pytest.FixtureRequest, tg: FakeTelegram, tmp_path: Path
) -> Iterator[dict[str, str]]:
    if request.param == "embedded":
        yield server_env(tg, tmp_path / "data")
        return
    with fresh_postgres() as url, fresh_redis_prefix() as prefix:
        yield server_env(
            tg, tmp_path / "data", database_url=url, redis_url=REDIS_URL, redis_prefix=prefix
        )


def test_a_conversation_continues_after_the_server_is_killed(
    tg: FakeTelegram, env: dict[str, str], tmp_path: Path
) -> None:
    updates = tg.factory()
    user = 555_000_001
    server = ServerProcess(env, tmp_path / "server.log").start()
    try:
        assert server.post(updates.command(user, "/daftar")).status_code == 200
        assert server.post(updates.message(user, "Ahmad Fauzi")).status_code == 200
        assert "NIK" in tg.messages(user)[-1]
        server.kill()
        server = ServerProcess(env, tmp_path / "server.log").start()
        assert server.post(updates.message(user, "3604011205800001")).status_code == 200
        assert "12 Mei 1980" in tg.messages(user)[-1]
    finally:
        server.stop()


def test_an_update_redelivered_after_a_kill_is_not_answered_twice(
    tg: FakeTelegram, env: dict[str, str], tmp_path: Path
) -> None:
    updates = tg.factory()
    user = 555_000_002
    server = ServerProcess(env, tmp_path / "server.log").start()
    try:
        server.post(updates.command(user, "/daftar"))
        name = updates.message(user, "Ahmad Fauzi")
        server.post(name)
        sent = len(tg.messages(user))
        server.kill()
        server = ServerProcess(env, tmp_path / "server.log").start()
        assert server.post(name).status_code == 200
        assert len(tg.messages(user)) == sent
    finally:
        server.stop()


@pytest.mark.postgres
@pytest.mark.redis
def test_two_processes_handle_one_chats_updates_one_after_the_other(
    tg: FakeTelegram, tmp_path: Path
) -> None:
    with fresh_postgres() as url, fresh_redis_prefix() as prefix:
        env = server_env(
            tg, tmp_path / "data", database_url=url, redis_url=REDIS_URL, redis_prefix=prefix
        )
        first = ServerProcess(env, tmp_path / "a.log").start()
        second = ServerProcess(env, tmp_path / "b.log").start()
        try:
            updates = tg.factory()
            chats = list(range(555_100_000, 555_100_010))
            for user in chats:
                first.post(updates.command(user, "/daftar"))
            pairs = [(updates.message(u, "Ahmad"), updates.message(u, "Budi")) for u in chats]
            with concurrent.futures.ThreadPoolExecutor(max_workers=20) as pool:
                futures = [pool.submit(first.post, a) for a, _ in pairs]
                futures += [pool.submit(second.post, b) for _, b in pairs]
                assert all(f.result().status_code == 200 for f in futures)
            for user in chats:
                texts = tg.messages(user)[-2:]
                # One name was taken and the NIK asked; the other answer was then read as a NIK.
                # Handled at the same time, both would have been taken as the name.
                assert sum("Ketik NIK" in t for t in texts) == 1, texts
                assert sum("NIK hanya berisi angka" in t for t in texts) == 1, texts
        finally:
            first.stop()
            second.stop()


def test_an_update_in_flight_at_sigterm_is_finished_before_the_server_exits(
    tg: FakeTelegram, env: dict[str, str], tmp_path: Path
) -> None:
    updates = tg.factory()
    user = 555_200_001
    log = tmp_path / "server.log"
    server = ServerProcess(env, log).start()
    assert server.proc is not None
    try:
        tg.delay(BOT_API_DELAY)
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            answer = pool.submit(server.post, updates.command(user, "/daftar"))
            time.sleep(BOT_API_DELAY / 3)  # the reply is now waiting for Telegram's answer
            assert not answer.done()
            assert tg.count("sendMessage") == 0
            server.proc.send_signal(signal.SIGTERM)
            assert answer.result(timeout=15).status_code == 200
        # Both replies of /daftar went out: the first was under way at SIGTERM.
        assert "nama lengkap" in tg.messages(user)[-1]
        sent = tg.count("sendMessage")
        assert sent == 2
        # uvicorn re-raises the signal once it has shut down cleanly.
        assert server.proc.wait(15) in (0, -signal.SIGTERM)
    finally:
        server.stop()
    text = log.read_text()
    assert "Traceback" not in text and "[error" not in text, text

    # The reply left the outbox: a new process's sweeper does not send it again.
    tg.delay(0)
    server = ServerProcess(env, log).start()
    try:
        time.sleep(2.5)  # more than two sweeps
        assert tg.count("sendMessage") == sent
        assert server.post(updates.message(user, "Ahmad Fauzi")).status_code == 200
        assert "NIK" in tg.messages(user)[-1]
    finally:
        server.stop()
