"""Broadcasts as officials see them: create, schedule, start (choose recipients), cancel, progress.

Recipients are fixed when a broadcast starts: every chat of its segment at that moment.
Delivery itself (claims and results per recipient) is in `storage.repos.deliveries`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypedDict, Unpack, cast
from urllib.parse import urlsplit

from sqlalchemy import func, insert, literal, select, update
from sqlmodel import col

from storage.errors import ConflictError, NotFoundError
from storage.infra.db import Database
from storage.models import Broadcast, BroadcastRecipient, WorkerChat, utcnow
from storage.repos import audit
from storage.repos.chats import Segment

MAX_TEXT = 4096
MAX_CAPTION = 1024
RATE_WINDOW = timedelta(seconds=30)
FINAL = ("sent", "failed", "blocked")


class BroadcastError(ValueError):
    """A broadcast's content or segment cannot be sent (the message says why)."""


@dataclass(frozen=True)
class Button:
    """An inline button that opens a link."""

    text: str
    url: str


@dataclass(frozen=True)
class Progress:
    """Counts of one broadcast; `remaining` is pending or in flight; `eta` while running."""

    id: int
    status: str
    total: int
    sent: int
    failed: int
    blocked: int
    remaining: int
    rate: float | None
    eta: datetime | None
    scheduled_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None

    def to_json(self) -> dict[str, Any]:
        """The shape of `GET /api/v1/broadcasts/{id}`."""
        times = ("eta", "scheduled_at", "started_at", "finished_at")
        data = {name: getattr(self, name) for name in self.__dataclass_fields__}
        for name in times:
            data[name] = data[name].isoformat() if data[name] else None
        return data


def _check_url(url: str, what: str) -> None:
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unbalanced "[" in the host
        raise BroadcastError(f"{what} must be an http(s) or tg:// link") from None
    if parts.scheme not in ("http", "https", "tg") or not (parts.netloc or parts.path):
        raise BroadcastError(f"{what} must be an http(s) or tg:// link")


def compose_message(
    text: str, *, photo_url: str | None = None, button: Button | None = None
) -> Broadcast:
    """An unsaved broadcast with this content (no segment); raises BroadcastError if it is not
    one Telegram would take. A test send shows it exactly as `create` would store it."""
    text = text.strip()
    if not text:
        raise BroadcastError("the message text is empty")
    limit = MAX_CAPTION if photo_url else MAX_TEXT
    if len(text) > limit:
        raise BroadcastError(f"the message is longer than {limit} characters")
    if photo_url:
        _check_url(photo_url, "the photo")
    if button is not None:
        if not button.text.strip():
            raise BroadcastError("the button needs a text")
        _check_url(button.url, "the button")
    return Broadcast(
        text=text,
        photo_url=photo_url,
        button_text=button.text if button else None,
        button_url=button.url if button else None,
    )


class BroadcastDetails(TypedDict, total=False):
    """What a broadcast may carry besides its text: a photo, a link button, when it starts
    (UTC; now when absent) and who created it."""

    photo_url: str | None
    button: Button | None
    scheduled_at: datetime | None
    created_by: str | None


class Broadcasts:
    """Create and steer broadcasts; all times are UTC."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def create(
        self,
        text: str,
        segment: Segment | dict[str, Any] | None = None,
        *,
        draft: bool = False,
        reason: str | None = None,
        **details: Unpack[BroadcastDetails],
    ) -> int:
        """Store a broadcast; it starts at `scheduled_at` (now when None) unless it is a draft.

        With a `reason` (the console and API require one), `broadcast.created` is audited.
        """
        unexpected = set(details) - BroadcastDetails.__optional_keys__
        if unexpected:
            raise TypeError(f"unexpected keyword argument(s) {', '.join(sorted(unexpected))}")
        scheduled_at, created_by = details.get("scheduled_at"), details.get("created_by")
        row = compose_message(
            text, photo_url=details.get("photo_url"), button=details.get("button")
        )
        parsed = segment if isinstance(segment, Segment) else Segment.parse(segment)
        row.segment = parsed.to_json()
        row.status = "draft" if draft else "scheduled"
        row.scheduled_at = None if draft else (scheduled_at or utcnow())
        row.created_by = created_by
        async with self.db.session() as session:
            session.add(row)
            await session.flush()
            assert row.id is not None
            if reason is not None:
                detail = {"reason": reason, "segment": row.segment, "draft": draft}
                await audit.record(
                    session,
                    created_by or "system",
                    "broadcast.created",
                    "broadcast",
                    row.id,
                    detail,
                )
            await session.commit()
            return row.id

    async def get(self, broadcast_id: int) -> Broadcast:
        async with self.db.session() as session:
            row = await session.get(Broadcast, broadcast_id)
        if row is None:
            raise NotFoundError(f"no broadcast {broadcast_id}")
        return row

    async def schedule(self, broadcast_id: int, at: datetime | None = None) -> None:
        """Send a draft (or move a scheduled broadcast) at `at`, now when None."""
        changed = await self._transition(
            broadcast_id, ("draft", "scheduled"), status="scheduled", scheduled_at=at or utcnow()
        )
        if not changed:
            raise ConflictError(f"broadcast {broadcast_id} has already started")

    async def cancel(self, broadcast_id: int) -> bool:
        """Stop a broadcast: nothing more is sent. False if it had already ended."""
        await self.get(broadcast_id)
        active = ("draft", "scheduled", "running")
        changed = await self._transition(
            broadcast_id, active, status="cancelled", finished_at=utcnow()
        )
        if changed:
            await self._store_counts(broadcast_id)
        return changed

    async def start_due(self, now: datetime | None = None) -> list[int]:
        """Start scheduled broadcasts whose time has come; each is started by one process only."""
        now = now or utcnow()
        due = (
            select(col(Broadcast.id))
            .where(col(Broadcast.status) == "scheduled", col(Broadcast.scheduled_at) <= now)
            .order_by(col(Broadcast.scheduled_at))
        )
        started: list[int] = []
        async with self.db.engine.begin() as conn:
            ids = cast(list[int], list((await conn.execute(due)).scalars()))
        for broadcast_id in ids:
            if await self._start(broadcast_id, now):
                started.append(broadcast_id)
        return started

    async def _start(self, broadcast_id: int, now: datetime) -> bool:
        async with self.db.engine.begin() as conn:
            claimed = await conn.execute(
                update(Broadcast)
                .where(col(Broadcast.id) == broadcast_id, col(Broadcast.status) == "scheduled")
                .values(status="running", started_at=now)
            )
            if claimed.rowcount != 1:
                return False
            segment = await conn.execute(
                select(col(Broadcast.segment)).where(col(Broadcast.id) == broadcast_id)
            )
            chats = select(
                literal(broadcast_id), col(WorkerChat.chat_id), literal("pending"), literal(0)
            ).where(Segment.parse(segment.scalar_one()).condition())
            await conn.execute(
                insert(BroadcastRecipient).from_select(
                    ["broadcast_id", "chat_id", "status", "attempts"], chats
                )
            )
            total = (
                select(func.count())
                .where(col(BroadcastRecipient.broadcast_id) == broadcast_id)
                .scalar_subquery()
            )
            await conn.execute(
                update(Broadcast).where(col(Broadcast.id) == broadcast_id).values(total=total)
            )
            return True

    async def running(self) -> list[int]:
        query = select(col(Broadcast.id)).where(col(Broadcast.status) == "running")
        async with self.db.engine.begin() as conn:
            result = await conn.execute(query.order_by(col(Broadcast.id)))
            return cast(list[int], list(result.scalars()))

    async def is_running(self, broadcast_id: int) -> bool:
        return (await self.get(broadcast_id)).status == "running"

    async def finish_if_complete(self, broadcast_id: int) -> bool:
        """Mark a running broadcast done once no recipient is pending or in flight."""
        counts = await self._counts(broadcast_id)
        if counts.get("pending", 0) or counts.get("sending", 0):
            return False
        changed = await self._transition(
            broadcast_id, ("running",), status="done", finished_at=utcnow()
        )
        if changed:
            await self._store_counts(broadcast_id)
        return changed

    async def progress(self, broadcast_id: int, now: datetime | None = None) -> Progress:
        """Sent, failed, blocked and remaining, the recent rate (per second) and the ETA."""
        now = now or utcnow()
        row = await self.get(broadcast_id)
        counts = await self._counts(broadcast_id)
        remaining = counts.get("pending", 0) + counts.get("sending", 0)
        rate = eta = None
        if row.status == "running":
            recent = select(func.count()).where(
                col(BroadcastRecipient.broadcast_id) == broadcast_id,
                col(BroadcastRecipient.sent_at) >= now - RATE_WINDOW,
            )
            async with self.db.engine.begin() as conn:
                sent_recently = int((await conn.execute(recent)).scalar_one())
            rate = sent_recently / RATE_WINDOW.total_seconds()
            eta = now + timedelta(seconds=remaining / rate) if rate else None
        return Progress(
            id=broadcast_id,
            status=row.status,
            total=row.total,
            sent=counts.get("sent", 0),
            failed=counts.get("failed", 0),
            blocked=counts.get("blocked", 0),
            remaining=remaining if row.status in ("running", "scheduled") else 0,
            rate=rate,
            eta=eta,
            scheduled_at=row.scheduled_at,
            started_at=row.started_at,
            finished_at=row.finished_at,
        )

    async def _counts(self, broadcast_id: int) -> dict[str, int]:
        query = (
            select(col(BroadcastRecipient.status), func.count())
            .where(col(BroadcastRecipient.broadcast_id) == broadcast_id)
            .group_by(col(BroadcastRecipient.status))
        )
        async with self.db.engine.begin() as conn:
            return {status: int(n) for status, n in (await conn.execute(query)).all()}

    async def _store_counts(self, broadcast_id: int) -> None:
        counts = await self._counts(broadcast_id)
        values = {status: counts.get(status, 0) for status in FINAL}
        async with self.db.engine.begin() as conn:
            await conn.execute(
                update(Broadcast).where(col(Broadcast.id) == broadcast_id).values(**values)
            )

    async def _transition(self, broadcast_id: int, before: tuple[str, ...], **values: Any) -> bool:
        async with self.db.engine.begin() as conn:
            result = await conn.execute(
                update(Broadcast)
                .where(col(Broadcast.id) == broadcast_id, col(Broadcast.status).in_(before))
                .values(**values)
            )
            return result.rowcount == 1
