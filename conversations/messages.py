"""What the engine receives from a worker and what it asks the host to send back."""

from __future__ import annotations

from dataclasses import dataclass, field
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


@dataclass(frozen=True)
class Query:
    """Something only the host can answer (a database look-up or write)."""

    kind: Literal[
        "nik_status",
        "submit",
        "my_status",
        "my_data",
        "correct",
        "erase",
        "quotas",
        "ask_official",
        "flow_submit",
        "link_official",
    ]
    params: dict[str, object] = field(default_factory=dict)
