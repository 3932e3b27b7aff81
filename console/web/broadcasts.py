"""Broadcasts in the console: the latest with their progress, compose, count, test on your own
Telegram, send, cancel; and linking that Telegram (a one-time code sent to the bot).

The form is checked with the JSON API's own models and segment rule (`console.api.broadcasts`):
a reviewer may only address workers of their own region, which the form fills in for them.
Admins see every broadcast; reviewers those addressed within their region.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Request, Response
from pydantic import ValidationError

from console.api.account import deep_link
from console.api.broadcasts import BroadcastIn, _segment, store_broadcast, within_reach
from console.deps import Actor, ServicesDep
from console.labels import region_name
from console.services import PreviewError
from console.web.inbox import count_open
from console.web.pages import Flash, WebRoute, redirect, render
from console.web.sessions import PostSessionDep, SessionDep, WebError, WebSession
from console.web.texts import TEXT
from console.web.views import number, status_label, when
from domain.occupations import load_occupations
from storage.errors import NotFoundError
from storage.models import REGISTRATION_STATUSES
from storage.repos.broadcast_list import list_recent
from storage.repos.broadcasts import BroadcastError, Broadcasts, compose_message
from storage.repos.chats import UNREGISTERED, Segment, WorkerChats
from storage.repos.official_telegram import LinkCode, OfficialTelegram
from storage.repos.stats import WIB

router = APIRouter(route_class=WebRoute, dependencies=[Depends(count_open)])
SHOWN = 30
ACTIVE = ("draft", "scheduled", "running")
BroadcastId = Annotated[int, Path(ge=1, le=2**31 - 1)]
LANGUAGES = {"id": "Bahasa Indonesia", "en": "English"}
FIELDS = ("text", "photo_url", "button_text", "button_url", "region", "scheduled_at", "reason")
LISTS = ("program", "occupation", "status", "language")


def _segment_label(segment: Mapping[str, Any], services: Any) -> str:
    parts = []
    for name, values in segment.items():
        labels = [
            region_name(services.regions, v) or v
            if name == "region"
            else status_label(v)
            if name == "status"
            else LANGUAGES.get(v, v)
            if name == "language"
            else v
            for v in values
        ]
        parts.append(f"{TEXT['broadcast_' + name]}: {', '.join(labels)}")
    return "; ".join(parts) or TEXT["broadcast_everyone"]


async def _listed(services: Any, official: Actor) -> list[dict[str, Any]]:
    broadcasts = Broadcasts(services.db)
    shown = []
    for row in await list_recent(services.db, SHOWN):
        if not within_reach(row, official):
            continue
        assert row.id is not None
        progress = await broadcasts.progress(row.id)
        counts = {
            name: number(getattr(progress, name))
            for name in ("sent", "failed", "blocked", "remaining", "total")
        }
        shown.append(
            {
                "id": row.id,
                "text": row.text if len(row.text) <= 120 else row.text[:120] + "…",
                "segment": _segment_label(row.segment or {}, services),
                "status": progress.status,
                "status_label": TEXT[f"broadcast_status_{progress.status}"],
                "progress": TEXT["broadcast_progress"].format(**counts),
                "eta": when(progress.eta),
                "time": when(progress.finished_at or progress.started_at or progress.scheduled_at)
                or when(row.created_at),
                "cancellable": progress.status in ACTIVE,
            }
        )
    return shown


def _choices(services: Any, session: WebSession) -> dict[str, Any]:
    scope = session.official.scope
    programs = [p for p in services.programs if any(scope.overlaps(c) for c in p.regions)]
    statuses = [(s, status_label(s)) for s in REGISTRATION_STATUSES]
    if session.official.is_admin:  # workers without a registration have no region
        statuses.append((UNREGISTERED, TEXT["broadcast_unregistered"]))
    return {
        "programs": [(p.id, p.short_name) for p in programs],
        "occupations": [(o.id, o.id_label) for o in load_occupations()],
        "statuses": statuses,
        "languages": list(LANGUAGES.items()),
    }


async def _telegram(services: Any, official: Actor, code: LinkCode | None = None) -> dict[str, Any]:
    """The official's own Telegram for test sends: linked since when, or a new code to link."""
    linked = await OfficialTelegram(services.db).linked(official.id)
    shown: dict[str, Any] = {"linked": linked is not None, "since": ""}
    if linked is not None:
        shown["since"] = when(linked.linked_at)
    if code is not None:
        shown["code"] = {
            "command": f"/start {code.code}",
            "deep_link": deep_link(services, code.code),
            "until": when(code.expires_at),
        }
    return shown


async def broadcasts_page(
    request: Request,
    services: Any,
    session: WebSession,
    form: Mapping[str, Any] | None = None,
    *,
    status: int = 200,
    messages: Flash | None = None,
    code: LinkCode | None = None,
) -> Response:
    official = session.official
    context = {
        "rows": await _listed(services, official),
        "form": form or {},
        "forced_region": None if official.is_admin else official.region or "",
        "telegram": await _telegram(services, official, code),
        **_choices(services, session),
    }
    return render(request, "broadcasts.html", context, status=status, messages=messages)


@router.get("/broadcasts", include_in_schema=False)
async def broadcasts(request: Request, session: SessionDep, services: ServicesDep) -> Response:
    return await broadcasts_page(request, services, session)


def _form_values(form: Any) -> dict[str, Any]:
    """The submitted compose form, to check and to show again."""
    values: dict[str, Any] = {name: str(form.get(name) or "").strip() for name in FIELDS}
    values.update({name: [str(v) for v in form.getlist(name) if v] for name in LISTS})
    return values


def _scheduled(value: str) -> datetime | None:
    """A `datetime-local` value in WIB; raises ValueError when it is not one."""
    if not value:
        return None
    return datetime.fromisoformat(value).replace(tzinfo=WIB)


def _body(values: Mapping[str, Any], official: Actor) -> dict[str, Any]:
    """The API's JSON body for the form's values (the API's models decide what is valid)."""
    regions = [code for code in re.split(r"[\s,]+", values["region"]) if code]
    if not official.is_admin:
        regions = []  # the API's rule fills in the reviewer's own region
    segment = {
        name: values[name]
        for name in ("program", "occupation", "status", "language")
        if values[name]
    }
    if regions:
        segment["region"] = regions
    body: dict[str, Any] = {"text": values["text"], "segment": segment}
    if values["photo_url"]:
        body["photo_url"] = values["photo_url"]
    if values["button_text"] or values["button_url"]:
        body["button"] = {"text": values["button_text"], "url": values["button_url"]}
    if values["reason"]:
        body["reason"] = values["reason"]
    return body


def _why(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    return f"{where}: {first['msg']}"


class _Refused(Exception):
    """A composed broadcast the page shows again, with the status and one message."""

    def __init__(self, status: int, message: tuple[str, str]) -> None:
        super().__init__(message[1])
        self.status = status
        self.message = message


def _read_form(
    values: dict[str, Any], official: Actor
) -> tuple[BroadcastIn, datetime | None, Segment]:
    """The broadcast, its time and its recipients from the form; _Refused when wrong."""
    try:
        body = BroadcastIn.model_validate(_body(values, official))
        scheduled = _scheduled(values["scheduled_at"])
    except ValidationError as exc:
        why = _why(exc)
        raise _Refused(422, ("error", TEXT["broadcast_invalid"].format(why=why))) from None
    except ValueError:
        raise _Refused(422, ("error", TEXT["broadcast_bad_time"])) from None
    try:
        segment: Segment = _segment(body.segment, official)
    except HTTPException as exc:
        if exc.status_code == 403:
            key = "broadcast_out_of_region" if official.region else "broadcast_no_region"
            raise _Refused(403, ("error", TEXT[key])) from None
        why = exc.detail
        raise _Refused(422, ("error", TEXT["broadcast_invalid"].format(why=why))) from None
    return body, scheduled, segment


@router.post("/broadcasts", include_in_schema=False)
async def compose(request: Request, session: PostSessionDep, services: ServicesDep) -> Response:
    """Count the recipients (action=count), send it once to the official's own Telegram
    (action=test), or send/schedule the broadcast (action=send)."""
    form = await request.form()
    values = _form_values(form)
    official = session.official

    async def again(status: int, message: tuple[str, str]) -> Response:
        return await broadcasts_page(
            request, services, session, values, status=status, messages=[message]
        )

    try:
        body, scheduled, segment = _read_form(values, official)
    except _Refused as refused:
        return await again(refused.status, refused.message)
    if form.get("action") == "test":
        return await _send_test(request, services, session, values, body)
    count = await WorkerChats(services.db).count_segment(segment)
    if form.get("action") != "send":
        return await again(200, ("info", TEXT["broadcast_counted"].format(count=number(count))))
    if not body.reason:
        return await again(422, ("error", TEXT["reason_missing"]))
    try:
        created = await store_broadcast(services.db, body, segment, official, scheduled)
    except BroadcastError as exc:
        return await again(422, ("error", TEXT["broadcast_invalid"].format(why=exc)))
    done = TEXT["broadcast_created"].format(id=created, count=number(count))
    return redirect(request, "/admin/broadcasts", [("ok", done)])


async def _send_test(
    request: Request,
    services: Any,
    session: WebSession,
    values: dict[str, Any],
    body: BroadcastIn,
) -> Response:
    """Send the composed message once to the official's own Telegram; the form stays filled."""
    official = session.official
    try:
        message = compose_message(body.text, photo_url=body.photo_url, button=body.stored_button())
    except BroadcastError as exc:
        error = ("error", TEXT["broadcast_invalid"].format(why=exc))
        return await broadcasts_page(
            request, services, session, values, status=422, messages=[error]
        )
    chats = OfficialTelegram(services.db)
    linked = await chats.linked(official.id)
    sender = services.preview_sender
    code = None
    if linked is None:
        # The instructions come with a fresh code right away: one click less.
        code = await chats.new_code(official.id)
        status, reply = 409, ("error", TEXT["broadcast_test_not_linked"])
    elif sender is None:
        status, reply = 503, ("error", TEXT["broadcast_test_off"])
    else:
        try:
            await sender.send(message, linked.chat_id)
            status, reply = 200, ("ok", TEXT["broadcast_test_sent"])
        except PreviewError as exc:
            key = "broadcast_test_blocked" if exc.blocked else "broadcast_test_failed"
            status, reply = 409 if exc.blocked else 502, ("error", TEXT[key].format(why=exc))
    return await broadcasts_page(
        request, services, session, values, status=status, messages=[reply], code=code
    )


@router.post("/broadcasts/telegram/link", include_in_schema=False)
async def link_telegram(
    request: Request, session: PostSessionDep, services: ServicesDep
) -> Response:
    """A one-time code (and the bot's link) to connect the official's own Telegram."""
    code = await OfficialTelegram(services.db).new_code(session.official.id)
    return await broadcasts_page(request, services, session, code=code)


@router.post("/broadcasts/telegram/unlink", include_in_schema=False)
async def unlink_telegram(
    request: Request, session: PostSessionDep, services: ServicesDep
) -> Response:
    await OfficialTelegram(services.db).unlink(session.official.id)
    return redirect(request, "/admin/broadcasts", [("ok", TEXT["telegram_unlinked"])])


@router.post("/broadcasts/{broadcast_id}/cancel", include_in_schema=False)
async def cancel(
    request: Request, session: PostSessionDep, services: ServicesDep, broadcast_id: BroadcastId
) -> Response:
    """Stop sending; messages already delivered stay delivered."""
    broadcasts = Broadcasts(services.db)
    try:
        row = await broadcasts.get(broadcast_id)
    except NotFoundError:
        row = None
    if row is None or not within_reach(row, session.official):  # the same 404 either way
        raise WebError(404, TEXT["not_found"])
    if await broadcasts.cancel(broadcast_id):
        message = ("ok", TEXT["broadcast_cancelled"].format(id=broadcast_id))
    else:
        message = ("error", TEXT["broadcast_not_active"].format(id=broadcast_id))
    return redirect(request, "/admin/broadcasts", [message])
