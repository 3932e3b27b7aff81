"""The Redis backend's Lua scripts (the ``*.lua`` files here), each behind a call that names
its keys and arguments.

The sources are read once, at import; each call goes over the process's pipelined
connection (``storage.infra.redis_pipe``), by SHA-1, loading the script when Redis does not
know it yet. The calls return the awaitable of the command itself (no extra coroutine on
the per-update path).
"""

from __future__ import annotations

from collections.abc import Awaitable
from importlib import resources
from typing import Any

from storage.infra.redis_pipe import PipelinedRedis, Script


def _load(name: str) -> Script:
    return Script(resources.files(__package__).joinpath(name).read_text(encoding="utf-8"))


LOCK_AND_LOAD = _load("lock_and_load.lua")
LEAVE_QUEUE = _load("leave_queue.lua")
FENCED_SAVE = _load("fenced_save.lua")
LIVE_OUTBOX = _load("live_outbox.lua")


def _flag(value: bool) -> bytes:
    return b"1" if value else b"0"


def lock_and_load(
    pipe: PipelinedRedis,
    *,
    lock: str,
    state: str,
    queue: str,
    waiters: str,
    received: str,
    received_below: str,
    token: bytes,
    lease_ms: int,
    update_id: int,
    waiter_ttl_ms: int,
    window_ms: int,
    is_update: bool,
) -> Awaitable[list[Any]]:
    """Queue for the chat's ``lock`` by ``update_id`` and take it when first in line, reading
    ``state`` at once: ``[1, document or None]``, ``[0, retry-after ms]`` while an earlier
    update may still arrive (``window_ms``, only for ``is_update``), else ``[0, None]``."""
    return pipe.evalsha(
        LOCK_AND_LOAD,
        [lock, state, queue, waiters, received, received_below],
        [token, lease_ms, update_id, waiter_ttl_ms, window_ms, _flag(is_update)],
    )


def leave_queue(pipe: PipelinedRedis, *, queue: str, waiters: str, token: bytes) -> Awaitable[Any]:
    """The waiter ``token`` stops waiting for the chat's lock."""
    return pipe.evalsha(LEAVE_QUEUE, [queue, waiters], [token])


def fenced_save(
    pipe: PipelinedRedis,
    *,
    lock: str,
    state: str,
    outbox: str,
    token: bytes,
    blob: bytes,
    ttl_seconds: int,
    listed: bool,
    now: float,
    chat_id: int,
    release: bool,
) -> Awaitable[int]:
    """Write ``blob`` to ``state`` (expiring after ``ttl_seconds``) if ``lock`` is held by
    ``token``, put ``chat_id`` in the ``outbox`` set (score ``now``) or take it out
    (``listed``), and free the lock if ``release``; 1 if written, 0 if the lock is not ours."""
    return pipe.evalsha(
        FENCED_SAVE,
        [lock, state, outbox],
        [token, blob, ttl_seconds, _flag(listed), now, chat_id, _flag(release)],
    )


def live_outbox(
    pipe: PipelinedRedis, *, outbox: str, state_prefix: str, limit: int
) -> Awaitable[list[bytes]]:
    """The first ``limit`` chat ids of the ``outbox`` set whose ``{state_prefix}{id}`` still
    exists; the others (expired documents) are removed from the set."""
    return pipe.evalsha(LIVE_OUTBOX, [outbox], [state_prefix, limit])
