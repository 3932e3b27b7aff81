"""Memory of open conversations: Redis bytes and server RSS at 10,000 chats mid-registration.

Run on demand (not a test)::

    .venv/bin/python bench/memory.py                           # pg and sqlite, 10,000 chats
    .venv/bin/python bench/memory.py --configs pg --depth summary --conversations 3000

For each configuration it starts a fresh ``lindungi serve`` process against the fake Bot API
(``python -m tests.fakebot``, its own process) and opens ``--conversations`` chats through the
webhook, each left in the middle of a registration: ``--depth nik`` sends ``/daftar``, a
name, a valid unique NIK (three updates; the bot's last message asks to confirm the birth date
read from the NIK); ``--depth summary`` goes on to the summary before "Kirim" (14 updates).
``--users`` closed-loop workers post the updates (each waits for the webhook's answer).

Measured after a warm-up of ``--warmup`` such chats (so that start-up allocations, imports and
caches are not counted) and again after the measured chats:

* ``pg`` (PostgreSQL + Redis): every key under the run's prefix, by kind (``state:``,
  ``lock:``, ``outbox``, ``send:``, other), with ``MEMORY USAGE`` (the key, its value and its
  entry in the key space) and ``STRLEN`` of the encrypted state documents; Redis
  ``used_memory`` and ``MEMORY STATS`` before and after (exact only on a Redis nobody else
  uses: by default the benchmark starts its own ``redis-server``); what a state document holds,
  field by field, from a sample decrypted with the run's key.
* ``sqlite`` (SQLite + embedded state): the size of ``state.sqlite3`` (after the server
  stopped, so the write-ahead log is checkpointed into it) and the stored documents' bytes.
* both: the server's resident memory (``VmRSS`` of ``/proc/<pid>/status``) before and after,
  and its peak (``VmHWM``).

Prints the machine and a table; writes ``bench/results/memory-<timestamp>.json``. Exit status
1 when a webhook POST was not answered 200 or a conversation did not reach its step.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import itertools
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import httpx
import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root

from bench.common import (
    DEFAULT_PG_URL,
    RESULTS,
    ROOT,
    SECRET,
    SECRET_HEADER,
    FakeBotProcess,
    HttpConnection,
    PostgresRedisBackend,
    ServerProcess,
    free_port,
    machine_info,
    make_nik,
    masked_url,
    server_env,
    tail,
    use_uvloop,
)
from bench.webhook import Chat, ConversationFailed, LoadGenerator, Updates

JSON = dict[str, Any]
CONFIGS = ("pg", "sqlite")
TARGET_REDIS_BYTES = 2048  # the goal: under 2 KB of Redis per open conversation
FIRST_USER_ID = 7_300_000_000
FIRST_UPDATE_ID = 812_000_000
# The rate limiter's keys (`send:*`) live about two seconds after the last message; measure
# once they are gone.
SETTLE_SECONDS = 3.0
CONVERSATION_KINDS = ("state", "lock", "outbox")
DOC_SAMPLE = 200  # state documents decrypted for the field-by-field breakdown
# The send rate is lifted so that 10,000 chats take a minute or two, not 1,000 s at 30
# messages a second; it changes no stored state (a per-chat send key lives ~2 s when on).
DEFAULT_SETTINGS = {"send_rate": "100000", "send_margin": "0", "send_chat_burst": "0"}

# ------------------------------------------------------------------------------- processes


def proc_status(pid: int) -> dict[str, int]:
    """``VmRSS``, ``VmHWM``, ``RssAnon``, ``RssFile`` of a process in bytes (empty if gone)."""
    found: dict[str, int] = {}
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                name, _, value = line.partition(":")
                if name in ("VmRSS", "VmHWM", "RssAnon", "RssFile"):
                    found[name] = int(value.split()[0]) * 1024
    except OSError:
        pass
    return found


class PrivateRedis:
    """A throw-away ``redis-server`` on a free port, no persistence; stopped by its pid."""

    def __init__(self, log: Path) -> None:
        self.log = log
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def __enter__(self) -> PrivateRedis:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not on PATH: pass --redis-url")
        argv = [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        argv += ["--appendonly", "no", "--daemonize", "no"]
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT)
        import redis

        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"redis-server exited:\n{tail(self.log, 20)}")
            client = redis.Redis.from_url(self.url, socket_connect_timeout=1)
            try:
                client.ping()
                return self
            except redis.RedisError:
                time.sleep(0.05)
            finally:
                client.close()
        raise TimeoutError(f"redis-server did not start:\n{tail(self.log, 20)}")

    def __exit__(self, *exc_info: object) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


# ---------------------------------------------------------------------------- conversations

DEPTHS = ("nik", "summary")


class Opener:
    """Opens chats mid-registration through the webhook, driven like ``bench/webhook.py``'s
    workers (its ``Chat``), and leaves them there.

    ``nik``: /daftar, a name, a NIK (3 updates; the bot asks to confirm the birth date).
    ``summary``: /start and every step up to the summary before "Kirim" (14 updates; the
    largest document a registration has).
    """

    def __init__(self, webhook_url: str, fake_url: str, users: int, depth: str) -> None:
        self.gen = LoadGenerator(
            webhook_url,
            fake_url,
            users=users,
            warmup=0,
            duration=0,
            cpu_pids={},
            first_user=FIRST_USER_ID,
            first_nik=0,
        )
        # Real update ids have 9-10 digits; the `recent` list of a document holds them.
        self.gen.updates = Updates(first_update_id=FIRST_UPDATE_ID)
        self.gen.t_measure, self.gen.t_end = 0.0, float("inf")
        self.webhook_url = webhook_url
        self.fake_url = fake_url
        self.users = users
        self.depth = depth
        self.tally = self.gen.tally
        self.seconds = 0.0
        self.not_at_step = 0

    async def open(self, user_ids: range, first_nik: int) -> None:
        """Open one conversation per user id; ``first_nik`` numbers their NIKs."""
        todo = iter(zip(user_ids, itertools.count(first_nik), strict=False))
        started = time.perf_counter()
        await asyncio.gather(*(self._worker(todo) for _ in range(self.users)))
        self.seconds += time.perf_counter() - started

    async def _worker(self, todo: Iterator[tuple[int, int]]) -> None:
        bot = HttpConnection(self.webhook_url, {SECRET_HEADER: SECRET})
        fake = HttpConnection(self.fake_url)
        try:
            for user_id, n in todo:
                chat = Chat(self.gen, bot, fake, user_id, make_nik(n))
                self.tally.conversations += 1
                try:
                    await self._steps(chat)
                except ConversationFailed as exc:
                    self.tally.failed += 1
                    self.tally.note(str(exc))
        finally:
            await bot.close()
            await fake.close()

    async def _steps(self, chat: Chat) -> None:
        if self.depth == "nik":
            await chat.say("daftar", "/daftar")
            await chat.say("name", "Ahmad Fauzi")
            await chat.say("nik", chat.nik)
            return
        await chat.until_summary()

    def check(self, user_ids: list[int]) -> None:
        """Count chats whose last bot message lacks the step's button (Betul, or Kirim)."""
        wanted = "Betul" if self.depth == "nik" else "Kirim"
        with httpx.Client(base_url=self.fake_url, timeout=30, trust_env=False) as client:
            for user_id in user_ids:
                messages = client.get(f"/_chat/{user_id}").json()["messages"]
                last = messages[-1] if messages else {}
                keyboard = (last.get("reply_markup") or {}).get("inline_keyboard") or []
                if not any(wanted in b.get("text", "") for row in keyboard for b in row):
                    self.not_at_step += 1
                    self.tally.note(f"chat {user_id}: last message {last.get('text', '')[:100]!r}")


# ------------------------------------------------------------------------------- Redis side


def key_kind(key: str, prefix: str) -> str:
    """``state``, ``lock``, ``outbox``, ``send`` (rate limiter) or ``other``."""
    rest = key.removeprefix(prefix)
    for kind in ("state:", "lock:", "send:"):
        if rest.startswith(kind):
            return kind[:-1]
    return "outbox" if rest == "outbox" else "other"


def redis_keys(url: str, prefix: str) -> JSON:
    """Per kind of key under ``prefix``: count and ``MEMORY USAGE`` bytes; state ``STRLEN``."""
    import redis

    client = redis.Redis.from_url(url)
    try:
        keys = [k.decode() for k in client.scan_iter(match=f"{prefix}*", count=5000)]
        kinds: dict[str, JSON] = {}
        lengths: list[int] = []
        ttls: list[int] = []
        for start in range(0, len(keys), 2000):
            batch = keys[start : start + 2000]
            pipe = client.pipeline(transaction=False)
            for key in batch:
                pipe.memory_usage(key, samples=0)
            usages = pipe.execute()
            pipe = client.pipeline(transaction=False)
            states = [k for k in batch if key_kind(k, prefix) == "state"]
            for key in states:
                pipe.strlen(key)
                pipe.ttl(key)
            answers = pipe.execute()
            lengths += answers[0::2]
            ttls += answers[1::2]
            for key, usage in zip(batch, usages, strict=True):
                kind = kinds.setdefault(key_kind(key, prefix), {"keys": 0, "memory_usage": 0})
                kind["keys"] += 1
                kind["memory_usage"] += int(usage or 0)
        memory: JSON = client.info("memory")  # type: ignore[assignment]
        stats: JSON = client.memory_stats()  # type: ignore[assignment]
        return {
            "kinds": kinds,
            "state_strlen": _spread(lengths),
            "state_ttl_days": round(statistics.median(ttls) / 86400, 1) if ttls else None,
            "used_memory": int(memory["used_memory"]),
            # Connections' buffers: they depend on how many connections the pools hold at
            # that moment, not on the conversations stored.
            "clients_normal": int(stats["clients.normal"]),
            "keyspace_hashtables": sum(int(v) for v in stats.get("db.0", {}).values()),
            "keys_in_db": int(client.dbsize()),  # type: ignore[arg-type]
            "memory_stats": {k: v for k, v in stats.items() if not isinstance(v, dict)},
        }
    finally:
        client.close()


def _spread(values: list[int]) -> JSON:
    if not values:
        return {"n": 0}
    ordered = sorted(values)
    return {
        "n": len(ordered),
        "min": ordered[0],
        "median": ordered[len(ordered) // 2],
        "max": ordered[-1],
        "mean": round(sum(ordered) / len(ordered), 1),
    }


def document_breakdown(blobs: list[bytes], key: str) -> JSON:
    """Mean bytes of each top-level field (and of each ``session`` field) of the documents,
    as compact JSON, plus the encryption's overhead and the ``recent`` list's length."""
    from storage.infra.crypto import Cipher
    from storage.infra.state import CONTEXT

    cipher = Cipher(key)
    fields: Counter[str] = Counter()
    session_fields: Counter[str] = Counter()
    recent: list[int] = []
    plain_sizes: list[int] = []
    compressed: list[int] = []
    for blob in blobs:
        plain = cipher.decrypt_bytes(blob, CONTEXT)
        plain_sizes.append(len(plain))
        compressed.append(len(zlib.compress(plain, 6)))
        doc = orjson.loads(plain)
        for name, value in doc.items():
            fields[name] += len(orjson.dumps({name: value})) - 2
        for name, value in (doc.get("session") or {}).items():
            session_fields[name] += len(orjson.dumps({name: value})) - 2
        recent.append(len(doc.get("recent", [])))
    n = max(1, len(blobs))
    return {
        "documents": len(blobs),
        "json_bytes": _spread(plain_sizes),
        "zlib_json_bytes": _spread(compressed),  # what compressing before encrypting would give
        "encryption_overhead_bytes": (sum(map(len, blobs)) - sum(plain_sizes)) / n,
        "fields_mean_bytes": {k: round(v / n, 1) for k, v in fields.most_common()},
        "session_fields_mean_bytes": {k: round(v / n, 1) for k, v in session_fields.most_common()},
        "recent_length": _spread(recent),
        "example_shape": _shape(orjson.loads(cipher.decrypt_bytes(blobs[0], CONTEXT)))
        if blobs
        else None,
    }


def _shape(value: Any) -> Any:
    """The document with personal values replaced by their type and length (no NIK printed)."""
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in value.items()}
    if isinstance(value, list):
        if value and all(isinstance(v, int) for v in value):
            return f"[{len(value)} ints]"
        return [_shape(v) for v in value[:3]] + (
            [f"... {len(value)} items"] if len(value) > 3 else []
        )
    if isinstance(value, str):
        return f"str({len(value)})"
    return value


def sample_state_blobs(url: str, prefix: str, n: int) -> list[bytes]:
    import redis

    client = redis.Redis.from_url(url)
    try:
        keys = []
        for key in client.scan_iter(match=f"{prefix}state:*", count=1000):
            keys.append(key)
            if len(keys) >= n:
                break
        if not keys:
            return []
        # The synchronous client answers at once; redis-py types it for both clients.
        values = cast("list[bytes | None]", client.mget(keys))
        return [bytes(v) for v in values if v is not None]
    finally:
        client.close()


# ----------------------------------------------------------------------------------- a run


@dataclass
class Options:
    configs: list[str]
    conversations: int
    warmup: int
    users: int
    depth: str
    pg_url: str
    redis_url: str | None
    settings: dict[str, str] = field(default_factory=dict)


def _new_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def run_config(
    config: str, opts: Options, fake: FakeBotProcess, work: Path, redis_url: str
) -> JSON:
    """One fresh server + stores: warm-up chats, measure, the measured chats, measure again."""
    httpx.post(f"{fake.url}/_reset", timeout=10, trust_env=False).raise_for_status()
    run_dir = work / config
    data_dir = run_dir / "data"
    data_dir.mkdir(parents=True)
    log = run_dir / "server.log"
    key = _new_key()
    settings = {**DEFAULT_SETTINGS, **opts.settings, "encryption_key": key, "log_level": "WARNING"}
    warm_ids = range(FIRST_USER_ID, FIRST_USER_ID + opts.warmup)
    ids = range(FIRST_USER_ID + opts.warmup, FIRST_USER_ID + opts.warmup + opts.conversations)
    result: JSON = {
        "config": config,
        "depth": opts.depth,
        "conversations": opts.conversations,
        "warmup": opts.warmup,
    }
    with contextlib.ExitStack() as stack:
        backend = None
        if config == "pg":
            backend = stack.enter_context(PostgresRedisBackend(opts.pg_url, redis_url))
            settings.update(backend.settings())
        env = server_env(fake.url, data_dir, **settings)
        server = stack.enter_context(ServerProcess(env, log))
        opener = Opener(f"{server.url}/telegram/webhook", fake.url, opts.users, opts.depth)
        result["rss_started"] = proc_status(server.pid)
        asyncio.run(opener.open(warm_ids, first_nik=0))
        time.sleep(SETTLE_SECONDS)
        result["rss_before"] = proc_status(server.pid)
        if backend is not None:
            result["redis_before"] = redis_keys(redis_url, backend.prefix)
        opener.seconds = 0.0
        asyncio.run(opener.open(ids, first_nik=opts.warmup))
        time.sleep(SETTLE_SECONDS)
        result["rss_after"] = proc_status(server.pid)
        if backend is not None:
            result["redis_after"] = redis_keys(redis_url, backend.prefix)
            blobs = sample_state_blobs(redis_url, backend.prefix, DOC_SAMPLE)
            result["document"] = document_breakdown(blobs, key)
        opener.check(list(ids)[:: max(1, opts.conversations // 500)])
    if config == "sqlite":
        result["sqlite"] = sqlite_figures(data_dir, key)
    tally = opener.tally
    per_chat = 3 if opts.depth == "nik" else 14
    result["updates_per_s"] = per_chat * opts.conversations / opener.seconds
    result["posts"] = tally.posts
    result["answered_200"] = tally.ok
    result["non_200"] = dict(tally.non_200)
    result["exceptions"] = dict(tally.exceptions)
    result["failed_conversations"] = tally.failed
    result["not_at_step"] = opener.not_at_step
    result["examples"] = tally.examples
    result["server_log_tail"] = tail(log, 20) if "Traceback" in log.read_text() else ""
    result["ok"] = tally.ok == tally.posts and not tally.failed and not opener.not_at_step
    result["figures"] = figures(result)
    return result


def sqlite_figures(data_dir: Path, key: str) -> JSON:
    """The embedded state file once the server has stopped (its WAL checkpointed)."""
    path = data_dir / "state.sqlite3"
    with contextlib.closing(sqlite3.connect(path)) as db:
        chats, doc_bytes = db.execute(
            "SELECT count(*), coalesce(sum(length(doc)), 0) FROM chat_state"
        ).fetchone()
        page_size = db.execute("PRAGMA page_size").fetchone()[0]
        pages = db.execute("PRAGMA page_count").fetchone()[0]
        blobs = [bytes(r[0]) for r in db.execute(f"SELECT doc FROM chat_state LIMIT {DOC_SAMPLE}")]
    wal = path.with_name(path.name + "-wal")
    return {
        "chats": int(chats),
        "doc_bytes": int(doc_bytes),
        "file_bytes": path.stat().st_size,
        "wal_bytes": wal.stat().st_size if wal.exists() else 0,
        "page_size": page_size,
        "pages": pages,
        "document": document_breakdown(blobs, key),
    }


def figures(run: JSON) -> JSON:
    """Bytes per open conversation from a run's raw measurements."""
    n = run["conversations"]
    chats = n + run["warmup"]
    out: JSON = {}
    rss = run.get("rss_before", {}), run.get("rss_after", {})
    if "VmRSS" in rss[0] and "VmRSS" in rss[1]:
        out["rss_before_mib"] = round(rss[0]["VmRSS"] / 2**20, 1)
        out["rss_after_mib"] = round(rss[1]["VmRSS"] / 2**20, 1)
        out["rss_peak_mib"] = round(rss[1].get("VmHWM", 0) / 2**20, 1)
        out["rss_bytes_per_conversation"] = round((rss[1]["VmRSS"] - rss[0]["VmRSS"]) / n)
    if "redis_after" in run:
        before, after = run["redis_before"], run["redis_after"]
        kinds = after["kinds"]
        total = sum(v["memory_usage"] for k, v in kinds.items() if k in CONVERSATION_KINDS)
        total0 = sum(
            v["memory_usage"] for k, v in before["kinds"].items() if k in CONVERSATION_KINDS
        )
        state = kinds.get("state", {"keys": 0, "memory_usage": 0})
        out["redis_state_keys"] = state["keys"]
        out["redis_memory_usage_per_state_key"] = round(
            state["memory_usage"] / max(1, state["keys"])
        )
        out["redis_memory_usage_per_conversation"] = round((total - total0) / n)
        out["redis_used_memory_per_conversation"] = round(
            (after["used_memory"] - before["used_memory"]) / n
        )
        out["redis_used_memory_without_clients_per_conversation"] = round(
            (
                after["used_memory"]
                - after["clients_normal"]
                - before["used_memory"]
                + before["clients_normal"]
            )
            / n
        )
        out["redis_keyspace_hashtables_per_conversation"] = round(
            (after["keyspace_hashtables"] - before["keyspace_hashtables"]) / n
        )
        out["redis_state_strlen_mean"] = after["state_strlen"].get("mean")
        out["redis_other_keys"] = {k: v["keys"] for k, v in kinds.items() if k != "state"}
        out["under_2kb"] = (
            out["redis_used_memory_without_clients_per_conversation"] < TARGET_REDIS_BYTES
        )
    if "sqlite" in run:
        s = run["sqlite"]
        out["sqlite_file_bytes_per_conversation"] = round(s["file_bytes"] / max(1, chats))
        out["sqlite_doc_bytes_per_conversation"] = round(s["doc_bytes"] / max(1, s["chats"]))
    return out


# ------------------------------------------------------------------------------ reporting


def table(runs: list[JSON]) -> str:
    lines = [
        "| configuration | step | open chats | server RSS before → after (MiB) | RSS per chat "
        "| Redis used_memory per chat (without client buffers) | MEMORY USAGE per state key "
        "| state value (STRLEN) | SQLite state file per chat | ok |",
        "|---|---|---:|---|---:|---:|---:|---:|---:|---|",
    ]
    for run in runs:
        f = run["figures"]
        label = {"pg": "PostgreSQL + Redis", "sqlite": "SQLite + embedded state"}[run["config"]]
        used = "-"
        if "redis_used_memory_per_conversation" in f:
            used = (
                f"{_b(f['redis_used_memory_per_conversation'])} "
                f"({_b(f['redis_used_memory_without_clients_per_conversation'])})"
            )
        lines.append(
            f"| {label} | {run['depth']} | {run['conversations'] + run['warmup']:,} "
            f"| {f.get('rss_before_mib', '-')} → {f.get('rss_after_mib', '-')} "
            f"(peak {f.get('rss_peak_mib', '-')}) | {_b(f.get('rss_bytes_per_conversation'))} "
            f"| {used} | {_b(f.get('redis_memory_usage_per_state_key'))} "
            f"| {_b(f.get('redis_state_strlen_mean'))} "
            f"| {_b(f.get('sqlite_file_bytes_per_conversation'))} "
            f"| {'yes' if run['ok'] else 'NO'} |"
        )
    return "\n".join(lines)


def _b(value: Any) -> str:
    return "-" if value is None else f"{round(value):,} B"


def breakdown_text(document: JSON) -> str:
    fields = ", ".join(f"{k} {v:g}" for k, v in document["fields_mean_bytes"].items())
    session = ", ".join(f"{k} {v:g}" for k, v in document["session_fields_mean_bytes"].items())
    return (
        f"state document: {document['json_bytes'].get('mean')} B of JSON "
        f"({document['zlib_json_bytes'].get('mean')} B compressed) "
        f"+ {document['encryption_overhead_bytes']:.0f} B of encryption; "
        f"fields (mean bytes): {fields}; session: {session}; "
        f"recent list length {document['recent_length'].get('median')}"
    )


def parse_args(argv: list[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(
        prog="bench/memory.py",
        description="Redis bytes and server RSS per open conversation.",
    )
    parser.add_argument("--configs", default="pg,sqlite", help="comma-separated: pg,sqlite")
    parser.add_argument("--conversations", type=int, default=10_000, help="measured open chats")
    parser.add_argument("--warmup", type=int, default=300, help="chats opened before measuring")
    parser.add_argument("--users", type=int, default=50, help="concurrent webhook clients")
    parser.add_argument(
        "--depth",
        choices=DEPTHS,
        default="nik",
        help="where each chat is left: at the NIK's check (3 updates) or at the summary (14)",
    )
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL, help="PostgreSQL admin URL")
    parser.add_argument(
        "--redis-url",
        default=None,
        help="use this Redis instead of a private redis-server (used_memory then counts "
        "whatever other clients do meanwhile)",
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="extra server setting, e.g. send_rate=30 (becomes LINDUNGI_SEND_RATE); repeatable",
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
    if args.conversations < 1 or args.warmup < 0 or args.users < 1:
        parser.error("conversations and users must be positive; warm-up not negative")
    return Options(
        configs=configs,
        conversations=args.conversations,
        warmup=args.warmup,
        users=args.users,
        depth=args.depth,
        pg_url=args.pg_url,
        redis_url=args.redis_url,
        settings=settings,
    )


def main(argv: list[str] | None = None) -> int:
    opts = parse_args(argv)
    use_uvloop()
    started = datetime.now(UTC)
    runs: list[JSON] = []
    with contextlib.ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="lindungi-memory-")))
        redis_url = opts.redis_url
        private = "pg" in opts.configs and redis_url is None
        if private:
            redis_url = stack.enter_context(PrivateRedis(tmp / "redis.log")).url
        uses_pg = "pg" in opts.configs
        machine = machine_info(opts.pg_url if uses_pg else None, redis_url if uses_pg else None)
        machine["redis_instance"] = (
            "not used"
            if not uses_pg
            else "private redis-server started by the benchmark"
            if private
            else "given --redis-url"
        )
        print(
            f"CPU: {machine['cpu']}, {machine['cores']} cores, {machine['memory_gib']} GiB, "
            f"kernel {machine['kernel']}; Python {machine['python']}, "
            f"SQLite {machine['sqlite']}, PostgreSQL {machine.get('postgresql', '-')}, "
            f"Redis {machine.get('redis', '-')} ({machine['redis_instance']}); "
            f"git {machine['git_commit']}"
            + (" (uncommitted changes)" if machine["git_dirty"] else ""),
            flush=True,
        )
        fake = stack.enter_context(FakeBotProcess(tmp / "fake.log"))
        for config in opts.configs:
            print(
                f"{config}: {opts.warmup} + {opts.conversations} chats, "
                f"each to the {opts.depth} step ...",
                end=" ",
                flush=True,
            )
            assert redis_url is not None or config != "pg"
            run = run_config(config, opts, fake, tmp, redis_url or "")
            runs.append(run)
            print(
                f"{run['updates_per_s'] or 0:.0f} updates/s, "
                f"{'ok' if run['ok'] else 'PROBLEMS: ' + '; '.join(run['examples'][:3])}",
                flush=True,
            )
    print()
    print(table(runs))
    for run in runs:
        document = run.get("document") or run.get("sqlite", {}).get("document")
        if document and document["documents"]:
            print(f"\n{run['config']}: {breakdown_text(document)}")
        if "redis_after" in run:
            other = run["figures"]["redis_other_keys"]
            print(f"{run['config']}: keys other than state after the run: {other or 'none'}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"memory-{started.strftime('%Y%m%d-%H%M%S')}.json"
    document = {
        "benchmark": "memory",
        "started_at": started.isoformat(),
        "machine": machine,
        "options": {
            **asdict(opts),
            "pg_url": masked_url(opts.pg_url),
            "server_settings": {**DEFAULT_SETTINGS, **opts.settings},
        },
        "target_redis_bytes_per_conversation": TARGET_REDIS_BYTES,
        "runs": runs,
    }
    path.write_text(json.dumps(document, indent=2, default=str) + "\n")
    print(f"\nwrote {path.relative_to(ROOT)}")
    return 0 if all(r["ok"] for r in runs) else 1


if __name__ == "__main__":
    raise SystemExit(main())
