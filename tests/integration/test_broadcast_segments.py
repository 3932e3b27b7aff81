"""Who a broadcast reaches, on every database backend: segments by program, occupation, region,
registration status and language; never chats that blocked the bot or sent /berhenti."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import text

from storage.infra.db import Database
from storage.repos.broadcasts import BroadcastError, Broadcasts, Button
from storage.repos.chats import Segment, SegmentError, WorkerChats
from storage.repos.registrations import NewRegistration, Registrations


@pytest.fixture
async def chats(db: Database) -> WorkerChats:
    return WorkerChats(db)


async def registered(
    chats: WorkerChats,
    registrations: Registrations,
    make_registration: Callable[..., NewRegistration],
    **fields: Any,
) -> int:
    new = make_registration(**fields)
    await registrations.submit(new)
    await chats.upsert_seen(new.telegram_chat_id, new.telegram_user_id, new.language)
    return new.telegram_chat_id


async def test_segments_select_by_registration_details(
    chats: WorkerChats, registrations: Registrations, make_registration: Callable[..., Any]
) -> None:
    nelayan = await registered(chats, registrations, make_registration, occupation="nelayan")
    ojek = await registered(
        chats, registrations, make_registration, occupation="ojek", region="36.01.02.2003"
    )
    await chats.upsert_seen(1_234, 1_234, "en")  # started the bot, never registered

    assert await chats.count_segment({}) == 3
    assert await chats.count_segment({"occupation": "nelayan"}) == 1
    assert await chats.count_segment({"region": "36.04"}) == 1  # Kabupaten Serang
    assert await chats.count_segment({"region": ["36.04", "36.01"]}) == 2
    assert await chats.count_segment({"region": "36.04.02"}) == 0  # another district
    assert await chats.count_segment({"status": "pending", "program": "serang-2025"}) == 2
    assert await chats.count_segment({"status": "unregistered"}) == 1
    assert await chats.count_segment({"language": "en"}) == 1
    assert nelayan != ojek


async def test_blocked_and_opted_out_chats_are_in_no_segment(chats: WorkerChats) -> None:
    for chat in (1, 2, 3):
        await chats.upsert_seen(chat, chat, "id")
    await chats.mark_blocked(1)
    await chats.set_opted_out(2, True)

    assert await chats.count_segment({}) == 1

    await chats.upsert_seen(1, 1, "id")  # wrote to the bot again: reachable again
    await chats.set_opted_out(2, False)  # /mulai
    assert await chats.count_segment({}) == 3


async def test_recipients_are_the_segment_when_the_broadcast_starts(db: Database) -> None:
    chats, broadcasts = WorkerChats(db), Broadcasts(db)
    for chat in (11, 12):
        await chats.upsert_seen(chat, chat, "id")
    broadcast = await broadcasts.create(
        "<b>Info</b>", {}, button=Button("Daftar", "https://t.me/lindungi_bot")
    )
    await chats.upsert_seen(13, 13, "id")

    assert await broadcasts.start_due() == [broadcast]
    await chats.upsert_seen(14, 14, "id")  # too late for this one

    assert (await broadcasts.progress(broadcast)).total == 3
    assert await broadcasts.start_due() == []  # started once only
    async with db.engine.connect() as conn:
        rows = await conn.execute(text("SELECT chat_id FROM broadcast_recipients ORDER BY 1"))
        assert list(rows.scalars()) == [11, 12, 13]


@pytest.mark.parametrize(
    "segment",
    [{"occupations": "nelayan"}, {"region": "Serang"}, {"status": "lost"}, {"language": 3}],
)
async def test_a_wrong_segment_is_refused_with_the_field(segment: dict[str, Any]) -> None:
    with pytest.raises(SegmentError):
        Segment.parse(segment)


async def test_an_empty_or_too_long_message_is_refused(db: Database) -> None:
    broadcasts = Broadcasts(db)
    with pytest.raises(BroadcastError, match="empty"):
        await broadcasts.create("  ", {})
    with pytest.raises(BroadcastError, match="1024"):
        await broadcasts.create("x" * 2000, {}, photo_url="https://example.org/a.jpg")
    with pytest.raises(BroadcastError, match="button"):
        await broadcasts.create("Info", {}, button=Button("Daftar", "javascript:alert(1)"))
