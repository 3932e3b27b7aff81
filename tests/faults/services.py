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


class OwnRedis:
    """A redis-server on its own port and folder, persisting every write (append-only file)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            unavailable("redis-server", "not installed")
        assert binary is not None
        self.folder.mkdir(parents=True, exist_ok=True)
        args = ["--bind", "127.0.0.1", "--port", str(self.port), "--dir", str(self.folder)]
        args += ["--save", "", "--appendonly", "yes", "--appendfsync", "always"]
        self.process = subprocess.Popen([binary, *args], stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("the test's own redis-server did not start")

    def kill(self) -> None:
        """SIGKILL: what an outage looks like to the bot (writes so far are on disk)."""
        if self.process is not None:
            self.process.kill()
            self.process.wait(10)
            self.process = None


class OwnPostgres:
    """A PostgreSQL cluster of its own (its folder, its port), run as the `postgres` account.

    `kill` stops it at once (SIGKILL to the postmaster: what a crash looks like); `start`
    brings the same cluster back, with what it had committed.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

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
    def _account() -> dict[str, str]:
        """Run as `postgres` when we are root (PostgreSQL refuses to run as root)."""
        return {"user": "postgres", "group": "postgres"} if os.geteuid() == 0 else {}

    def init(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        subprocess.run(
            [self._bin("initdb"), "-D", str(self.folder / "data"), "-U", "postgres", "-A", "trust"],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            **self._account(),  # type: ignore[call-overload]
        )

    def start(self) -> None:
        args = ["-D", str(self.folder / "data"), "-p", str(self.port), "-k", str(self.folder)]
        args += ["-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"]
        with (self.folder / "postgres.log").open("ab") as log:
            self.process = subprocess.Popen(
                [self._bin("postgres"), *args],
                stdout=log,
                stderr=log,
                **self._account(),  # type: ignore[call-overload]
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            ready = subprocess.run(
                [
                    self._bin("pg_isready"),
                    "-h",
                    "127.0.0.1",
                    "-p",
                    str(self.port),
                    "-U",
                    "postgres",
                ],
                stdout=subprocess.DEVNULL,
                check=False,
            )
            if ready.returncode == 0:
                return
            time.sleep(0.1)
        tail = (self.folder / "postgres.log").read_text(errors="replace")[-2000:]
        raise RuntimeError(f"the test's own PostgreSQL did not start:\n{tail}")

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()  # the postmaster; its backends notice and exit
            self.process.wait(10)
            self.process = None
            # The postmaster's children go with it; wait until the port is free again.
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                try:
                    with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                        time.sleep(0.1)
                except OSError:
                    return
