"""Private Redis and PostgreSQL servers that a fault test may kill and start again (never the
shared ones)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

from tests.services import unavailable


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _accepting(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


class OwnServer:
    """A server process of the test's own, on its own port and folder, that it may kill.

    `kill` is SIGKILL (what a crash or an outage looks like to the bot); `start` brings the
    same server back on the same port, with what it had written to its folder.
    """

    name = "server"

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def command(self) -> list[str]:
        raise NotImplementedError

    def ready(self) -> bool:
        return _accepting(self.port)

    def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        with (self.folder / f"{self.name}.log").open("ab") as log:
            user = self.account()
            self.process = subprocess.Popen(
                self.command(), stdout=log, stderr=log, user=user, group=user
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.ready():
                return
            time.sleep(0.05)
        tail = (self.folder / f"{self.name}.log").read_text(errors="replace")[-2000:]
        raise RuntimeError(f"the test's own {self.name} did not start:\n{tail}")

    def kill(self) -> None:
        if self.process is None:
            return
        self.process.kill()
        self.process.wait(10)
        self.process = None
        deadline = time.monotonic() + 10  # its children go with it: wait for the port
        while time.monotonic() < deadline and _accepting(self.port):
            time.sleep(0.1)

    @staticmethod
    def account() -> str | None:
        """The account the server runs as (None: this process's own)."""
        return None


class OwnRedis(OwnServer):
    """A redis-server persisting every write (append-only file, fsync always)."""

    name = "redis"

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def command(self) -> list[str]:
        binary = shutil.which("redis-server")
        if binary is None:
            unavailable("redis-server", "not installed")
        assert binary is not None
        args = ["--bind", "127.0.0.1", "--port", str(self.port), "--dir", str(self.folder)]
        return [binary, *args, "--save", "", "--appendonly", "yes", "--appendfsync", "always"]


class OwnPostgres(OwnServer):
    """A PostgreSQL cluster of its own, run as the `postgres` account (it refuses root)."""

    name = "postgres"

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    @staticmethod
    def _bin(name: str) -> str:
        found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
        if not found:
            unavailable("PostgreSQL", f"{name} is not installed")
        return str(found[-1])

    @staticmethod
    def account() -> str | None:
        return "postgres" if os.geteuid() == 0 else None

    def init(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        subprocess.run(
            [self._bin("initdb"), "-D", str(self.folder / "data"), "-U", "postgres", "-A", "trust"],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            user=self.account(),
            group=self.account(),
        )

    def command(self) -> list[str]:
        args = ["-D", str(self.folder / "data"), "-p", str(self.port), "-k", str(self.folder)]
        return [self._bin("postgres"), *args, "-c", "listen_addresses=127.0.0.1"]

    def ready(self) -> bool:
        probe = [self._bin("pg_isready"), "-h", "127.0.0.1", "-p", str(self.port)]
        done = subprocess.run([*probe, "-U", "postgres"], stdout=subprocess.DEVNULL, check=False)
        return done.returncode == 0
