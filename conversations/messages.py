"""What the engine receives from a worker and what it sends back (effects: see effects.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

IncomingKind = Literal["text", "command", "callback", "contact", "unsupported", "edited"]


@dataclass(frozen=True)
class Incoming:
    """One worker action, already stripped of Telegram's wire format."""

    kind: IncomingKind
    text: str = ""
    data: str = ""
    phone: str | None = None
    contact_is_self: bool = True
    first_name: str = ""
    language_code: str | None = None

    @classmethod
    def command(cls, name: str, args: str = "") -> Incoming:
        return cls(kind="command", text=name, data=args)


@dataclass(frozen=True)
class Button:
    """An inline button; `data` is the callback payload (at most 64 bytes)."""

    text: str
    data: str


@dataclass(frozen=True)
class Reply:
    """One message to the worker, in Telegram HTML, with its buttons."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    share_contact: str | None = None
    remove_keyboard: bool = False
