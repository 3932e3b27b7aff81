"""Conversation state: one JSON document per chat, encrypted at rest, plus a per-chat lock.

Two backends behind one small interface (``protocol.StateStore``, modelled on aiogram's FSM
storages), one module each:

* ``sqlite_store.SqliteStateStore``: embedded, for a single process (SQLite file, asyncio locks).
* ``redis_store.RedisStateStore``: shared by several processes (Redis, leased locks, fenced
  writes; its Lua scripts are the ``*.lua`` files, called through ``scripts``).

Both store a document the same way (``codec``: orjson, encrypted with context ``b"state"``).
What a document holds is the update processor's business (``handlers.chat_state``); the
stores look only at its ``outbox`` field.
"""

from __future__ import annotations

from pathlib import Path

from storage.infra.crypto import Cipher
from storage.infra.state.codec import CONTEXT, OUTBOX_FIELD
from storage.infra.state.protocol import DEFAULT_TTL_SECONDS, HeldChat, LostLock, StateStore
from storage.infra.state.redis_store import RedisStateStore
from storage.infra.state.sqlite_store import SqliteStateStore


def make_state_store(
    redis_url: str | None,
    sqlite_path: Path,
    cipher: Cipher,
    *,
    prefix: str = "lindungi:",
    order_window: float = 0.0,
) -> StateStore:
    """Redis when a URL is configured, else the embedded SQLite store at ``sqlite_path``.
    ``order_window`` (Redis): how long an update waits for an earlier one of its chat that
    may be on its way to another process (see ``lock_and_load.lua``)."""
    if redis_url:
        return RedisStateStore(redis_url, cipher, prefix=prefix, order_window=order_window)
    return SqliteStateStore(sqlite_path, cipher)


__all__ = [
    "CONTEXT",
    "DEFAULT_TTL_SECONDS",
    "OUTBOX_FIELD",
    "HeldChat",
    "LostLock",
    "RedisStateStore",
    "SqliteStateStore",
    "StateStore",
    "make_state_store",
]
