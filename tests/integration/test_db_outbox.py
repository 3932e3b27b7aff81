"""The leased outbox under notifications and broadcast recipients: a claimed row is nobody
else's until its lease lapses, a stopped sender's rows come back, a resend after a crash is
flagged, and each attempt is counted once."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlmodel import col, select

from storage.infra.db import Database
from storage.models import BroadcastRecipient, Notification, WorkerChat, utcnow
from storage.repos.broadcasts import Broadcasts
from storage.repos.deliveries import UNCERTAIN, Deliveries
from storage.repos.notifications import LEASE, Notifications


async def _notifications(db: Database, n: int) -> list[int]:
    async with db.session() as session:
        rows = [Notification(chat_id=100 + i, kind="approved") for i in range(n)]
        session.add_all(rows)
        await session.commit()
        return [row.id for row in rows if row.id is not None]


async def _recipients(db: Database, n: int) -> int:
    """A running broadcast to `n` chats; returns its id."""
    async with db.session() as session:
        session.add_all(WorkerChat(chat_id=500 + i, user_id=500 + i) for i in range(n))
        await session.commit()
    broadcasts = Broadcasts(db)
    broadcast = await broadcasts.create("Info", {})
    await broadcasts.start_due()
    return broadcast


async def _recipient(db: Database, recipient_id: int) -> BroadcastRecipient:
    async with db.session() as session:
        query = select(BroadcastRecipient).where(col(BroadcastRecipient.id) == recipient_id)
        return (await session.exec(query)).one()


async def test_a_claimed_notification_is_claimed_again_only_once_its_lease_lapsed(
    db: Database,
) -> None:
    outbox = Notifications(db)
    ids = await _notifications(db, 3)
    now = utcnow()

    first = await outbox.claim_due(10, now)
    meanwhile = await outbox.claim_due(10, now + LEASE - timedelta(seconds=1))
    after_a_crash = await outbox.claim_due(10, now + LEASE + timedelta(seconds=1))

    assert [row.id for row in first] == ids
    assert meanwhile == []
    assert [row.id for row in after_a_crash] == ids


async def test_notifications_given_back_are_due_at_once_and_not_counted(db: Database) -> None:
    outbox = Notifications(db)
    ids = await _notifications(db, 2)
    await outbox.claim_due(10)

    await outbox.release(ids)
    again = await outbox.claim_due(10)

    assert [(row.id, row.attempts) for row in again] == [(ids[0], 0), (ids[1], 0)]


async def test_a_notification_retried_counts_one_attempt_and_waits(db: Database) -> None:
    outbox = Notifications(db)
    (notification,) = await _notifications(db, 1)
    now = utcnow()
    await outbox.claim_due(10, now)

    await outbox.retry_later(notification, now + timedelta(seconds=30), "NetworkError: x")
    assert await outbox.claim_due(10, now + timedelta(seconds=29)) == []
    (row,) = await outbox.claim_due(10, now + timedelta(seconds=31))
    await outbox.mark_sent(row.id or 0)

    sent = await _notification(db, row.id)
    assert (sent.state, sent.attempts, sent.last_error) == ("sent", 2, None)


async def _notification(db: Database, notification_id: int | None) -> Notification:
    async with db.session() as session:
        query = select(Notification).where(col(Notification.id) == notification_id)
        return (await session.exec(query)).one()


async def test_a_recipient_left_sending_by_a_dead_process_is_resent_flagged(db: Database) -> None:
    broadcast = await _recipients(db, 1)
    dead = Deliveries(db, "dead", lease=0.3)
    (claimed,) = await dead.claim(broadcast, 10)
    assert await dead.begin(claimed, broadcast)  # then the process died mid-call

    taker = Deliveries(db, "taker", lease=5)
    assert await taker.claim(broadcast, 10) == []  # its lease still runs
    await asyncio.sleep(0.4)
    (again,) = await taker.claim(broadcast, 10)

    assert again.id == claimed.id and again.uncertain
    assert not await dead.begin(claimed, broadcast)  # the claim is the taker's now
    assert await taker.begin(again, broadcast)
    await taker.sent(again.id, 7)
    row = await _recipient(db, again.id)
    assert (row.status, row.attempts, row.error, row.claimed_by) == ("sent", 2, UNCERTAIN, None)


async def test_a_stopping_process_gives_back_only_what_it_did_not_start(db: Database) -> None:
    broadcast = await _recipients(db, 3)
    stopping = Deliveries(db, "stopping", lease=30)
    first, *_ = await stopping.claim(broadcast, 10)
    assert await stopping.begin(first, broadcast)

    assert await stopping.release() == 2
    other = Deliveries(db, "other", lease=30)
    taken = await other.claim(broadcast, 10)

    assert first.id not in [recipient.id for recipient in taken] and len(taken) == 2
    assert not any(recipient.uncertain for recipient in taken)


async def test_a_429_leaves_the_recipient_held_and_uncounted(db: Database) -> None:
    broadcast = await _recipients(db, 1)
    deliveries = Deliveries(db, "one", lease=30)
    (claimed,) = await deliveries.claim(broadcast, 10)
    assert await deliveries.begin(claimed, broadcast)

    await deliveries.not_sent(claimed.id)

    row = await _recipient(db, claimed.id)
    assert (row.status, row.attempts, row.claimed_by) == ("pending", 0, "one")
    assert await deliveries.renew([claimed.id]) == 1
    assert await Deliveries(db, "other", lease=30).claim(broadcast, 10) == []
