"""Webhook throughput of one ``lindungi serve`` process while many workers register at once.

Run on demand (not a test)::

    .venv/bin/python bench/webhook.py                        # sqlite and pg, 10 and 50 users
    .venv/bin/python bench/webhook.py --configs pg --users 50 --duration 30 --reps 3

For each (configuration, users, repetition) point it starts a fresh ``lindungi serve`` process
(pinned to CPU 0 with ``taskset`` when the machine has 2+ cores) against the fake Bot API
(``python -m tests.fakebot``, its own process, pinned to CPU 1 like this load generator), then
runs a closed loop: ``users`` simulated workers, each posting its next update only once the
previous webhook POST was answered (the server answers after processing, replies sent). Every
worker does complete registrations, one fresh Telegram user id and valid unique NIK each,
exactly as ``tests/e2e/test_registration.py`` does: /start, press Daftar, name, NIK, press
Betul, share contact, press occupation, regency, type district, press village, income, heir
name, press relation, press agree, press Kirim. Buttons are pressed like a Telegram client
does: the load generator reads the bot's last message with an inline keyboard from the fake
(``GET /_chat/{id}``) and sends that message's ``callback_data`` with the message attached.

Configurations:

* ``sqlite``: SQLite + embedded state; no settings beyond data folder, token, API URL, secret.
* ``pg``: a fresh PostgreSQL database (created, then dropped) + Redis under a unique
  ``LINDUNGI_REDIS_PREFIX`` (its keys are deleted afterwards).

Measured in the window after the warm-up: updates/s, registrations/s, p50/p99 latency of a
webhook POST (and p99 of the final "Kirim" step, which stores the registration). Checked after
each point: non-200 answers, conversations that stalled (a button or the reference number did
not appear), registrations in the database == conversations whose "Kirim" was answered, the
reference numbers the workers saw are exactly those stored, no reply left in an outbox, no
Redis lock left, no failed Bot API call, the server's update outcomes and its log.

Prints the machine and a table; writes ``bench/results/webhook-<timestamp>.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import math
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root

from bench.common import (
    DEFAULT_PG_URL,
    DEFAULT_REDIS_URL,
    RESULTS,
    ROOT,
    SECRET,
    SECRET_HEADER,
    Backend,
    CpuSnapshot,
    FakeBotProcess,
    HttpConnection,
    HttpError,
    PostgresRedisBackend,
    ServerProcess,
    SqliteBackend,
    StoreReport,
    busy_cores,
    can_pin,
    cpu_affinity,
    free_port,
    machine_info,
    make_nik,
    masked_url,
    percentile,
    server_env,
    tail,
    use_uvloop,
)
from tests.walks import registration_until_summary

JSON = dict[str, Any]
CONFIGS = ("sqlite", "pg", "pg-2proc")
REFERENCE = re.compile(r"LND-[A-Z0-9]{4}-[A-Z0-9]+")
FIRST_USER_ID = 7_100_000_000
FIRST_USER_MESSAGE_ID = 1_000_000  # the fake does not see webhook updates: keep ids apart
ERROR_EXAMPLES = 8
OTHER_LOAD_WARNING = 0.2  # cores used by processes that are not part of the benchmark

# ------------------------------------------------------------------------ Telegram updates


class Updates:
    """Builds the Update JSON Telegram would POST; ``update_id`` increases across all users."""

    def __init__(self, first_update_id: int = 1) -> None:
        self._update_ids = itertools.count(first_update_id)
        self._query_ids = itertools.count(1)

    @staticmethod
    def _user(user_id: int) -> JSON:
        return {"id": user_id, "is_bot": False, "first_name": "Ahmad", "language_code": "id"}

    @staticmethod
    def _chat(user_id: int) -> JSON:
        return {"id": user_id, "first_name": "Ahmad", "type": "private"}

    def _message(self, user_id: int, message_id: int, content: JSON) -> JSON:
        message = {
            "message_id": message_id,
            "from": self._user(user_id),
            "chat": self._chat(user_id),
            "date": int(time.time()),
            **content,
        }
        return {"update_id": next(self._update_ids), "message": message}

    def text(self, user_id: int, message_id: int, text: str) -> JSON:
        """A text message; a leading ``/command`` gets its ``bot_command`` entity."""
        content: JSON = {"text": text}
        if text.startswith("/"):
            length = len(text.split(maxsplit=1)[0])
            content["entities"] = [{"offset": 0, "length": length, "type": "bot_command"}]
        return self._message(user_id, message_id, content)

    def contact(self, user_id: int, message_id: int, phone: str) -> JSON:
        """The user's own contact (what tapping a ``request_contact`` button sends)."""
        contact = {"phone_number": phone, "first_name": "Ahmad", "user_id": user_id}
        return self._message(user_id, message_id, {"contact": contact})

    def callback(self, user_id: int, message: JSON, data: str) -> JSON:
        """A button press on the bot's ``message``."""
        query = {
            "id": str(5_000_000_000_000 + next(self._query_ids)),
            "from": self._user(user_id),
            "message": message,
            "chat_instance": str(-(user_id * 7919 % 10**12) - 1),
            "data": data,
        }
        return {"update_id": next(self._update_ids), "callback_query": query}


# ---------------------------------------------------------------------------- load generator


class StopRun(Exception):
    """The measured window is over: the conversation is cut, not failed."""


class ConversationFailed(Exception):
    """A step was refused or the bot did not answer as a worker expects."""


@dataclass
class Tally:
    """Counts and latencies of one load run (latencies: posts inside the measured window)."""

    posts: int = 0
    ok: int = 0
    window_updates: int = 0
    window_registrations: int = 0
    conversations: int = 0
    completed: int = 0
    cut: int = 0
    failed: int = 0
    non_200: Counter[str] = field(default_factory=Counter)
    exceptions: Counter[str] = field(default_factory=Counter)
    stalled: Counter[str] = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)
    latencies: dict[str, list[float]] = field(default_factory=dict)
    references: list[str] = field(default_factory=list)
    cpu: dict[str, float] = field(default_factory=dict)

    def note(self, text: str) -> None:
        if len(self.examples) < ERROR_EXAMPLES:
            self.examples.append(text)


class LoadGenerator:
    """``users`` closed-loop workers registering against one webhook until the window ends."""

    def __init__(
        self,
        webhook_url: str,
        fake_url: str,
        *,
        users: int,
        warmup: float,
        duration: float,
        cpu_pids: dict[str, int],
        first_user: int,
        first_nik: int,
    ) -> None:
        self.webhook_url = webhook_url
        self.webhook_path = httpx.URL(webhook_url).path
        self.fake_url = fake_url
        self.users = users
        self.warmup = warmup
        self.duration = duration
        self.cpu_pids = cpu_pids
        self.updates = Updates()
        self.tally = Tally()
        self._user_ids = itertools.count(first_user)
        self._niks = itertools.count(first_nik)
        self.t_measure = self.t_end = 0.0

    async def run(self) -> Tally:
        """Run the warm-up and the measured window; returns the tally."""
        start = time.perf_counter()
        self.t_measure = start + self.warmup
        self.t_end = self.t_measure + self.duration
        await asyncio.gather(self._measure_cpu(), *(self._worker() for _ in range(self.users)))
        return self.tally

    async def _measure_cpu(self) -> None:
        await asyncio.sleep(max(0.0, self.t_measure - time.perf_counter()))
        before = CpuSnapshot.take(self.cpu_pids)
        await asyncio.sleep(max(0.0, self.t_end - time.perf_counter()))
        self.tally.cpu = CpuSnapshot.take(self.cpu_pids).utilisation_since(before)

    async def _worker(self) -> None:
        """One simulated worker: registrations one after the other until the window ends."""
        bot = HttpConnection(self.webhook_url, {SECRET_HEADER: SECRET})
        fake = HttpConnection(self.fake_url)
        try:
            while time.perf_counter() < self.t_end:
                chat = Chat(self, bot, fake, next(self._user_ids), make_nik(next(self._niks)))
                self.tally.conversations += 1
                try:
                    await chat.register()
                except StopRun:
                    self.tally.cut += 1
                    return
                except ConversationFailed as exc:
                    self.tally.failed += 1
                    self.tally.note(str(exc))
                    await asyncio.sleep(0.05)
        finally:
            await bot.close()
            await fake.close()

    def record(self, step: str, started: float, ended: float) -> None:
        """One webhook POST answered 200."""
        self.tally.ok += 1
        if started >= self.t_measure and ended <= self.t_end:
            self.tally.window_updates += 1
            self.tally.latencies.setdefault(step, []).append(ended - started)
            if step == "kirim":
                self.tally.window_registrations += 1


class Chat:
    """One worker's private chat with the bot, driven like a Telegram client."""

    def __init__(
        self,
        gen: LoadGenerator,
        bot: HttpConnection,
        fake: HttpConnection,
        user_id: int,
        nik: str,
    ) -> None:
        self.gen = gen
        self.bot = bot
        self.fake = fake
        self.user_id = user_id
        self.nik = nik
        self.phone = f"62812{user_id % 10**8:08d}"
        self._message_ids = itertools.count(FIRST_USER_MESSAGE_ID)
        self._seen = 0  # bot messages seen in this chat so far

    async def until_summary(self) -> None:
        """Every step of a registration up to the summary (before "Kirim"): tests/walks.py."""
        for action in registration_until_summary(self.nik, self.phone):
            if action.kind == "press":
                await self.press(action.step, action.value)
            elif action.kind == "contact":
                update = self.gen.updates.contact(self.user_id, self._mid(), action.value)
                await self.post(action.step, update)
            else:  # a message; a command is one too, with its entity (Updates.text)
                await self.say(action.step, action.value)

    async def register(self) -> None:
        """The shared registration walk (as the e2e tests replay it), then "Kirim"."""
        await self.until_summary()
        await self.press("kirim", "Kirim")
        self.gen.tally.completed += 1
        last = (await self.view("reference"))[-1].get("text", "")
        found = REFERENCE.search(last)
        if found is None:
            self.gen.tally.stalled["reference"] += 1
            raise ConversationFailed(f"no reference number after Kirim: {last[:120]!r}")
        self.gen.tally.references.append(found.group())

    def _mid(self) -> int:
        return next(self._message_ids)

    async def say(self, step: str, text: str) -> None:
        await self.post(step, self.gen.updates.text(self.user_id, self._mid(), text))

    async def press(self, step: str, label: str) -> None:
        """Press the button containing ``label`` on the last bot message with buttons."""
        messages = await self.view(step)
        wanted = label.lower()
        for message in reversed(messages):
            keyboard = (message.get("reply_markup") or {}).get("inline_keyboard")
            if not keyboard:
                continue
            for row in keyboard:
                for button in row:
                    if wanted in button.get("text", "").lower() and "callback_data" in button:
                        update = self.gen.updates.callback(
                            self.user_id, message, button["callback_data"]
                        )
                        await self.post(step, update)
                        return
            break
        self.gen.tally.stalled[step] += 1
        last = messages[-1].get("text", "") if messages else ""
        raise ConversationFailed(f"{step}: no {label!r} button; last message {last[:120]!r}")

    async def view(self, step: str) -> list[JSON]:
        """The bot's messages in this chat as the user sees them; one more since last time."""
        try:
            status, body = await self.fake.request("GET", f"/_chat/{self.user_id}")
        except HttpError as exc:
            self.gen.tally.exceptions["fake Bot API"] += 1
            raise ConversationFailed(f"before {step}: fake Bot API: {exc}") from exc
        if status != 200:
            self.gen.tally.exceptions["fake Bot API"] += 1
            raise ConversationFailed(f"before {step}: fake Bot API answered {status}")
        messages: list[JSON] = orjson.loads(body)["messages"]
        if len(messages) <= self._seen:
            self.gen.tally.stalled[step] += 1
            raise ConversationFailed(f"before {step}: the bot did not answer the previous update")
        self._seen = len(messages)
        return messages

    async def post(self, step: str, update: JSON) -> None:
        """POST one update to the webhook and wait for the answer (closed loop)."""
        tally = self.gen.tally
        if time.perf_counter() >= self.gen.t_end:
            raise StopRun
        body = orjson.dumps(update)
        started = time.perf_counter()
        tally.posts += 1
        try:
            status, answer = await self.bot.request("POST", self.gen.webhook_path, body)
        except HttpError as exc:
            tally.exceptions[str(exc).split(":", 1)[0]] += 1
            raise ConversationFailed(f"{step}: {exc}") from exc
        ended = time.perf_counter()
        if status != 200:
            tally.non_200[str(status)] += 1
            raise ConversationFailed(f"{step}: HTTP {status} {answer[:120]!r}")
        self.gen.record(step, started, ended)


# ------------------------------------------------------------------------------ one point


@dataclass
class Options:
    """Command-line options."""

    configs: list[str]
    users: list[int]
    duration: float
    warmup: float
    reps: int
    pin: bool
    pg_url: str
    redis_url: str
    settings: dict[str, str] = field(default_factory=dict)


def scrape_metrics(server_url: str) -> dict[str, dict[str, float]]:
    """Update outcomes and Bot API call results from the server's ``/metrics``."""
    text = httpx.get(f"{server_url}/metrics", timeout=10, trust_env=False).text
    found: dict[str, dict[str, float]] = {"updates": {}, "api_calls": {}}
    for line in text.splitlines():
        if line.startswith("lindungi_updates_total{"):
            labels, value = line.rsplit(" ", 1)
            outcome = re.search(r'outcome="([^"]*)"', labels)
            if outcome:
                found["updates"][outcome.group(1)] = float(value)
        elif line.startswith("lindungi_bot_api_calls_total{"):
            labels, value = line.rsplit(" ", 1)
            pairs = dict(re.findall(r'(\w+)="([^"]*)"', labels))
            found["api_calls"][f"{pairs.get('method')}:{pairs.get('result')}"] = float(value)
    return found


def log_problems(log: Path) -> dict[str, Any]:
    """Counts of error lines and tracebacks in a server log, with the last lines if any."""
    text = log.read_text(errors="replace") if log.exists() else ""
    errors = sum(1 for line in text.splitlines() if "ERROR" in line or "CRITICAL" in line)
    tracebacks = text.count("Traceback (most recent call last)")
    out: dict[str, Any] = {"error_lines": errors, "tracebacks": tracebacks}
    if errors or tracebacks:
        out["tail"] = tail(log, 40)
    return out


@contextlib.contextmanager
def backend_for(config: str, opts: Options, data_dir: Path) -> Iterator[Backend]:
    """A fresh backend of the named configuration, cleaned up afterwards."""
    if config == "sqlite":
        yield SqliteBackend(data_dir)
    elif config in ("pg", "pg-2proc"):
        with PostgresRedisBackend(opts.pg_url, opts.redis_url) as backend:
            yield backend
    else:
        raise ValueError(f"unknown configuration {config!r}; known: {', '.join(CONFIGS)}")


def run_point(
    config: str, users: int, rep: int, opts: Options, fake: FakeBotProcess, work: Path, seq: int
) -> JSON:
    """One fresh server + backend, one load run, then the consistency checks."""
    httpx.post(f"{fake.url}/_reset", timeout=10, trust_env=False).raise_for_status()
    point_dir = work / f"{config}-u{users}-r{rep}"
    data_dir = point_dir / "data"
    data_dir.mkdir(parents=True)
    log = point_dir / "server.log"
    with backend_for(config, opts, data_dir) as backend:
        env = server_env(fake.url, data_dir, **opts.settings, **backend.settings())
        with contextlib.ExitStack() as servers:
            if config == "pg-2proc":
                # Two `serve --reuse-port` processes on one port, on both cores (the load side
                # shares them); migrated once beforehand, as the README says.
                upgrade = [sys.executable, "-m", "bot.cli", "db", "upgrade"]
                subprocess.run(upgrade, cwd=ROOT, env=env, check=True, capture_output=True)
                env = {**env, "LINDUNGI_AUTO_MIGRATE": "false"}
                port = free_port()
                procs = [
                    servers.enter_context(
                        ServerProcess(env, log, port=port, args=("--reuse-port",))
                    )
                    for _ in range(2)
                ]
            else:
                procs = [
                    servers.enter_context(ServerProcess(env, log, cpus="0" if opts.pin else None))
                ]
            server = procs[0]
            pids = {f"server{i or ''}": proc.pid for i, proc in enumerate(procs)}
            generator = LoadGenerator(
                f"{server.url}/telegram/webhook",
                fake.url,
                users=users,
                warmup=opts.warmup,
                duration=opts.duration,
                cpu_pids={**pids, "fake": fake.pid},
                first_user=7_100_000_000 + seq * 10_000_000,
                first_nik=seq * 1_000_000,
            )
            pin_load = opts.pin and config != "pg-2proc"
            with cpu_affinity({1} if pin_load else None):
                tally = asyncio.run(generator.run())
            # Both processes' CPU counts as the server's; their metrics are added up.
            for name in list(pids)[1:]:
                tally.cpu["server"] += tally.cpu.pop(name)
            metrics = _add_metrics(
                [scrape_metrics(f"http://127.0.0.1:{proc.port}") for proc in procs]
            )
        store = backend.report()
    fake_stats = httpx.get(f"{fake.url}/_stats", timeout=30, trust_env=False).json()
    return summarise_point(config, users, rep, opts, tally, store, metrics, fake_stats, log)


def _add_metrics(scrapes: list[dict[str, dict[str, float]]]) -> dict[str, dict[str, float]]:
    total: dict[str, dict[str, float]] = {}
    for scrape in scrapes:
        for family, values in scrape.items():
            for key, value in values.items():
                total.setdefault(family, {})
                total[family][key] = total[family].get(key, 0.0) + value
    return total


def summarise_point(
    config: str,
    users: int,
    rep: int,
    opts: Options,
    tally: Tally,
    store: StoreReport,
    metrics: dict[str, dict[str, float]],
    fake_stats: JSON,
    log: Path,
) -> JSON:
    """The JSON record of one point: figures, errors and consistency checks."""
    all_latencies = [x for values in tally.latencies.values() for x in values]
    stored, seen = Counter(store.references), Counter(tally.references)
    bad_outcomes = {k: v for k, v in metrics["updates"].items() if k in ("failed", "error")}
    failed_api = {k: v for k, v in metrics["api_calls"].items() if not k.endswith(":ok")}
    checks = {
        "no_non_200": not tally.non_200 and not tally.exceptions,
        "no_stalled_conversation": not tally.stalled,
        "rows_eq_completed": len(store.references) == tally.completed,
        "references_match": stored == seen and len(seen) == tally.completed,
        "outbox_empty": store.outbox_chats == 0,
        "no_lock_left": store.locks_left == 0,
        "no_failed_update": not bad_outcomes,
        "no_failed_bot_api_call": not failed_api and not fake_stats.get("errors"),
        "no_duplicate_reply": fake_stats.get("duplicates", 0) == 0,
    }
    problems = log_problems(log)
    checks["clean_server_log"] = not problems["error_lines"] and not problems["tracebacks"]
    cpu = tally.cpu
    return {
        "config": config,
        "users": users,
        "rep": rep,
        "pinned": opts.pin,
        "duration_s": opts.duration,
        "warmup_s": opts.warmup,
        "updates_per_s": tally.window_updates / opts.duration,
        "registrations_per_s": tally.window_registrations / opts.duration,
        "p50_ms": percentile(all_latencies, 50) * 1e3,
        "p90_ms": percentile(all_latencies, 90) * 1e3,
        "p99_ms": percentile(all_latencies, 99) * 1e3,
        "max_ms": max(all_latencies, default=float("nan")) * 1e3,
        "kirim_p50_ms": percentile(tally.latencies.get("kirim", []), 50) * 1e3,
        "kirim_p99_ms": percentile(tally.latencies.get("kirim", []), 99) * 1e3,
        "step_p99_ms": {
            step: round(percentile(values, 99) * 1e3, 2) for step, values in tally.latencies.items()
        },
        "server_cpu_ms_per_update": cpu.get("server", float("nan"))
        * opts.duration
        / max(1, tally.window_updates)
        * 1e3,
        "cpu_utilisation": {k: round(v, 3) for k, v in cpu.items()},
        "posts": tally.posts,
        "answered_200": tally.ok,
        "errors": tally.posts - tally.ok,
        "non_200": dict(tally.non_200),
        "exceptions": dict(tally.exceptions),
        "conversations": tally.conversations,
        "completed": tally.completed,
        "cut_by_end_of_run": tally.cut,
        "failed_conversations": tally.failed,
        "stalled_at": dict(tally.stalled),
        "error_examples": tally.examples,
        "db_registrations": len(store.references),
        "state_chats": store.chats,
        "outbox_chats": store.outbox_chats,
        "locks_left": store.locks_left,
        "server_update_outcomes": metrics["updates"],
        "server_bot_api_calls": metrics["api_calls"],
        "fake_bot_api": {
            "calls": fake_stats.get("calls", {}),
            "errors": fake_stats.get("errors", {}),
            "duplicates": fake_stats.get("duplicates", 0),
            "max_per_second": fake_stats.get("max_per_second", 0),
        },
        "server_log": problems,
        "checks": checks,
        "consistent": all(checks.values()),
    }


# ---------------------------------------------------------------------------- reporting


def _median(rows: list[JSON], key: str) -> float:
    values = [r[key] for r in rows if r[key] == r[key]]  # drop NaN
    return statistics.median(values) if values else float("nan")


def summary_rows(runs: list[JSON]) -> list[JSON]:
    """Medians over repetitions per (configuration, users); errors and checks over all."""
    groups: dict[tuple[str, int], list[JSON]] = {}
    for run in runs:
        groups.setdefault((run["config"], run["users"]), []).append(run)
    rows = []
    for (config, users), group in groups.items():
        row: JSON = {"config": config, "users": users, "reps": len(group)}
        for key in (
            "updates_per_s",
            "registrations_per_s",
            "p50_ms",
            "p99_ms",
            "kirim_p99_ms",
            "server_cpu_ms_per_update",
        ):
            row[key] = _median(group, key)
        row["server_cpu"] = statistics.median(
            r["cpu_utilisation"].get("server", float("nan")) for r in group
        )
        row["load_core"] = statistics.median(
            r["cpu_utilisation"].get("cpu1", float("nan")) for r in group
        )
        row["other_load"] = statistics.median(
            r["cpu_utilisation"].get("other", float("nan")) for r in group
        )
        row["errors"] = sum(r["errors"] for r in group)
        row["stalled"] = sum(sum(r["stalled_at"].values()) for r in group)
        row["completed"] = sum(r["completed"] for r in group)
        row["db_rows"] = sum(r["db_registrations"] for r in group)
        row["consistent"] = all(r["consistent"] for r in group)
        row["failed_checks"] = sorted(
            {name for r in group for name, ok in r["checks"].items() if not ok}
        )
        rows.append(row)
    return rows


LABELS = {"sqlite": "SQLite + embedded state", "pg": "PostgreSQL + Redis"}


def without_nan(value: Any) -> Any:
    """``value`` with every NaN float replaced by None (JSON has no NaN)."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: without_nan(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [without_nan(v) for v in value]
    return value


def _num(value: float, digits: int) -> str:
    return "-" if math.isnan(value) else f"{value:.{digits}f}"


def table(rows: list[JSON]) -> str:
    """A Markdown table of the summary rows."""
    lines = [
        "| configuration | users | updates/s | regs/s | p50 ms | p99 ms | Kirim p99 ms "
        "| server CPU ms/update | server cores | CPU 1 busy | other load | errors | stalled "
        "| DB rows = completed | consistent |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        consistent = "yes" if r["consistent"] else "NO: " + ", ".join(r["failed_checks"])
        lines.append(
            f"| {LABELS.get(r['config'], r['config'])} | {r['users']} "
            f"| {_num(r['updates_per_s'], 0)} | {_num(r['registrations_per_s'], 1)} "
            f"| {_num(r['p50_ms'], 1)} | {_num(r['p99_ms'], 0)} | {_num(r['kirim_p99_ms'], 0)} "
            f"| {_num(r['server_cpu_ms_per_update'], 2)} | {_num(r['server_cpu'], 2)} "
            f"| {_num(r['load_core'], 2)} | {_num(r['other_load'], 2)} "
            f"| {r['errors']} | {r['stalled']} "
            f"| {r['db_rows']} = {r['completed']} | {consistent} |"
        )
    return "\n".join(lines)


def machine_text(machine: JSON, opts: Options) -> str:
    """The machine facts as a few lines."""
    pkgs = machine["packages"]
    return "\n".join(
        [
            f"CPU: {machine['cpu']}, {machine['cores']} cores, {machine['memory_gib']} GiB, "
            f"kernel {machine['kernel']}",
            f"Python {machine['python']}, SQLite {machine['sqlite']}, "
            f"PostgreSQL {machine.get('postgresql', '-')}, Redis {machine.get('redis', '-')}",
            f"uvicorn {pkgs['uvicorn']}, uvloop {pkgs['uvloop']}, FastAPI {pkgs['fastapi']}, "
            f"PTB {pkgs['python-telegram-bot']}, SQLAlchemy {pkgs['SQLAlchemy']}, "
            f"httpx {pkgs['httpx']}",
            f"git {machine['git_commit']}{' (uncommitted changes)' if machine['git_dirty'] else ''}"
            f"; placement: "
            + (
                "server on CPU 0, fake Bot API + load generator on CPU 1 (taskset)"
                if opts.pin
                else "not pinned"
            )
            + f"; {opts.warmup:g} s warm-up + {opts.duration:g} s measured, {opts.reps} rep(s)",
            "extra settings: "
            + (
                ", ".join(f"LINDUNGI_{k.upper()}={v}" for k, v in opts.settings.items())
                or "none (defaults)"
            ),
        ]
    )


# ---------------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(
        prog="bench/webhook.py",
        description="Webhook updates/s and latency of one `lindungi serve` process.",
    )
    parser.add_argument("--configs", default="sqlite,pg", help="comma-separated: sqlite,pg")
    parser.add_argument("--users", default="10,50", help="concurrent workers, comma-separated")
    parser.add_argument("--duration", type=float, default=20.0, help="measured seconds")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds before measuring")
    parser.add_argument("--reps", type=int, default=1, help="repetitions (medians reported)")
    parser.add_argument("--no-pin", action="store_true", help="do not pin CPUs with taskset")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL, help="PostgreSQL admin URL")
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="extra server setting for every configuration, e.g. send_rate=100000 "
        "(becomes LINDUNGI_SEND_RATE); repeatable",
    )
    args = parser.parse_args(argv)
    settings: dict[str, str] = {}
    for item in args.set:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            parser.error(f"--set wants NAME=VALUE, not {item!r}")
        settings[name.strip().lower().removeprefix("lindungi_")] = value
    configs = [c.strip() for c in args.configs.split(",") if c.strip()]
    unknown = [c for c in configs if c not in CONFIGS]
    if unknown:
        parser.error(f"unknown configuration(s) {unknown}; known: {', '.join(CONFIGS)}")
    users = [int(u) for u in args.users.split(",") if u.strip()]
    if not users or min(users) < 1 or args.duration <= 0 or args.warmup < 0 or args.reps < 1:
        parser.error("users, duration and reps must be positive; warm-up not negative")
    return Options(
        configs=configs,
        users=users,
        duration=args.duration,
        warmup=args.warmup,
        reps=args.reps,
        pin=not args.no_pin and can_pin(),
        pg_url=args.pg_url,
        redis_url=args.redis_url,
        settings=settings,
    )


def main(argv: list[str] | None = None) -> int:
    """Run every point, print the machine and the table, write the JSON; 1 if inconsistent."""
    opts = parse_args(argv)
    use_uvloop()
    uses_pg = "pg" in opts.configs
    machine = machine_info(opts.pg_url if uses_pg else None, opts.redis_url if uses_pg else None)
    machine["busy_cores_before_start"] = round(busy_cores(1.0), 2)
    print(machine_text(machine, opts), flush=True)
    if machine["busy_cores_before_start"] > OTHER_LOAD_WARNING:
        print(
            f"WARNING: the machine was already using {machine['busy_cores_before_start']} cores "
            "before the benchmark started; figures will be disturbed.",
            flush=True,
        )
    started = datetime.now(UTC)
    runs: list[JSON] = []
    with (
        tempfile.TemporaryDirectory(prefix="lindungi-bench-") as tmp,
        FakeBotProcess(Path(tmp) / "fake.log", cpus="1" if opts.pin else None) as fake,
    ):
        seq = 0
        for rep in range(1, opts.reps + 1):  # interleaved: drift hits every point alike
            for config in opts.configs:
                for users in opts.users:
                    seq += 1
                    print(f"{config} users={users} rep={rep} ...", end=" ", flush=True)
                    run = run_point(config, users, rep, opts, fake, Path(tmp), seq)
                    runs.append(run)
                    print(
                        f"{run['updates_per_s']:.0f} updates/s, "
                        f"p50 {run['p50_ms']:.1f} ms, p99 {run['p99_ms']:.0f} ms, "
                        f"errors {run['errors']}, "
                        f"{'consistent' if run['consistent'] else 'INCONSISTENT'}",
                        flush=True,
                    )
    rows = summary_rows(runs)
    print()
    print(table(rows))
    disturbed = max((r["cpu_utilisation"].get("other", 0.0) for r in runs), default=0.0)
    if disturbed > OTHER_LOAD_WARNING:
        print(
            f"\nWARNING: other processes used up to {disturbed:.2f} cores during a measured "
            "window; the figures are disturbed (see cpu_utilisation.other in the JSON)."
        )
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"webhook-{started.strftime('%Y%m%d-%H%M%S')}.json"
    document = {
        "benchmark": "webhook",
        "started_at": started.isoformat(),
        "machine": machine,
        "options": {**asdict(opts), "pg_url": masked_url(opts.pg_url)},
        "summary": rows,
        "runs": runs,
    }
    path.write_text(json.dumps(without_nan(document), indent=2, default=str) + "\n")
    print(f"\nwrote {path.relative_to(RESULTS.parents[1])}")
    return 0 if all(r["consistent"] for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
