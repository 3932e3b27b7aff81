"""Drive the real webhook app (in-process ASGI) against the fake Telegram over HTTP."""

from __future__ import annotations

import base64
import os
import secrets
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bot.app import create_app
from bot.settings import Settings
from tests.fakebot import FakeTelegram, UpdateFactory
from tests.walks import Action

TOKEN = "123456:TEST-TOKEN-abcdefghijklmnopqrstuv"
SECRET = "e2e-secret"


def make_settings(data_dir: Path, tg: FakeTelegram, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "bot_token": TOKEN,
        "telegram_api_url": tg.url,
        "webhook_secret": SECRET,
        "data_dir": data_dir,
        "encryption_key": base64.urlsafe_b64encode(b"k" * 32).decode(),
        "redis_prefix": f"lindungi-test-{secrets.token_hex(4)}:",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


@dataclass
class Worker:
    """One simulated worker chatting with the bot."""

    bot: BotHarness
    user_id: int
    first_name: str = "Ahmad"

    async def say(self, text: str) -> httpx.Response:
        return await self.bot.post(
            self.bot.updates.message(self.user_id, text, first_name=self.first_name)
        )

    async def command(self, name: str) -> httpx.Response:
        return await self.bot.post(
            self.bot.updates.command(self.user_id, name, first_name=self.first_name)
        )

    async def press(self, label: str) -> httpx.Response:
        """Press the button whose text contains `label` on the last message that has buttons."""
        message, data = self.button(label)
        update = self.bot.updates.callback(self.user_id, data, message["message_id"])
        return await self.bot.post(update)

    async def share_contact(self, phone: str) -> httpx.Response:
        return await self.bot.post(self.bot.updates.contact(self.user_id, phone))

    async def replay(self, actions: Iterable[Action]) -> None:
        """Do each action of a walk (tests/walks.py) in turn."""
        for action in actions:
            if action.kind == "command":
                await self.command(action.value)
            elif action.kind == "text":
                await self.say(action.value)
            elif action.kind == "press":
                await self.press(action.value)
            else:
                await self.share_contact(action.value)

    def button(self, label: str) -> tuple[dict[str, Any], str]:
        for message in reversed(self.bot.tg.sent):
            if message["chat"]["id"] != self.user_id:
                continue
            keyboard = (message.get("reply_markup") or {}).get("inline_keyboard")
            if not keyboard:
                continue
            for row in keyboard:
                for button in row:
                    if label.lower() in button["text"].lower():
                        return message, button["callback_data"]
            raise AssertionError(
                f"no button {label!r} in {[b['text'] for r in keyboard for b in r]}"
            )
        raise AssertionError("no message with buttons")

    @property
    def texts(self) -> list[str]:
        return self.bot.tg.messages(self.user_id)

    @property
    def last(self) -> str:
        return self.texts[-1]

    def buttons(self) -> list[str]:
        message = self.bot.tg.last_message(self.user_id) or {}
        keyboard = (message.get("reply_markup") or {}).get("inline_keyboard") or []
        return [b["text"] for row in keyboard for b in row]


@dataclass
class BotHarness:
    tg: FakeTelegram
    client: httpx.AsyncClient
    app: Any
    updates: UpdateFactory
    _next_user: int = field(default_factory=lambda: 700_000_000 + secrets.randbelow(10**8))

    async def post(self, update: Any, secret: str | None = SECRET) -> httpx.Response:
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
        return await self.client.post("/telegram/webhook", json=update, headers=headers)

    def worker(self, first_name: str = "Ahmad") -> Worker:
        self._next_user += 1
        return Worker(self, self._next_user, first_name)

    @property
    def services(self) -> Any:
        return self.app.state.services


@asynccontextmanager
async def running_bot(settings: Settings, tg: FakeTelegram) -> AsyncIterator[BotHarness]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://lindungi.test"
        ) as client:
            yield BotHarness(tg, client, app, tg.factory())


def pg_url_for_tests() -> str:
    return os.environ.get(
        "LINDUNGI_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )


async def sql(bot: BotHarness, query: str) -> list[dict[str, Any]]:
    """Rows of a raw SQL query on the bot's database (to check what is really stored)."""
    from sqlalchemy import text

    async with bot.services.db.engine.connect() as conn:
        return [dict(row) for row in (await conn.execute(text(query))).mappings().all()]
