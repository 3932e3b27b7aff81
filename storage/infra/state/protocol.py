"""What every state backend offers: the ``StateStore`` protocol and the held chat it yields."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol, runtime_checkable

DEFAULT_TTL_SECONDS = 30 * 24 * 3600


@runtime_checkable
class StateStore(Protocol):
    """Where conversation state lives; see docs/architecture.md, "State document"."""

    async def load(self, chat_id: int) -> dict[str, Any] | None:
        """The chat's document, or None if there is none (or it is unreadable)."""

    async def save(self, chat_id: int, doc: dict[str, Any]) -> None:
        """Replace the chat's document; a non-empty ``doc["outbox"]`` lists the chat."""

    async def delete(self, chat_id: int) -> None:
        """Forget the chat."""

    def lock(self, chat_id: int, timeout: float = 30.0) -> AbstractAsyncContextManager[None]:
        """Hold the chat's lock; raises ``LockTimeout`` if not acquired within ``timeout``."""
        ...

    def hold(
        self, chat_id: int, timeout: float = 30.0, *, order: int = ...
    ) -> AbstractAsyncContextManager[HeldChat]:
        """Hold the chat's lock with its document loaded (Redis: one round trip for both);
        writes go through the yielded ``HeldChat``. Holders waiting together enter by
        ``order`` (the update id), lowest first; in one process, in the order they came."""
        ...

    async def chats_with_outbox(self, limit: int = 100) -> list[int]:
        """Chats whose document has unsent replies, least recently saved first."""
        ...

    async def ping(self) -> None:
        """Raise if the backend is unusable."""

    async def close(self) -> None:
        """Release connections; the store is unusable afterwards."""


class HeldChat:
    """A chat whose lock is held: its document as loaded, and the writes made under it.

    ``save`` writes now and keeps the lock. ``save_last`` is the final write of this hold:
    the store may make it together with releasing the lock (Redis: one round trip).
    Both are fenced where a lock can be lost (a Redis lock outlives a stalled holder only by
    its lease): once another holder may have entered, ``save`` raises ``LostLock``, and so
    does leaving the hold after ``save_last``; nothing is written either way.
    """

    __slots__ = ("chat_id", "doc", "last")

    def __init__(self, chat_id: int, doc: dict[str, Any] | None) -> None:
        self.chat_id = chat_id
        self.doc = doc
        self.last: dict[str, Any] | None = None

    async def save(self, doc: dict[str, Any]) -> None:
        raise NotImplementedError

    def save_last(self, doc: dict[str, Any]) -> None:
        self.last = doc


class LostLock(RuntimeError):
    """A chat's lock expired while held, so a write under it was refused."""
