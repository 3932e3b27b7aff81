"""What the sub-commands share: errors as one sentence, settings, migrations, the bot."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

from bot.settings import Settings

if TYPE_CHECKING:
    from storage.infra.db import Database

T = TypeVar("T")


class CliError(Exception):
    """A problem to report as one sentence."""


def load_settings() -> Settings:
    return Settings()


def setup_logging(settings: Settings) -> None:
    from bot.logs import configure_logging

    configure_logging(settings.log_level, json=settings.log_json)


def migrate(settings: Settings) -> None:
    from storage.infra.migrate import upgrade

    settings.ensure_data_dir()
    upgrade(settings.resolved_database_url())


def db_kind(settings: Settings) -> str:
    return "SQLite" if settings.resolved_database_url().startswith("sqlite") else "PostgreSQL"


def telegram_bot(settings: Settings) -> Any:
    from bot.telegram import TelegramApi

    if not settings.telegram_enabled:
        raise CliError("this needs a bot token: set LINDUNGI_BOT_TOKEN")
    assert settings.bot_token is not None
    return TelegramApi(settings.bot_token.get_secret_value(), settings.telegram_api_url).bot


def with_bot(settings: Settings, call: Callable[[Any], Awaitable[T]]) -> T:
    """Run `call` with the Bot API client opened (and closed afterwards)."""

    async def run() -> T:
        bot = telegram_bot(settings)
        async with bot:
            return await call(bot)

    return asyncio.run(run())


def with_database(settings: Settings, call: Callable[[Database], Awaitable[T]]) -> T:
    """Run `call` on the configured database, disposed of afterwards."""
    from storage.infra.db import Database

    async def run() -> T:
        db = Database.from_url(settings.resolved_database_url())
        try:
            return await call(db)
        finally:
            await db.dispose()

    return asyncio.run(run())
