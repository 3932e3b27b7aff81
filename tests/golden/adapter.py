"""The golden transcripts' one contact with the conversation engine's API.

Everything the runner needs from `conversations` goes through these functions, and they speak
plain data: an action is built from strings, an effect is ``(kind, params)`` (the typed
effect's `kind` and its fields), the host's answer is the dict form of the effect's typed
result (or None), a reply is a dict. When the engine's API changes, only this module changes.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from conversations import session as session_module
from conversations.effects import result_from
from conversations.engine import Engine, Outcome, load_pack
from conversations.messages import Incoming, Reply
from conversations.session import Session
from conversations.shipped import build_engine
from domain.programs import DEFAULT_PROGRAMS_DIR, load_programs
from domain.regions import RegionDirectory

Effect = tuple[str, dict[str, Any]]
"""What the engine asks the host to do: its kind and its parameters (plain data)."""

# The session fields a transcript shows when a turn changes them.
SHOWN_FIELDS = ("flow", "step", "lang", "opted_out")


@cache
def engine(pack: Path | None = None) -> Engine:
    """The engine as the server builds it (shipped programs, regions, rules, FAQ), once."""
    regions = RegionDirectory.load_shipped()
    programs = load_programs(DEFAULT_PROGRAMS_DIR)
    return build_engine(regions, programs, load_pack(pack) if pack is not None else None)


def new_session(lang: str) -> Session:
    """A worker who has never written, speaking `lang`."""
    return Session(lang=lang)


@contextmanager
def fixed_keys(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Submission keys `key-1`, `key-2`, ... instead of random ones (stable effects)."""
    counter = itertools.count(1)

    class Counted:
        @staticmethod
        def token_urlsafe(nbytes: int | None = None) -> str:
            return f"key-{next(counter)}"

    with monkeypatch.context() as patch:
        patch.setattr(session_module, "secrets", Counted)
        yield


# -- the worker's actions ----------------------------------------------------------------


def text(value: str) -> Incoming:
    return Incoming(kind="text", text=value)


def command(name: str, args: str = "") -> Incoming:
    return Incoming.command(name, args)


def callback(data: str) -> Incoming:
    return Incoming(kind="callback", data=data)


def contact(phone: str, own: bool) -> Incoming:
    return Incoming(kind="contact", phone=phone, contact_is_self=own)


def unsupported() -> Incoming:
    return Incoming(kind="unsupported")


def edited(value: str) -> Incoming:
    return Incoming(kind="edited", text=value)


# -- running the engine --------------------------------------------------------------------


def handle(eng: Engine, session: Session, incoming: Incoming, now: datetime) -> Outcome:
    return eng.handle(session, incoming, now)


def effect_of(outcome: Outcome) -> Effect | None:
    """The effect the host must run before the turn goes on, or None."""
    effect = outcome.effect
    if effect is None:
        return None
    return effect.kind, _plain(dataclasses.asdict(effect))


def resume(eng: Engine, outcome: Outcome, result: dict[str, Any] | None, now: datetime) -> Outcome:
    """Go on after the host ran `outcome`'s effect and answered `result` (its dict form)."""
    effect = outcome.effect
    assert effect is not None
    return eng.resume(outcome.session, effect, result_from(type(effect), result), now)


def session_of(outcome: Outcome) -> Session:
    return outcome.session


def replies_of(outcome: Outcome) -> list[dict[str, Any]]:
    """Each reply as ``{text, buttons: [[(label, data), ...], ...], share_contact, remove}``."""
    return [_reply(reply) for reply in outcome.replies]


def shown(session: Session) -> dict[str, Any]:
    """The session fields a transcript shows."""
    return {name: getattr(session, name) for name in SHOWN_FIELDS}


def _reply(reply: Reply) -> dict[str, Any]:
    return {
        "text": reply.text,
        "buttons": [[(b.text, b.data) for b in row] for row in reply.buttons],
        "share_contact": reply.share_contact,
        "remove_keyboard": reply.remove_keyboard,
    }


def _plain(value: Any) -> Any:
    """Effect parameters as YAML-able data (dataclasses as dicts, tuples as lists)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _plain(dataclasses.asdict(value))
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value
