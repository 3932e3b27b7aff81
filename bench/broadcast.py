"""Broadcast benchmark: N recipients through `lindungi worker` processes and a fake Bot API
enforcing 30 messages/s, with injected 429s and ~2% blocked chats; then again with every
worker SIGKILLed halfway and restarted. Prints sustained rate, busiest second, duplicates,
reach, and the machine.

    .venv/bin/python bench/broadcast.py [--recipients 21434] [--workers 2] [--scenario both]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (
    DEFAULT_PG_URL,
    DEFAULT_REDIS_URL,
    RESULTS,
    ROOT,
    FakeBotProcess,
    PostgresRedisBackend,
    _stop,
    machine_info,
    server_env,
)
from storage.infra.db import Database
from storage.infra.migrate import upgrade
from storage.repos.broadcasts import Broadcasts
from tests.fakebot.remote import RemoteFakeTelegram

FIRST_CHAT = 6_000_000_000
TEXT = "<b>Pendaftaran gratis</b> BPJS Ketenagakerjaan untuk nelayan sampai 31 Januari."


def _dsn(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def load_chats(database_url: str, n: int) -> None:
    now = datetime.now(UTC)
    with psycopg.connect(_dsn(database_url)) as conn, conn.cursor() as cur:
        columns = "chat_id, user_id, language, first_seen, last_seen, opted_out"
        with cur.copy(f"COPY worker_chats ({columns}) FROM STDIN") as copy:
            for chat in range(FIRST_CHAT, FIRST_CHAT + n):
                copy.write_row((chat, chat, "id", now, now, False))


async def create_broadcast(database_url: str) -> int:
    db = Database.from_url(database_url)
    try:
        return await Broadcasts(db).create(TEXT, {}, created_by="bench")
    finally:
        await db.dispose()


def counts(database_url: str, broadcast_id: int) -> dict[str, Any]:
    with psycopg.connect(_dsn(database_url)) as conn:
        rows = conn.execute(
            "SELECT status, count(*) FROM broadcast_recipients WHERE broadcast_id = %s "
            "GROUP BY status",
            (broadcast_id,),
        ).fetchall()
        state = conn.execute("SELECT status FROM broadcasts WHERE id = %s", (broadcast_id,))
        result: dict[str, Any] = {str(s): int(c) for s, c in rows}
        result["broadcast"] = state.fetchone()[0]  # type: ignore[index]
        result["uncertain"] = conn.execute(
            "SELECT count(*) FROM broadcast_recipients WHERE error LIKE 'resent:%%'"
        ).fetchone()[0]  # type: ignore[index]
    return result


def start_workers(env: dict[str, str], n: int, log: Path) -> list[subprocess.Popen[bytes]]:
    argv = [sys.executable, "-m", "bot.cli", "worker"]
    with log.open("ab") as out:
        return [
            subprocess.Popen(argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
            for _ in range(n)
        ]


def inject_429s(fake: RemoteFakeTelegram, count: int, every: float, stop: threading.Event) -> None:
    """`count` 429s (retry_after 1 s), spread evenly over the expected run."""
    for _ in range(count):
        if stop.wait(every):
            return
        fake.fail_next(1, code=429, retry_after=1)


def run(args: argparse.Namespace, kill: bool, work: Path) -> dict[str, Any]:
    n = args.recipients
    with (
        FakeBotProcess(work / "fakebot.log") as fake_proc,
        PostgresRedisBackend(DEFAULT_PG_URL, DEFAULT_REDIS_URL) as backend,
    ):
        fake = RemoteFakeTelegram(fake_proc.url)
        fake.set_rate_limit(args.rate)
        store = backend.settings()
        upgrade(store["database_url"])
        load_chats(store["database_url"], n)
        blocked = random.Random(6).sample(range(FIRST_CHAT, FIRST_CHAT + n), round(n * 0.02))
        for chat in blocked:
            fake.block(chat)
        env = server_env(
            fake_proc.url,
            work / "data",
            **store,
            auto_migrate="false",
            encryption_key="YmVuY2gtYnJvYWRjYXN0LWtleS0zMi1ieXRlcyEhISE=",
            send_rate=str(args.rate),
            log_level="WARNING",
        )
        workers = start_workers(env, args.workers, work / "workers.log")
        stop = threading.Event()
        every = n / args.rate / (args.injected_429 + 1)
        injector = threading.Thread(
            target=inject_429s, args=(fake, args.injected_429, every, stop), daemon=True
        )
        broadcast_id = asyncio.run(create_broadcast(store["database_url"]))
        started = time.monotonic()
        injector.start()
        killed_at = None
        try:
            while True:
                time.sleep(2)
                c = counts(store["database_url"], broadcast_id)
                done = c.get("sent", 0) + c.get("blocked", 0) + c.get("failed", 0)
                print(f"  {time.monotonic() - started:6.0f}s  {c}", flush=True)
                if kill and killed_at is None and done >= n // 2:
                    for proc in workers:
                        proc.kill()
                        proc.wait()
                    killed_at = done
                    print(f"  SIGKILL of every worker at {done} recipients; restarting", flush=True)
                    workers = start_workers(env, args.workers, work / "workers.log")
                if c["broadcast"] == "done" or time.monotonic() - started > args.timeout:
                    break
        finally:
            stop.set()
            for proc in workers:
                _stop(proc)
        elapsed = time.monotonic() - started
        final = counts(store["database_url"], broadcast_id)
        calls = httpx.get(f"{fake_proc.url}/_calls", params={"method": "sendMessage"}, timeout=60)
        stats = fake.stats()
        fake.close()
    ok = sorted(c["at"] for c in calls.json() if c["status"] == 200)
    if args.dump_calls:
        timeline = sorted((c["at"], c["status"]) for c in calls.json())
        Path(args.dump_calls).write_text(json.dumps(timeline))
    per_chat = Counter(int(c["params"]["chat_id"]) for c in calls.json() if c["status"] == 200)
    statuses = Counter(c["status"] for c in calls.json())
    reachable = set(range(FIRST_CHAT, FIRST_CHAT + n)) - set(blocked)
    return {
        "scenario": "sigkill-halfway" if kill else "plain",
        "recipients": n,
        "blocked_in_fake": len(blocked),
        "workers": args.workers,
        "elapsed_s": round(elapsed, 1),
        "delivered": len(ok),
        "sustained_rate_per_s": round((len(ok) - 1) / (ok[-1] - ok[0]), 2) if len(ok) > 1 else 0,
        **_pace(ok, args.rate),
        "max_in_any_1s_window": stats["max_per_second"],
        "duplicates": sum(v - 1 for v in per_chat.values() if v > 1),
        "missed": len(reachable - set(per_chat)),
        "reached_all_non_blocked": reachable <= set(per_chat),
        "calls_by_status": dict(statuses),
        "injected_429": args.injected_429,
        "recipient_rows": {k: v for k, v in final.items() if k != "broadcast"},
        "broadcast_status": final["broadcast"],
        "killed_at": killed_at,
    }


def _pace(ok: list[float], rate: int) -> dict[str, Any]:
    """Where the time went: the mean span of `rate` deliveries in a row (1 s at best), and the
    longest pauses between two deliveries (429 pauses, a restart) with when they began."""
    spans = [ok[k + rate] - ok[k] for k in range(len(ok) - rate)]
    gaps = sorted(((ok[k + 1] - ok[k], ok[k] - ok[0]) for k in range(len(ok) - 1)), reverse=True)
    return {
        "mean_span_of_rate_messages_s": round(sum(spans) / len(spans), 4) if spans else None,
        "longest_gaps_s": [[round(g, 3), round(at, 1)] for g, at in gaps[:8]],
        "time_in_gaps_over_0.2s": round(sum(g for g, _ in gaps if g > 0.2), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=21_434)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rate", type=int, default=30)
    parser.add_argument("--injected-429", type=int, default=4)
    parser.add_argument("--scenario", choices=["plain", "kill", "both"], default="both")
    parser.add_argument("--timeout", type=float, default=3600)
    parser.add_argument("--dump-calls", help="write every call's (time, status) to this file")
    args = parser.parse_args()
    machine = machine_info(DEFAULT_PG_URL, DEFAULT_REDIS_URL)
    print(json.dumps({k: machine[k] for k in ("cpu", "cores", "python", "postgresql", "redis")}))
    results = []
    for kill in {"plain": [False], "kill": [True], "both": [False, True]}[args.scenario]:
        with tempfile.TemporaryDirectory() as tmp:
            result = run(args, kill, Path(tmp))
        print(json.dumps(result, indent=2), flush=True)
        results.append(result)
        RESULTS.mkdir(exist_ok=True)
        name = "" if args.scenario == "both" else f"-{args.scenario}"
        out = RESULTS / f"broadcast-{args.recipients}{name}.json"
        out.write_text(json.dumps({"machine": machine, "runs": results}, indent=2))
        print(f"written to {out}")


if __name__ == "__main__":
    main()
