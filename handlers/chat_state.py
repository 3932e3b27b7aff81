"""A chat's state document, typed: what the update processor keeps per chat between updates.

This is the one place that reads and writes the document's fields. The state store
(``storage.infra.state``) keeps it as one JSON object per chat, encrypted; the stores look
only at ``outbox`` (non-empty: the chat has unsent replies)::

    {"v": 2, "session": {...}, "recent": [update ids], "outbox": [Bot API calls],
     "blocked": true, "seen": "2026-12-04:id", "retry_at": 1764871234.5,
     "held_since": 1764871200.0}

``session``, ``blocked``, ``seen``, ``retry_at`` and ``held_since`` are left out when unset
(``held_since`` is optional within version 2: a release without it ignores it and at worst
says its "we keep your answer" notice once more).

Versions: ``v`` says which shape a document has. Documents written before it existed carry
none and are version 1: the same fields as version 2, so they load as they are and are
written back with ``v``. A release that changes the shape raises ``VERSION`` and adds a step
to ``_UPGRADES`` from the version before, so that every older document still loads.

A document of a version this release does not know (written by a newer release: during a
rolling deploy, or after a rollback) is refused, loudly: ``load`` raises
``UnknownStateVersion`` and the document stays as it is. Reading it as far as we understand it
and writing it back would silently lose what we do not (pending replies, the update ids that
recognise a redelivered update). So a release that raises ``VERSION`` goes out after one
that can read the new version is running everywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from storage.infra.state import OUTBOX_FIELD

VERSION = 2


class UnknownStateVersion(ValueError):
    """A chat's document has a version this release cannot read (a newer release wrote it)."""


def _from_version_1(doc: dict[str, Any]) -> dict[str, Any]:
    """Version 1 (no ``v``) has the fields of version 2."""
    return doc


# version -> the step that turns a document of that version into one of the next
_UPGRADES: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {1: _from_version_1}


@dataclass(slots=True)
class ChatState:
    """What the processor keeps about one chat.

    ``session``: the conversation (``conversations.session.Session.to_dict``), None before the
    first message; ``recent``: the last update ids handled (a redelivered one is recognised);
    ``outbox``: Bot API calls not yet accepted by Telegram, in order; ``blocked``: the worker
    blocked the bot; ``seen``: the last day and language recorded in the chat directory;
    ``retry_at``: no resending before this time (epoch seconds); ``held_since``: since when the
    chat's updates wait for the database (the worker was told once); ``version``: the version the
    document had when loaded (``VERSION`` for a new chat; it is written as ``VERSION``).
    """

    session: dict[str, Any] | None = None
    recent: list[int] = field(default_factory=list)
    outbox: list[dict[str, Any]] = field(default_factory=list)
    blocked: bool = False
    seen: str | None = None
    retry_at: float | None = None
    version: int = VERSION
    held_since: float | None = None

    @classmethod
    def load(cls, doc: dict[str, Any] | None) -> ChatState:
        """The state of a document as stored (None: a new chat); the lists are not copied."""
        if not doc:
            return cls()
        loaded = version = doc.get("v", 1)
        while version != VERSION:
            upgrade = _UPGRADES.get(version) if type(version) is int else None
            if upgrade is None:
                raise UnknownStateVersion(
                    f"chat state of version {loaded!r}; this release reads up to {VERSION}"
                )
            doc, version = upgrade(doc), version + 1
        return cls(
            doc.get("session"),
            doc.get("recent", []),
            doc.get(OUTBOX_FIELD, []),
            bool(doc.get("blocked", False)),
            doc.get("seen"),
            doc.get("retry_at"),
            loaded,
            doc.get("held_since"),
        )

    def dump(self) -> dict[str, Any]:
        """The document to store (sharing this state's lists and session)."""
        doc: dict[str, Any] = {"v": VERSION, "recent": self.recent, OUTBOX_FIELD: self.outbox}
        if self.session is not None:
            doc["session"] = self.session
        if self.blocked:
            doc["blocked"] = True
        if self.seen is not None:
            doc["seen"] = self.seen
        if self.retry_at is not None:
            doc["retry_at"] = self.retry_at
        if self.held_since is not None:
            doc["held_since"] = self.held_since
        return doc
