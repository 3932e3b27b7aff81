"""The officials' API in-process (ASGI) on a test database, with helpers to seed and call it.

Import the fixtures into a test module under their function names (`api_fixture` gives `api`).
"""

from __future__ import annotations

import base64
import secrets
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from sqlmodel import col, select

from bot.app import create_app
from bot.settings import Settings
from storage.models import AuditLog, Notification
from storage.repos.registrations import NewRegistration
from tests.fakebot import FakeTelegram

KEY = base64.urlsafe_b64encode(b"lindungi-api-tests-key-32-bytes!").decode()
BOT_TOKEN = "123456:API-TEST-TOKEN-abcdefghijklmnopqrs"
PROGRAM = "uji-kuota"
# A small program so that "the last place" is easy to reach: nelayan 1, petani 2.
PROGRAM_FILE = """\
id: uji-kuota
name: Program Uji Kuota Kabupaten Serang
short_name: Uji Kuota
regions: ["36.04"]
occupations:
  nelayan: 1
  petani: 2
period:
  start: 2025-01-01
  end: 2030-12-31
operator:
  office: Dinas Uji
legal_basis:
  - Peraturan uji
"""
OTHER_REGION = {"region": "36.73.01.1001", "regency": "36.73"}


def api_settings(database_url: str, data_dir: Path, **overrides: Any) -> Settings:
    programs = data_dir / "programs"
    programs.mkdir(parents=True, exist_ok=True)
    (programs / f"{PROGRAM}.yaml").write_text(PROGRAM_FILE)
    values: dict[str, Any] = {
        "database_url": database_url,
        "data_dir": data_dir,
        "programs": programs,
        "encryption_key": KEY,
        "webhook_secret": "api-tests",
        "auto_migrate": False,
        "bot_token": None,
        "redis_url": None,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


@dataclass
class Api:
    """The app, an HTTP client on it, and factories for officials and registrations."""

    app: FastAPI
    client: httpx.AsyncClient
    make: Callable[..., NewRegistration]

    @property
    def services(self) -> Any:
        return self.app.state.services

    async def official(self, role: str = "admin", region: str | None = None) -> str:
        """A new official's API token."""
        username = f"{role}-{secrets.token_hex(4)}"
        _, _, token = await self.services.officials.create(username, "Petugas Uji", role, region)
        return str(token)

    async def registration(self, **overrides: Any) -> int:
        """A new pending registration's id (Kabupaten Serang, nelayan, in the test program)."""
        fields = {"program": PROGRAM, "occupation": "nelayan", **overrides}
        summary, _ = await self.services.registrations.submit(self.make(**fields))
        return int(summary.id)

    async def call(
        self, method: str, path: str, token: str | None, **kwargs: Any
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return await self.client.request(method, "/api/v1" + path, headers=headers, **kwargs)

    async def get(self, path: str, token: str | None, **params: Any) -> httpx.Response:
        return await self.call("GET", path, token, params=params)

    async def post(self, path: str, token: str | None, json: Any = None) -> httpx.Response:
        return await self.call("POST", path, token, json=json)

    async def audit(self, action: str) -> list[AuditLog]:
        async with self.services.db.session() as session:
            result = await session.exec(
                select(AuditLog).where(col(AuditLog.action) == action).order_by(col(AuditLog.id))
            )
            return list(result.all())

    async def notifications(self, registration_id: int | None = None) -> list[Notification]:
        async with self.services.db.session() as session:
            query = select(Notification).order_by(col(Notification.id))
            if registration_id is not None:
                query = query.where(col(Notification.registration_id) == registration_id)
            return list((await session.exec(query)).all())


@asynccontextmanager
async def running_api(
    settings: Settings, make: Callable[..., NewRegistration]
) -> AsyncIterator[Api]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://lindungi.test"
        ) as client:
            yield Api(app, client, make)


@pytest.fixture(name="api")
async def api_fixture(
    db: Any, database_url: str, tmp_path: Path, make_registration: Callable[..., NewRegistration]
) -> AsyncIterator[Api]:
    """The API on each backend, Telegram off (notifications stay queued)."""
    async with running_api(api_settings(database_url, tmp_path / "data"), make_registration) as a:
        yield a


@pytest.fixture(name="tg")
def tg_fixture() -> Iterator[FakeTelegram]:
    with FakeTelegram(token=BOT_TOKEN) as fake:
        yield fake


@pytest.fixture(name="api_tg")
async def api_tg_fixture(
    db: Any,
    database_url: str,
    tmp_path: Path,
    make_registration: Callable[..., NewRegistration],
    tg: FakeTelegram,
) -> AsyncIterator[Api]:
    """The API with Telegram on (the fake): the server's sweep delivers notifications."""
    settings = api_settings(
        database_url, tmp_path / "data", bot_token=BOT_TOKEN, telegram_api_url=tg.url
    )
    async with running_api(settings, make_registration) as a:
        yield a


class LiveServer:
    """An ASGI app served by uvicorn on 127.0.0.1 in a daemon thread (its own event loop)."""

    def __init__(self, app: FastAPI) -> None:
        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        self.port = int(self._socket.getsockname()[1])
        config = uvicorn.Config(app, log_config=None, access_log=False, lifespan="on")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> LiveServer:
        self._thread.start()
        deadline = time.monotonic() + 30
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the API server did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._socket.close()
