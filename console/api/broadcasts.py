"""Broadcasts: compose for a segment, count who will receive it, test on yourself, send or
schedule, watch, cancel.

Delivery runs in the background (`lindungi worker`, or inside `lindungi serve` without Redis).
A reviewer may only address workers registered in their own region, and cancel only broadcasts
addressed within it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, status
from pydantic import BaseModel, ConfigDict, Field

from console.api.responses import errors
from console.deps import Actor, CurrentOfficial, ServicesDep
from console.schemas import ErrorOut
from console.services import PreviewError
from storage.errors import NotFoundError
from storage.infra.db import Database
from storage.models import Broadcast
from storage.repos import audit
from storage.repos.broadcasts import BroadcastError, Broadcasts, Button, compose_message
from storage.repos.chats import UNREGISTERED, Segment, SegmentError, WorkerChats
from storage.repos.official_telegram import OfficialTelegram
from storage.repos.scope import covers

router = APIRouter(tags=["broadcasts"])
BroadcastId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The broadcast's id.")]


# Python's str.isspace() characters, spelled out so the schema means the same in any regex
# dialect; PostgreSQL text cannot hold NUL either.
_SPACE = r"\x00\t\n\x0b\x0c\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_VISIBLE = rf"[^{_SPACE}]"
Link = Annotated[
    str, Field(max_length=2048, pattern=rf"^(https?|tg)://[^{_SPACE}/?#\[\]][^{_SPACE}\[\]]*$")
]


class ButtonIn(BaseModel):
    text: str = Field(min_length=1, max_length=64, pattern=rf"^[^\x00]*{_VISIBLE}[^\x00]*$")
    url: Link


RegionCode = Annotated[str, Field(pattern=r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$")]
# PostgreSQL text cannot hold NUL characters: refuse them in the schema.
Name = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[^\x00]+$")]
Status = Literal["pending", "approved", "rejected", "active", "unregistered"]
Language = Literal["id", "en"]


class SegmentSpec(BaseModel):
    """Who receives it; empty fields do not restrict, values within a field are ORed.

    `{}` is everyone who started the bot (and did not block it or opt out).
    """

    model_config = ConfigDict(extra="forbid")

    all: Literal[True] | None = None
    program: list[Name] | Name | None = None
    occupation: list[Name] | Name | None = None
    region: list[RegionCode] | RegionCode | None = Field(
        default=None, description="Kemendagri code prefixes."
    )
    status: list[Status] | Status | None = None
    language: list[Language] | Language | None = None


Reason = Annotated[
    str,
    Field(min_length=audit.MIN_REASON, max_length=500, pattern=rf"^[^\x00]*{_VISIBLE}[^\x00]*$"),
]


class BroadcastIn(BaseModel):
    """A message in Telegram HTML for a segment of workers.

    At most 1,024 characters, Telegram's limit for a photo's caption, so that every broadcast
    can carry a photo.
    """

    text: str = Field(min_length=1, max_length=1024, pattern=rf"^[^\x00]*{_VISIBLE}[^\x00]*$")
    segment: SegmentSpec = Field(default_factory=SegmentSpec)
    photo_url: Link | None = None
    button: ButtonIn | None = None
    scheduled_at: datetime | None = Field(default=None, description="UTC; now when absent.")
    draft: bool = False
    reason: Reason | None = Field(default=None, description="Ignored by the test send.")

    def stored_button(self) -> Button | None:
        """The button as storage keeps it."""
        return Button(self.button.text, self.button.url) if self.button else None


class BroadcastCreateIn(BroadcastIn):
    """A broadcast to store: the message, its segment, and why it is sent."""

    reason: Reason = Field(description="Why this broadcast is sent (kept in the audit log).")


class SegmentIn(BaseModel):
    segment: SegmentSpec = Field(default_factory=SegmentSpec)


def _utc(when: datetime | None) -> datetime | None:
    """In UTC; a naive time counts as UTC, and a time before year 1 in UTC means now."""
    if when is None:
        return None
    try:
        return when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)
    except OverflowError:
        return None


def _segment(spec: SegmentSpec, official: Actor) -> Segment:
    try:
        segment = Segment.parse(spec.model_dump(exclude_none=True))
    except SegmentError as exc:
        detail = [{"loc": ["body", "segment"], "msg": str(exc), "type": "value_error"}]
        raise HTTPException(422, detail) from None
    if official.is_admin:
        return segment
    own = official.region or ""
    if not own:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Your account has no region.")
    if UNREGISTERED in segment.status:
        # A worker who never registered has no known region: they may live anywhere.
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            "Workers who have not registered have no region: only an admin can address them.",
        )
    if not segment.region:
        return Segment(**{**segment.__dict__, "region": (own,)})
    if not all(code == own or code.startswith(own + ".") for code in segment.region):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "This segment is outside your region.")
    return segment


def within_reach(row: Broadcast, official: Actor) -> bool:
    """Admins reach every broadcast; a reviewer those addressed within their own region."""
    if official.is_admin:
        return True
    own = official.region
    regions = (row.segment or {}).get("region") or []
    if not own or not regions:
        return False
    return all(covers(own, code) for code in regions)


def _content(body: BroadcastIn) -> Broadcast:
    """The message as it would be stored (the storage rules), or 422."""
    try:
        return compose_message(body.text, photo_url=body.photo_url, button=body.stored_button())
    except BroadcastError as exc:
        detail = [{"loc": ["body"], "msg": str(exc), "type": "value_error"}]
        raise HTTPException(422, detail) from None


async def store_broadcast(
    db: Database,
    body: BroadcastIn,
    segment: Segment,
    official: Actor,
    scheduled_at: datetime | None,
) -> int:
    """Store `body` for `segment` as `official`'s broadcast; BroadcastError when it is wrong."""
    return await Broadcasts(db).create(
        body.text,
        segment,
        photo_url=body.photo_url,
        button=body.stored_button(),
        scheduled_at=_utc(scheduled_at),
        created_by=official.audit_name,
        draft=body.draft,
        reason=body.reason,
    )


@router.post(
    "/broadcasts",
    status_code=status.HTTP_202_ACCEPTED,
    responses=errors(400, 401, 403),
    summary="Send or schedule a broadcast",
)
async def create_broadcast(
    body: BroadcastCreateIn, official: CurrentOfficial, services: ServicesDep
) -> dict[str, int]:
    """Accepted for delivery at `scheduled_at` (now when absent), unless it is a draft."""
    segment = _segment(body.segment, official)
    try:
        broadcast_id = await store_broadcast(
            services.db, body, segment, official, body.scheduled_at
        )
    except BroadcastError as exc:
        detail = [{"loc": ["body"], "msg": str(exc), "type": "value_error"}]
        raise HTTPException(422, detail) from None
    return {"id": broadcast_id}


NOT_LINKED = (
    "Your account has no linked Telegram chat: get a code with POST /api/v1/me/telegram/link "
    "and send it to the bot."
)


@router.post(
    "/broadcasts/test",
    responses={
        **errors(400, 401, 403),
        409: {
            "model": ErrorOut,
            "description": "No Telegram chat is linked to your account, or it blocked the bot.",
        },
        502: {"model": ErrorOut, "description": "Telegram refused the message or was unreachable."},
        503: {"model": ErrorOut, "description": "Telegram is off on this server."},
    },
    summary="Send a test to yourself",
)
async def send_test(
    body: BroadcastIn, official: CurrentOfficial, services: ServicesDep
) -> dict[str, bool]:
    """Send the message once to your own linked Telegram chat, exactly as its recipients would
    get it (text, photo, button). Same body as creating a broadcast; nothing is stored or
    scheduled. Link a chat first: `POST /api/v1/me/telegram/link`."""
    _segment(body.segment, official)
    message = _content(body)
    linked = await OfficialTelegram(services.db).linked(official.id)
    if linked is None:
        raise HTTPException(status.HTTP_409_CONFLICT, NOT_LINKED)
    sender = services.preview_sender
    if sender is None:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "Telegram is off on this server.")
    try:
        await sender.send(message, linked.chat_id)
    except PreviewError as exc:
        code = status.HTTP_409_CONFLICT if exc.blocked else status.HTTP_502_BAD_GATEWAY
        raise HTTPException(code, str(exc)) from None
    return {"sent": True}


@router.post("/broadcasts/audience", responses=errors(400, 401, 403), summary="Count a segment")
async def audience(
    body: SegmentIn, official: CurrentOfficial, services: ServicesDep
) -> dict[str, int]:
    """How many workers a broadcast to this segment would reach now."""
    segment = _segment(body.segment, official)
    return {"count": await WorkerChats(services.db).count_segment(segment)}


async def _reachable(services: ServicesDep, broadcast_id: int, official: Actor) -> Broadcasts:
    """The broadcasts, once this one is known to be within the official's reach; else 404,
    the same for a broadcast addressed outside their region as for an unknown id."""
    broadcasts = Broadcasts(services.db)
    try:
        reachable = within_reach(await broadcasts.get(broadcast_id), official)
    except NotFoundError:
        reachable = False
    if not reachable:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No broadcast has this id.")
    return broadcasts


@router.get("/broadcasts/{broadcast_id}", responses=errors(401, 404), summary="Progress")
async def progress(
    broadcast_id: BroadcastId, official: CurrentOfficial, services: ServicesDep
) -> dict[str, Any]:
    """Status, total, sent, failed, blocked, remaining, recent rate and estimated finish. A
    reviewer sees only broadcasts addressed within their region."""
    broadcasts = await _reachable(services, broadcast_id, official)
    return (await broadcasts.progress(broadcast_id)).to_json()


@router.post("/broadcasts/{broadcast_id}/cancel", responses=errors(401, 404), summary="Cancel")
async def cancel(
    broadcast_id: BroadcastId, official: CurrentOfficial, services: ServicesDep
) -> dict[str, Any]:
    """Stop sending; messages already delivered stay delivered. A reviewer may cancel only
    broadcasts addressed within their region."""
    broadcasts = await _reachable(services, broadcast_id, official)
    await broadcasts.cancel(broadcast_id)
    return (await broadcasts.progress(broadcast_id)).to_json()
