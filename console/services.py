"""What the console needs from the running server, as a Protocol (`bot.services.Services` fits).

The console reaches services only through this, so it never imports the wiring or Telegram.
"""

from __future__ import annotations

from typing import Protocol

from conversations.programs import ProgramSet
from conversations.regions import RegionDirectory
from storage.crypto import Cipher
from storage.db import Database
from storage.officials import Officials


class ConsoleServices(Protocol):
    """The long-lived objects the API and pages use; kept on `app.state.services`."""

    @property
    def db(self) -> Database: ...

    @property
    def cipher(self) -> Cipher: ...

    @property
    def officials(self) -> Officials: ...

    @property
    def programs(self) -> ProgramSet: ...

    @property
    def regions(self) -> RegionDirectory: ...
