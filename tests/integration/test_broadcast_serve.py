"""Without Redis, `lindungi serve` delivers broadcasts itself (the same code as the worker);
officials send and watch them through `/api/v1/broadcasts`."""

from __future__ import annotations

import base64
from pathlib import Path

import httpx

from bot.app import create_app
from bot.settings import Settings
from console.api import broadcasts as broadcasts_api
from storage.repos.broadcasts import Broadcasts
from storage.repos.chats import WorkerChats
from storage.repos.officials import Officials
from tests.fakebot import FakeTelegram

TOKEN = "123456:TEST"


async def test_the_embedded_server_delivers_a_broadcast_once_to_each_chat(tmp_path: Path) -> None:
    with FakeTelegram(token=TOKEN, rate_limit=100) as tg:
        settings = Settings(
            _env_file=None,
            bot_token=TOKEN,
            telegram_api_url=tg.url,
            data_dir=tmp_path,
            encryption_key=base64.urlsafe_b64encode(b"s" * 32).decode(),
            send_rate=100,
        )
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            db = app.state.services.db
            for chat in range(700_000_001, 700_000_031):
                await WorkerChats(db).upsert_seen(chat, chat, "id")
            broadcast = await Broadcasts(db).create("Pendaftaran <b>gratis</b>", {})

            async def finished() -> bool:
                return (await Broadcasts(db).progress(broadcast)).status == "done"

            await tg.wait_for_async(finished, timeout=15)
            progress = await Broadcasts(db).progress(broadcast)

        assert set(tg.count_per_chat().values()) == {1}
        assert tg.messages(700_000_001) == ["Pendaftaran gratis"]
        assert progress.sent == 30


async def test_officials_send_and_watch_a_broadcast_through_the_api(tmp_path: Path) -> None:
    with FakeTelegram(token=TOKEN, rate_limit=100) as tg:
        settings = Settings(
            _env_file=None,
            bot_token=TOKEN,
            telegram_api_url=tg.url,
            data_dir=tmp_path,
            encryption_key=base64.urlsafe_b64encode(b"s" * 32).decode(),
        )
        app = create_app(settings)
        if not any(getattr(r, "path", "") == "/api/v1/broadcasts" for r in app.routes):
            app.include_router(broadcasts_api.router, prefix="/api/v1")  # until it is included
        async with app.router.lifespan_context(app):
            db = app.state.services.db
            _, _, admin = await Officials(db).create("admin1", "Admin", "admin")
            _, _, reviewer = await Officials(db).create("rev1", "Rev", "reviewer", "36.04")
            for chat in range(700_000_101, 700_000_106):
                await WorkerChats(db).upsert_seen(chat, chat, "id")
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                auth = {"Authorization": f"Bearer {admin}"}
                count = await client.post(
                    "/api/v1/broadcasts/audience", json={"segment": {}}, headers=auth
                )
                created = await client.post(
                    "/api/v1/broadcasts",
                    json={"text": "Info", "segment": {}, "reason": "Info program baru"},
                    headers=auth,
                )
                url = f"/api/v1/broadcasts/{created.json()['id']}"
                await tg.wait_for_async(lambda: len(tg.count_per_chat()) == 5, timeout=15)
                watched = await client.get(url, headers=auth)
                outside = await client.post(
                    "/api/v1/broadcasts",
                    json={"text": "Info", "segment": {"region": "31"}, "reason": "Info baru"},
                    headers={"Authorization": f"Bearer {reviewer}"},
                )
                anonymous = await client.get(url)

        assert count.json() == {"count": 5}
        assert created.status_code == 202
        assert watched.status_code == 200
        assert {"status", "total", "sent", "failed", "blocked", "remaining", "eta"} <= set(
            watched.json()
        )
        assert outside.status_code == 403
        assert anonymous.status_code == 401
