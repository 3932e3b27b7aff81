"""Shared pieces of the benchmarks: processes, CPU accounting, backends, NIKs, machine facts.

Everything here talks only to 127.0.0.1 and stops only the processes it started (by pid).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import platform
import re
import resource
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Protocol

import httpx

ROOT = Path(__file__).resolve().parents[1]
"""The repository root (``python -m tests.fakebot`` and ``python -m bot.cli`` run from here)."""
RESULTS = ROOT / "bench" / "results"

TOKEN = "123456:BENCH-TOKEN-abcdefghijklmnopqrstu"
SECRET = "bench-secret"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"

DEFAULT_PG_URL = os.environ.get(
    "LINDUNGI_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
DEFAULT_REDIS_URL = os.environ.get("LINDUNGI_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")

# ------------------------------------------------------------------------- load-side HTTP


class HttpError(Exception):
    """A request failed below HTTP: connection refused or reset, malformed answer, timeout."""


class HttpConnection:
    """A minimal HTTP/1.1 keep-alive client on one asyncio stream, one request at a time.

    The load generator's hot path. httpx costs 0.7-2 ms of CPU per request on the 2-core
    benchmark machine (more with more pooled connections), which made the load side, not the
    server, the bottleneck; this costs ~20 us. One connection per simulated worker (closed loop).
    """

    def __init__(
        self, url: str, headers: dict[str, str] | None = None, timeout: float = 60
    ) -> None:
        parts = httpx.URL(url)
        self.host = parts.host
        self.port = parts.port or 80
        self.timeout = timeout
        extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
        self._head = f"Host: {self.host}:{self.port}\r\n{extra}"
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def request(
        self, method: str, path: str, body: bytes = b"", content_type: str = "application/json"
    ) -> tuple[int, bytes]:
        """Send one request and read the whole answer: (status, body)."""
        head = f"{method} {path} HTTP/1.1\r\n{self._head}"
        if body or method == "POST":
            head += f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
        try:
            async with asyncio.timeout(self.timeout):
                reader, writer = await self._connection()
                writer.write(head.encode("latin-1") + b"\r\n" + body)
                return await self._response(reader)
        except (OSError, EOFError, TimeoutError, ValueError, asyncio.IncompleteReadError) as exc:
            await self.close()
            raise HttpError(f"{type(exc).__name__}: {exc}") from exc

    async def _connection(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if self._reader is None or self._writer is None or self._reader.at_eof():
            await self.close()
            self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        return self._reader, self._writer

    async def _response(self, reader: asyncio.StreamReader) -> tuple[int, bytes]:
        lines = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        if headers.get("transfer-encoding", "").lower() == "chunked":
            chunks = []
            while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
                chunks.append(await reader.readexactly(size + 2))
            await reader.readuntil(b"\r\n")
            data = b"".join(chunk[:-2] for chunk in chunks)
        else:
            data = await reader.readexactly(int(headers.get("content-length", "0")))
        if headers.get("connection", "").lower() == "close":
            await self.close()
        return status, data

    async def close(self) -> None:
        """Close the connection (the next request opens a new one)."""
        writer, self._reader, self._writer = self._writer, None, None
        if writer is not None:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()


# --------------------------------------------------------------------------- small helpers


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100, nearest rank on the sorted values); NaN when empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


def use_uvloop() -> None:
    """The load side on uvloop when it is installed (as the server runs)."""
    with contextlib.suppress(ImportError):
        import uvloop

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())


def pinned(cpus: str | None, argv: list[str]) -> list[str]:
    """``argv`` run under ``taskset -c cpus`` (unchanged when ``cpus`` is None)."""
    return ["taskset", "-c", cpus, *argv] if cpus is not None else argv


def can_pin() -> bool:
    """Pinning needs two cores (server on one, load side on the other) and ``taskset``."""
    return (os.cpu_count() or 1) >= 2 and shutil.which("taskset") is not None


# ----------------------------------------------------------------------------- CPU time


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (all its threads) from ``/proc``; NaN if gone."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def self_cpu_seconds() -> float:
    """User + system CPU time of this process."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def core_busy_jiffies() -> dict[str, tuple[int, int]]:
    """Per core (``cpu0``, ``cpu1``...): (busy, total) jiffies since boot, from ``/proc/stat``."""
    cores: dict[str, tuple[int, int]] = {}
    with open("/proc/stat") as fh:
        for line in fh:
            name, *values = line.split()
            if not re.fullmatch(r"cpu\d+", name):
                continue
            numbers = [int(v) for v in values[:8]]
            idle = numbers[3] + numbers[4]  # idle + iowait
            cores[name] = (sum(numbers) - idle, sum(numbers))
    return cores


STORE_COMMANDS = frozenset({"postgres", "redis-server"})


def store_processes_cpu() -> dict[int, float]:
    """CPU seconds of every PostgreSQL and Redis process on the machine, by pid."""
    found: dict[int, float] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/comm") as fh:
                command = fh.read().strip()
        except OSError:
            continue
        if command in STORE_COMMANDS:
            seconds = process_cpu_seconds(int(entry.name))
            if seconds == seconds:  # not NaN: the process still exists
                found[int(entry.name)] = seconds
    return found


def busy_cores(seconds: float = 1.0) -> float:
    """How many cores' worth of CPU the whole machine used over the next ``seconds``."""
    before = core_busy_jiffies()
    time.sleep(seconds)
    after = core_busy_jiffies()
    return sum(
        (after[c][0] - before[c][0]) / max(1, after[c][1] - before[c][1])
        for c in after
        if c in before
    )


@dataclass
class CpuSnapshot:
    """CPU counters at one instant: named processes, this process, the stores, every core."""

    at: float
    processes: dict[str, float]
    own: float
    stores: dict[int, float]
    cores: dict[str, tuple[int, int]]

    @classmethod
    def take(cls, pids: dict[str, int]) -> CpuSnapshot:
        return cls(
            time.perf_counter(),
            {name: process_cpu_seconds(pid) for name, pid in pids.items()},
            self_cpu_seconds(),
            store_processes_cpu(),
            core_busy_jiffies(),
        )

    def utilisation_since(self, before: CpuSnapshot) -> dict[str, float]:
        """Cores' worth of CPU used over the interval.

        Keys: each named process, ``loadgen`` (this process), ``stores`` (all PostgreSQL and
        Redis processes), ``cpuN`` (fraction of core N busy), ``other`` (busy time of all
        cores not explained by the processes above: anything else running on the machine).
        """
        wall = self.at - before.at
        out = {
            name: (self.processes[name] - before.processes[name]) / wall for name in self.processes
        }
        out["loadgen"] = (self.own - before.own) / wall
        out["stores"] = (
            sum(seconds - before.stores.get(pid, 0.0) for pid, seconds in self.stores.items())
            / wall
        )
        busy = 0.0
        for core, (ticks, total) in self.cores.items():
            ticks0, total0 = before.cores.get(core, (ticks, total))
            out[core] = (ticks - ticks0) / max(1, total - total0)
            busy += out[core]
        known = sum(v for k, v in out.items() if not k.startswith("cpu"))
        out["other"] = max(0.0, busy - known)
        return out


# ------------------------------------------------------------------------------ processes


def _stop(proc: subprocess.Popen[bytes], timeout: float = 15) -> None:
    """SIGTERM, then SIGKILL after ``timeout`` seconds; only this Popen's own pid."""
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


class FakeBotProcess:
    """``python -m tests.fakebot`` as a separate process, so it never shares the bot's CPU."""

    def __init__(self, log: Path, cpus: str | None = None, token: str = TOKEN) -> None:
        self.log = log
        self.cpus = cpus
        self.token = token
        self.proc: subprocess.Popen[bytes] | None = None
        self.url = ""

    def __enter__(self) -> FakeBotProcess:
        port = free_port()
        argv = [sys.executable, "-m", "tests.fakebot", "--port", str(port), "--token", self.token]
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                pinned(self.cpus, argv), cwd=ROOT, stdout=out, stderr=subprocess.STDOUT
            )
        self.url = f"http://127.0.0.1:{port}"
        _wait_http(f"{self.url}/_stats", self.proc, self.log)
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.proc is not None:
            _stop(self.proc)

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid


class ServerProcess:
    """One ``lindungi serve`` process with its settings in the environment."""

    def __init__(
        self,
        env: dict[str, str],
        log: Path,
        cpus: str | None = None,
        *,
        port: int | None = None,
        args: tuple[str, ...] = (),
    ) -> None:
        self.env = env
        self.log = log
        self.cpus = cpus
        self.port = port or free_port()
        self.args = args
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def __enter__(self) -> ServerProcess:
        argv = [sys.executable, "-m", "bot.cli", "serve", "--port", str(self.port), *self.args]
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                pinned(self.cpus, argv),
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        _wait_http(f"{self.url}/healthz", self.proc, self.log, timeout=60)
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.proc is not None:
            _stop(self.proc)


def _wait_http(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args!r} exited early:\n{tail(log, 30)}")
        try:
            if httpx.get(url, timeout=1, trust_env=False).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"{url} did not answer within {timeout} s:\n{tail(log, 30)}")


def tail(path: Path, lines: int) -> str:
    """The last ``lines`` lines of a text file ("" if missing)."""
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return ""


def server_env(fake_url: str, data_dir: Path, **settings: str) -> dict[str, str]:
    """The environment of ``lindungi serve``: no ``LINDUNGI_*`` from outside, then ``settings``.

    The base is what a newcomer sets: data folder, bot token, Bot API URL, webhook secret.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("LINDUNGI_")}
    env.update(
        {
            "LINDUNGI_DATA_DIR": str(data_dir),
            "LINDUNGI_BOT_TOKEN": TOKEN,
            "LINDUNGI_TELEGRAM_API_URL": fake_url,
            "LINDUNGI_WEBHOOK_SECRET": SECRET,
            "PYTHONPATH": str(ROOT),
        }
    )
    env.update({f"LINDUNGI_{k.upper()}": v for k, v in settings.items()})
    return env


# ------------------------------------------------------------------------------- backends


@dataclass
class StoreReport:
    """What the bot left behind, read from its database and state store after a run."""

    references: list[str]
    chats: int
    outbox_chats: int
    locks_left: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


class Backend(Protocol):
    """A database + state store configuration for one run (fresh, cleaned up afterwards)."""

    name: str

    def settings(self) -> dict[str, str]:
        """``lindungi serve`` settings beyond the base ones (see :func:`server_env`)."""
        ...

    def report(self) -> StoreReport:
        """Registrations and state left behind (call after the server stopped)."""
        ...

    def versions(self) -> dict[str, str]:
        """Server versions of the stores used."""
        ...


class SqliteBackend:
    """SQLite database + embedded state (SQLite file and in-process locks) in a data folder."""

    name = "sqlite"

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir

    def settings(self) -> dict[str, str]:
        return {}

    def report(self) -> StoreReport:
        with contextlib.closing(sqlite3.connect(self.data_dir / "lindungi.sqlite3")) as db:
            refs = [row[0] for row in db.execute("SELECT reference FROM registrations")]
        with contextlib.closing(sqlite3.connect(self.data_dir / "state.sqlite3")) as db:
            chats, outbox = db.execute(
                "SELECT count(*), coalesce(sum(has_outbox), 0) FROM chat_state"
            ).fetchone()
        return StoreReport(refs, int(chats), int(outbox))

    def versions(self) -> dict[str, str]:
        return {"sqlite": sqlite3.sqlite_version}


class PostgresRedisBackend:
    """A fresh PostgreSQL database (dropped afterwards) + Redis under a unique key prefix."""

    name = "pg"

    def __init__(self, pg_url: str, redis_url: str) -> None:
        from sqlalchemy.engine import make_url

        self.admin_url = make_url(pg_url)
        self.redis_url = redis_url
        self.database = f"lindungi_bench_{secrets.token_hex(5)}"
        self.prefix = f"lindungi-bench-{secrets.token_hex(5)}:"

    def _admin_dsn(self, database: str | None = None) -> str:
        url = self.admin_url.set(drivername="postgresql")
        if database:
            url = url.set(database=database)
        return url.render_as_string(hide_password=False)

    def __enter__(self) -> PostgresRedisBackend:
        import psycopg

        with psycopg.connect(self._admin_dsn(), autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'CREATE DATABASE "{self.database}"')
        return self

    def __exit__(self, *exc_info: object) -> None:
        import psycopg
        import redis

        with psycopg.connect(self._admin_dsn(), autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
        client = redis.Redis.from_url(self.redis_url)
        try:
            keys = list(client.scan_iter(match=self.prefix + "*", count=1000))
            for start in range(0, len(keys), 1000):
                client.delete(*keys[start : start + 1000])
        finally:
            client.close()

    def settings(self) -> dict[str, str]:
        url = self.admin_url.set(drivername="postgresql+psycopg", database=self.database)
        return {
            "database_url": url.render_as_string(hide_password=False),
            "redis_url": self.redis_url,
            "redis_prefix": self.prefix,
        }

    def report(self) -> StoreReport:
        import psycopg
        import redis

        with psycopg.connect(self._admin_dsn(self.database), connect_timeout=5) as conn:
            refs = [row[0] for row in conn.execute("SELECT reference FROM registrations")]
        client = redis.Redis.from_url(self.redis_url)
        try:
            chats = sum(1 for _ in client.scan_iter(match=f"{self.prefix}state:*", count=1000))
            locks = sum(1 for _ in client.scan_iter(match=f"{self.prefix}lock:*", count=1000))
            outbox = int(client.zcard(f"{self.prefix}outbox"))  # type: ignore[arg-type]
        finally:
            client.close()
        return StoreReport(refs, chats, outbox, locks)

    def versions(self) -> dict[str, str]:
        return {
            "postgresql": postgres_version(self._admin_dsn()),
            "redis": redis_version(self.redis_url),
        }


def masked_url(url: str) -> str:
    """``url`` with any password replaced by ``***``."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def postgres_version(dsn: str) -> str:
    """``SHOW server_version`` ("?" when unreachable)."""
    import psycopg

    try:
        with psycopg.connect(dsn, connect_timeout=3) as conn:
            row = conn.execute("SHOW server_version").fetchone()
    except psycopg.Error:
        return "?"
    return str(row[0]) if row else "?"


def redis_version(url: str) -> str:
    """``INFO server`` → ``redis_version`` ("?" when unreachable)."""
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=3)
    try:
        info: dict[str, Any] = client.info("server")  # type: ignore[assignment]
        return str(info.get("redis_version", "?"))
    except redis.RedisError:
        return "?"
    finally:
        client.close()


# ----------------------------------------------------------------------------------- NIKs

# Real regencies/cities (Kemendagri codes): Kab. Serang, Kota Tangerang, Kota Serang,
# Kota Pekalongan. District 01 exists in each.
NIK_REGENCIES = ("3604", "3671", "3673", "3375")
_SERIALS = 9999


def make_nik(n: int, first_birth_date: date = date(1975, 1, 1)) -> str:
    """The ``n``-th of a sequence of distinct valid NIKs (``n >= 0``).

    Layout ``PPKK CC DDMMYY SSSS``: a real regency, district 01, a real birth date (women have
    40 added to the day) and a serial 0001-9999. ``n`` maps one-to-one onto (regency, gender,
    serial, date), so NIKs never repeat; the dates advance one day per 79,992 NIKs.
    """
    regency = NIK_REGENCIES[n % len(NIK_REGENCIES)]
    n //= len(NIK_REGENCIES)
    female = n % 2 == 1
    n //= 2
    serial = n % _SERIALS + 1
    born = first_birth_date + timedelta(days=n // _SERIALS)
    day = born.day + (40 if female else 0)
    return f"{regency}01{day:02d}{born.month:02d}{born.year % 100:02d}{serial:04d}"


# ------------------------------------------------------------------------------- machine


def _git(*args: str) -> str:
    try:
        out = subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10, check=True
        )
    except (OSError, subprocess.SubprocessError):
        return "?"
    return out.stdout.strip()


def cpu_model() -> str:
    """``model name`` from ``/proc/cpuinfo`` (or the platform's processor string)."""
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as fh:
        for line in fh:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "?"


def package_versions(names: Sequence[str]) -> dict[str, str]:
    """Installed versions of Python distributions ("-" when missing)."""
    from importlib.metadata import PackageNotFoundError, version

    found: dict[str, str] = {}
    for name in names:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "-"
    return found


def machine_info(pg_url: str | None, redis_url: str | None) -> dict[str, Any]:
    """CPU, cores, memory, kernel, Python, store versions and the git commit of this run."""
    info: dict[str, Any] = {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "git_commit": _git("rev-parse", "--short=12", "HEAD"),
        "git_dirty": bool(_git("status", "--porcelain", "--untracked-files=no")),
        "packages": package_versions(
            [
                "uvicorn",
                "uvloop",
                "httptools",
                "fastapi",
                "starlette",
                "python-telegram-bot",
                "httpx",
                "SQLAlchemy",
                "aiosqlite",
                "psycopg",
                "redis",
                "hiredis",
                "orjson",
            ]
        ),
    }
    if pg_url is not None:
        from sqlalchemy.engine import make_url

        dsn = make_url(pg_url).set(drivername="postgresql").render_as_string(hide_password=False)
        info["postgresql"] = postgres_version(dsn)
    if redis_url is not None:
        info["redis"] = redis_version(redis_url)
    return info


@contextlib.contextmanager
def cpu_affinity(cpus: set[int] | None) -> Iterator[None]:
    """Run the block with this process pinned to ``cpus`` (no change when None)."""
    if cpus is None or not hasattr(os, "sched_setaffinity"):
        yield
        return
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, cpus)
    try:
        yield
    finally:
        os.sched_setaffinity(0, before)
