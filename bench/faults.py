"""Faults while workers register: updates lost, messages doubled, longest webhook wait.

Twenty simulated workers register at once through a real `lindungi serve` (PostgreSQL and
Redis of this script's own, which it kills) and a fake Bot API, posting updates as Telegram
does: an update not answered 200 is delivered again (after 1, 2, 4, … at most 5 seconds)
until it is. One scenario per fault:

- ``redis``: Redis killed for 5 s, then started again (its append-only file kept);
- ``postgres``: PostgreSQL killed for 5 s, then started again;
- ``telegram``: the Bot API answers 502 to every sending call for 10 s.

Per scenario it prints: registrations completed and stored, updates lost (a registration not
finished within the time limit), messages doubled (the same text twice in one chat), the
longest webhook answer, how many answers were not 200, and whether everything recovered
without restarting anything. Run: ``.venv/bin/python bench/faults.py [--scenario redis]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root

from bench.common import ServerProcess, machine_info, server_env
from tests.fakebot import FakeTelegram
from tests.faults.services import OwnPostgres, OwnRedis, OwnServer
from tests.walks import registration_until_summary

TOKEN = "123456:TEST-TOKEN-abcdefghijklmnopqrstuv"
SECRET = "bench-secret"
WORKERS = 20
FAULT_AT = 2.0  # seconds after the workers start
LIMIT = 120.0  # seconds for every registration to finish


@dataclass
class Outcome:
    scenario: str
    workers: int
    completed: int = 0
    stored: int = 0
    lost: int = 0
    doubled: int = 0
    not_200: int = 0
    longest_webhook_s: float = 0.0
    recovered_without_restart: bool = False
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)


class Worker:
    """One worker's chat, driven like a Telegram client that redelivers unanswered updates."""

    def __init__(self, n: int, tg: FakeTelegram, client: httpx.AsyncClient, out: Outcome) -> None:
        self.user_id = 910_000_000 + n
        self.nik = f"360401{(n % 28) + 1:02d}0580{n + 1:04d}"
        self.tg, self.client, self.out = tg, client, out
        self.updates = tg.factory()

    async def post(self, update: dict[str, Any]) -> None:
        pause = 1.0
        while True:
            started = time.perf_counter()
            try:
                answer = await self.client.post(
                    "/telegram/webhook",
                    json=update,
                    headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
                    timeout=60,
                )
                status = answer.status_code
            except httpx.HTTPError:
                status = 0
            waited = time.perf_counter() - started
            self.out.longest_webhook_s = max(self.out.longest_webhook_s, waited)
            if status == 200:
                return
            self.out.not_200 += 1
            await asyncio.sleep(pause)  # Telegram delivers it again later
            pause = min(pause * 2, 5.0)

    async def answered(self, before: int) -> list[dict[str, Any]]:
        """The chat's messages once the bot answered (replies may wait in an outbox)."""
        deadline = time.monotonic() + LIMIT
        while time.monotonic() < deadline:
            mine = [m for m in self.tg.sent if m["chat"]["id"] == self.user_id]
            if len(mine) > before:
                return mine
            await asyncio.sleep(0.1)
        raise TimeoutError("no answer")

    async def register(self) -> bool:
        seen = 0
        phone = f"62812{self.user_id % 10**8:08d}"
        actions = [*registration_until_summary(self.nik, phone)]
        for action in [*actions, type(actions[0])("kirim", "press", "Kirim")]:
            mine = [m for m in self.tg.sent if m["chat"]["id"] == self.user_id]
            if action.kind == "press":
                update = self._press(mine, action.value)
            elif action.kind == "contact":
                update = self.updates.contact(self.user_id, action.value)
            elif action.kind == "command":
                update = self.updates.command(self.user_id, action.value.lstrip("/"))
            else:
                update = self.updates.message(self.user_id, action.value)
            await self.post(update)
            seen = len(await self.answered(len(mine)))
        last = [m for m in self.tg.sent if m["chat"]["id"] == self.user_id][seen - 1]
        return "LND-" in str(last.get("text", ""))

    def _press(self, mine: list[dict[str, Any]], label: str) -> dict[str, Any]:
        for message in reversed(mine):
            for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
                for button in row:
                    if label.lower() in button.get("text", "").lower():
                        return self.updates.callback(
                            self.user_id, button["callback_data"], message["message_id"]
                        )
        raise LookupError(f"no {label!r} button")


async def _fault(scenario: str, tg: FakeTelegram, redis: OwnServer, pg: OwnServer) -> None:
    await asyncio.sleep(FAULT_AT)
    if scenario == "telegram":
        tg.fail_next(1_000_000, code=502)
        await asyncio.sleep(10)
        tg.clear_failures()
        return
    server = redis if scenario == "redis" else pg
    server.kill()
    await asyncio.sleep(5)
    await asyncio.to_thread(server.start)


async def _drive(
    scenario: str, tg: FakeTelegram, url: str, redis: OwnServer, pg: OwnServer
) -> Outcome:
    out = Outcome(scenario, WORKERS)
    async with httpx.AsyncClient(base_url=url) as client:
        workers = [Worker(n, tg, client, out) for n in range(WORKERS)]
        fault = asyncio.create_task(_fault(scenario, tg, redis, pg))
        started = time.perf_counter()
        results = await asyncio.gather(
            *(asyncio.wait_for(w.register(), LIMIT) for w in workers), return_exceptions=True
        )
        out.seconds = round(time.perf_counter() - started, 1)
        await fault
    out.completed = sum(1 for r in results if r is True)
    out.lost = WORKERS - out.completed
    out.problems = sorted({f"{type(r).__name__}: {r}" for r in results if r is not True})[:5]
    doubled = tg.duplicates()
    out.doubled = len(doubled)
    out.problems += [f"sent {n}x to {chat}: {text[:60]!r}" for (chat, text), n in doubled.items()]
    out.longest_webhook_s = round(out.longest_webhook_s, 2)
    return out


def _stored(pg_url: str) -> int:
    import psycopg

    with psycopg.connect(pg_url.replace("postgresql+psycopg", "postgresql")) as conn:
        row = conn.execute("SELECT count(*) FROM registrations").fetchone()
        return int(row[0]) if row else 0


def run(scenario: str, folder: Path) -> Outcome:
    redis, pg = OwnRedis(folder / f"{scenario}-redis"), OwnPostgres(folder / f"{scenario}-pg")
    pg.init()
    redis.start()
    pg.start()
    try:
        with FakeTelegram(token=TOKEN) as tg:
            env = server_env(tg.url, folder / f"{scenario}-data")
            env |= {
                "LINDUNGI_BOT_TOKEN": TOKEN,
                "LINDUNGI_WEBHOOK_SECRET": SECRET,
                "LINDUNGI_DATABASE_URL": pg.url,
                "LINDUNGI_REDIS_URL": redis.url,
                "LINDUNGI_LOG_LEVEL": "WARNING",
            }
            log = folder / f"{scenario}-serve.log"
            with ServerProcess(env, log) as server:
                out = asyncio.run(_drive(scenario, tg, server.url, redis, pg))
                alive = server.proc is not None and server.proc.poll() is None
            out.stored = _stored(pg.url)
            out.recovered_without_restart = alive and out.completed == WORKERS
            if out.stored != out.completed:
                out.problems.append(f"{out.stored} stored for {out.completed} completed")
            return out
    finally:
        redis.kill()
        pg.kill()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--scenario", choices=["redis", "postgres", "telegram", "all"], default="all"
    )
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    opts = parser.parse_args()
    scenarios = ["redis", "postgres", "telegram"] if opts.scenario == "all" else [opts.scenario]
    folder = Path(tempfile.mkdtemp(prefix="lindungi-faults-"))
    folder.chmod(0o755)  # the PostgreSQL clusters below it run as `postgres`
    results = []
    try:
        for scenario in scenarios:
            out = run(scenario, folder)
            results.append(asdict(out))
            print(json.dumps(asdict(out)), flush=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(
        "\n| fault | completed | stored | lost | doubled | not 200 | longest webhook | recovered |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for r in results:
        print(
            f"| {r['scenario']} | {r['completed']}/{r['workers']} | {r['stored']} | {r['lost']} "
            f"| {r['doubled']} | {r['not_200']} | {r['longest_webhook_s']} s "
            f"| {'yes' if r['recovered_without_restart'] else 'no'} |"
        )
    opts.out.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (opts.out / f"faults-{stamp}.json").write_text(
        json.dumps({"machine": machine_info(None, None), "results": results}, indent=1)
    )
    return 0 if all(r["recovered_without_restart"] and not r["doubled"] for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
