"""What the console needs from the running server, as a Protocol (`bot.services.Services` fits).

The console reaches services only through this, so it never imports the wiring or Telegram.
"""

from __future__ import annotations

from typing import Protocol

from domain.programs import ProgramSet
from domain.regions import RegionDirectory
from storage.infra.crypto import Cipher
from storage.infra.db import Database
from storage.infra.state import StateStore
from storage.models import Broadcast
from storage.repos.officials import Officials


class PreviewError(Exception):
    """Telegram did not take a test message (a preview); the message says why, in one sentence.

    `blocked`: the official's chat blocked the bot (or was deleted), so it must be linked again.
    """

    def __init__(self, message: str, *, blocked: bool = False) -> None:
        super().__init__(message)
        self.blocked = blocked


class PreviewSender(Protocol):
    """Sends a broadcast once to an official's own chat, exactly as its recipients get it."""

    @property
    def bot_username(self) -> str | None:
        """The bot's @username without the @, when known (for `t.me` links)."""
        ...

    async def send(self, broadcast: Broadcast, chat_id: int) -> None:
        """Send now (within the shared send rate); raises `PreviewError` when it failed."""


class ConsoleServices(Protocol):
    """The long-lived objects the API and pages use; kept on `app.state.services`."""

    @property
    def db(self) -> Database: ...

    @property
    def cipher(self) -> Cipher: ...

    @property
    def state(self) -> StateStore:
        """Workers' conversation state (forgotten with an erasure)."""
        ...

    @property
    def officials(self) -> Officials: ...

    @property
    def programs(self) -> ProgramSet: ...

    @property
    def regions(self) -> RegionDirectory: ...

    @property
    def preview_sender(self) -> PreviewSender | None:
        """None while Telegram is off."""
        ...
