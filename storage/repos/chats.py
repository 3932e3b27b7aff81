"""Worker chats that started the bot, and segments of them for broadcasts.

A chat that blocked the bot (`blocked_at`) or stopped broadcasts with /berhenti (`opted_out`)
is in no segment; writing to the bot again clears `blocked_at`, /mulai clears `opted_out`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, false, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col

from storage.infra.db import Database
from storage.models import LANGUAGES, REGISTRATION_STATUSES, Registration, WorkerChat, utcnow

log = logging.getLogger(__name__)

UNREGISTERED = "unregistered"
"""Registration status of a chat with no registration at all (for "please register" messages)."""

_REGION = re.compile(r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$")


class SegmentError(ValueError):
    """A segment names an unknown field or a value that cannot match anything."""


@dataclass(frozen=True)
class Segment:
    """Who receives a broadcast; empty fields do not restrict, values within a field are ORed.

    `region` entries are Kemendagri code prefixes ("36.04" is Kabupaten Serang and its
    districts and villages). Everybody who started the bot: ``Segment()``.
    """

    program: tuple[str, ...] = ()
    occupation: tuple[str, ...] = ()
    region: tuple[str, ...] = ()
    status: tuple[str, ...] = ()
    language: tuple[str, ...] = ()

    @classmethod
    def parse(cls, raw: Mapping[str, Any] | None) -> Segment:
        """From JSON such as ``{"occupation": ["nelayan"], "region": "36.04"}``; checks values."""
        raw = dict(raw or {})
        if raw.pop("all", None) not in (None, True):
            raise SegmentError("segment field 'all' can only be true")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(raw) - known)
        if unknown:
            raise SegmentError(f"unknown segment field {unknown[0]!r}; use {sorted(known)}")
        values = {name: _strings(name, value) for name, value in raw.items()}
        segment = cls(**values)
        for code in segment.region:
            if not _REGION.match(code):
                raise SegmentError(f"region {code!r} is not a Kemendagri code such as 36.04")
        for status in segment.status:
            if status not in (*REGISTRATION_STATUSES, UNREGISTERED):
                raise SegmentError(f"unknown registration status {status!r}")
        for language in segment.language:
            if language not in LANGUAGES:
                raise SegmentError(f"unknown language {language!r}")
        return segment

    def to_json(self) -> dict[str, list[str]]:
        return {f.name: list(getattr(self, f.name)) for f in fields(self) if getattr(self, f.name)}

    def condition(self) -> ColumnElement[bool]:
        """SQL condition on `worker_chats` rows that belong to this segment."""
        chat = col(WorkerChat.chat_id)
        conditions: list[ColumnElement[bool]] = [
            col(WorkerChat.blocked_at).is_(None),
            col(WorkerChat.opted_out).is_(false()),
        ]
        if self.language:
            conditions.append(col(WorkerChat.language).in_(self.language))
        registration: list[ColumnElement[bool]] = []
        if self.program:
            registration.append(col(Registration.program).in_(self.program))
        if self.occupation:
            registration.append(col(Registration.occupation).in_(self.occupation))
        if self.region:
            registration.append(or_(*(_in_region(code) for code in self.region)))
        statuses = [s for s in self.status if s != UNREGISTERED]
        if statuses:
            registration.append(col(Registration.status).in_(statuses))
        own = col(Registration.telegram_chat_id) == chat
        matching = exists().where(own, *registration)
        if UNREGISTERED in self.status:
            # Only chats without any registration, unless other criteria select registered ones.
            unregistered = ~exists().where(own)
            conditions.append(or_(unregistered, matching) if registration else unregistered)
        elif registration:
            conditions.append(matching)
        return and_(*conditions)


def _in_region(code: str) -> ColumnElement[bool]:
    region = col(Registration.region)
    return or_(region == code, region.startswith(code + "."))


def _strings(name: str, value: Any) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not all(isinstance(v, str) and v for v in items):
        raise SegmentError(f"segment field {name!r} must be a text or a list of texts")
    return tuple(dict.fromkeys(items))


class WorkerChats:
    """The `worker_chats` table: call `upsert_seen` for every private message from a worker."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def upsert_seen(self, chat_id: int, user_id: int | None, language: str) -> None:
        """Record that the chat wrote to us now (it can be reached again: clears `blocked_at`)."""
        await self.upsert_seen_many([(chat_id, user_id, language)])

    async def upsert_seen_many(self, chats: list[tuple[int, int | None, str]]) -> None:
        """`upsert_seen` for several chats in one statement and one transaction."""
        if not chats:
            return
        now = utcnow()
        rows = [
            {
                "chat_id": chat_id,
                "user_id": user_id,
                "language": language,
                "first_seen": now,
                "last_seen": now,
                "opted_out": False,
            }
            for chat_id, user_id, language in chats
        ]
        insert = sqlite_insert if self.db.is_sqlite else pg_insert
        statement = insert(WorkerChat).values(rows)
        statement = statement.on_conflict_do_update(
            index_elements=["chat_id"],
            set_={
                "user_id": statement.excluded.user_id,
                "language": statement.excluded.language,
                "last_seen": statement.excluded.last_seen,
                "blocked_at": None,
            },
        )
        async with self.db.engine.begin() as conn:
            await conn.execute(statement)

    async def mark_blocked(self, chat_id: int) -> None:
        """The worker blocked the bot (a 403, or a my_chat_member update): skip the chat."""
        await self._set(chat_id, blocked_at=utcnow())

    async def set_opted_out(self, chat_id: int, opted_out: bool) -> None:
        """/berhenti (True) and /mulai (False); unknown chats are recorded first."""
        values = {"opted_out": opted_out, "opted_out_at": utcnow() if opted_out else None}
        insert = sqlite_insert if self.db.is_sqlite else pg_insert
        now = utcnow()
        statement = insert(WorkerChat).values(
            chat_id=chat_id, language="id", first_seen=now, last_seen=now, **values
        )
        statement = statement.on_conflict_do_update(index_elements=["chat_id"], set_=values)
        async with self.db.engine.begin() as conn:
            await conn.execute(statement)

    async def get(self, chat_id: int) -> WorkerChat | None:
        async with self.db.session() as session:
            return await session.get(WorkerChat, chat_id)

    async def count_segment(self, segment: Segment | Mapping[str, Any] | None) -> int:
        """How many chats a broadcast to this segment would reach now."""
        if not isinstance(segment, Segment):
            segment = Segment.parse(segment)
        query = select(func.count()).select_from(WorkerChat).where(segment.condition())
        async with self.db.engine.begin() as conn:
            return int((await conn.execute(query)).scalar_one())

    async def _set(self, chat_id: int, **values: Any) -> None:
        async with self.db.engine.begin() as conn:
            await conn.execute(
                update(WorkerChat).where(col(WorkerChat.chat_id) == chat_id).values(**values)
            )


class DirectoryWriter:
    """The broadcast directory as the update processor keeps it current.

    "This chat wrote to us today" is written for many chats at once, in the background.

    A chat's first update of the day is recorded here instead of with one statement of its
    own; every `interval` seconds the chats noted since the last write are upserted in one
    statement. `note_seen` says whether the chat's entry for that day is known to be stored, so
    the caller remembers it only then: a process that dies before writing loses nothing,
    because the chat's next update notes it again.
    """

    def __init__(self, chats: WorkerChats, *, interval: float = 0.5, remember: int = 100_000):
        self._chats = chats
        self._interval = interval
        self._remember = remember
        self._pending: dict[int, tuple[int | None, str, str]] = {}
        self._stored: dict[int, str] = {}
        self._task: asyncio.Task[None] | None = None

    def note_seen(
        self, chat_id: int, user_id: int | None, language: str, marker: str, *, again: bool = False
    ) -> bool:
        """Queue the chat's entry; True once the entry for `marker` (day and language) is stored.
        `again` writes it even if stored (a chat that had blocked the bot wrote again)."""
        if again:
            self._stored.pop(chat_id, None)
        elif self._stored.get(chat_id) == marker:
            return True
        self._pending[chat_id] = (user_id, language, marker)
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run())
        return False

    async def _run(self) -> None:
        while self._pending:
            await asyncio.sleep(self._interval)
            try:
                await self.flush()
            except Exception:  # the chats are noted again by their next update
                log.warning("chat directory write failed; retried next time", exc_info=True)

    async def flush(self) -> None:
        batch, self._pending = self._pending, {}
        if not batch:
            return
        await self._chats.upsert_seen_many(
            [(chat_id, user, language) for chat_id, (user, language, _) in batch.items()]
        )
        if len(self._stored) + len(batch) > self._remember:
            self._stored.clear()
        self._stored.update((chat_id, marker) for chat_id, (_, _, marker) in batch.items())

    async def mark_blocked(self, chat_id: int) -> None:
        self._stored.pop(chat_id, None)
        pending = self._pending.pop(chat_id, None)
        if pending is not None:  # written first, so that the later write cannot unblock it
            await self._chats.upsert_seen(chat_id, pending[0], pending[1])
        await self._chats.mark_blocked(chat_id)

    async def set_opted_out(self, chat_id: int, opted_out: bool) -> None:
        await self._chats.set_opted_out(chat_id, opted_out)

    async def close(self) -> None:
        """Write what is pending and stop."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.flush()
