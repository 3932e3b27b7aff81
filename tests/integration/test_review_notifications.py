"""Decisions reach the worker on Telegram once, through the outbox, whatever Telegram does."""

from __future__ import annotations

import asyncio

from bot.telegram import TelegramApi
from domain.i18n import Catalog
from handlers.notifications import NotificationSender
from storage.infra.db import Database
from storage.models import Notification
from storage.repos.notifications import Notifications
from tests.fakebot import FakeTelegram
from tests.integration.api_harness import (
    BOT_TOKEN,
    Api,
    api_fixture,  # noqa: F401 - the `api` fixture
    api_tg_fixture,  # noqa: F401 - the `api_tg` fixture
    tg_fixture,  # noqa: F401 - the `tg` fixture
)

SWEEP = 1.0  # bot.app.SWEEP_SECONDS


async def _chat_of(api: Api, registration: int) -> int:
    row = await api.services.registrations.get(registration)
    return int(row.telegram_chat_id)


async def _settled(api: Api, registration: int, timeout: float = 10) -> Notification:  # noqa: ASYNC109
    """The registration's only notification, once it is sent or failed."""
    async with asyncio.timeout(timeout):
        while True:
            (notification,) = await api.notifications(registration)
            if notification.state != "pending":
                return notification
            await asyncio.sleep(0.05)


async def test_an_approval_reaches_the_worker_once_in_their_language(
    api_tg: Api, tg: FakeTelegram
) -> None:
    admin = await api_tg.official()
    registration = await api_tg.registration(gender="female", language="id")
    chat = await _chat_of(api_tg, registration)

    decided = (await api_tg.post(f"/registrations/{registration}/approve", admin)).json()
    texts = await tg.wait_for_messages_async(chat, 1, timeout=10)
    await asyncio.sleep(SWEEP * 1.5)

    assert tg.messages(chat) == texts
    (text,) = texts
    assert decided["reference"] in text
    assert "disetujui" in text
    assert "Ibu" in text
    assert (await _settled(api_tg, registration)).state == "sent"


async def test_an_english_speaker_gets_the_kpj_in_english(api_tg: Api, tg: FakeTelegram) -> None:
    admin = await api_tg.official()
    registration = await api_tg.registration(language="en")
    chat = await _chat_of(api_tg, registration)
    await api_tg.post(f"/registrations/{registration}/approve", admin)
    await tg.wait_for_messages_async(chat, 1, timeout=10)

    await api_tg.post(f"/registrations/{registration}/activate", admin, json={"kpj": "21012345678"})
    texts = await tg.wait_for_messages_async(chat, 2, timeout=10)

    assert "protected" in texts[1]
    assert "21012345678" in texts[1]


async def test_the_reason_of_a_rejection_is_sent_safely_escaped(
    api_tg: Api, tg: FakeTelegram
) -> None:
    admin = await api_tg.official()
    registration = await api_tg.registration()
    chat = await _chat_of(api_tg, registration)

    await api_tg.post(
        f"/registrations/{registration}/reject", admin, json={"reason": "Umur <17 & KTP belum ada"}
    )
    (text,) = await tg.wait_for_messages_async(chat, 1, timeout=10)

    assert "Umur <17 & KTP belum ada" in text


async def test_a_message_refused_with_429_is_sent_later_exactly_once(
    api_tg: Api, tg: FakeTelegram
) -> None:
    admin = await api_tg.official()
    registration = await api_tg.registration()
    chat = await _chat_of(api_tg, registration)
    tg.fail_next(1, code=429, retry_after=1)

    await api_tg.post(f"/registrations/{registration}/approve", admin)
    texts = await tg.wait_for_messages_async(chat, 1, timeout=15)
    await asyncio.sleep(SWEEP * 1.5)

    assert len(texts) == len(tg.messages(chat)) == 1
    notification = await _settled(api_tg, registration)
    assert (notification.state, notification.attempts) == ("sent", 2)
    assert len(tg.calls_to("sendMessage")) == 2


async def test_a_worker_who_blocked_the_bot_is_marked_failed_and_not_retried(
    api_tg: Api, tg: FakeTelegram
) -> None:
    admin = await api_tg.official()
    registration = await api_tg.registration()
    tg.block(await _chat_of(api_tg, registration))

    await api_tg.post(f"/registrations/{registration}/approve", admin)
    notification = await _settled(api_tg, registration)
    await asyncio.sleep(SWEEP * 2.5)

    assert notification.state == "failed"
    assert notification.last_error is not None and "blocked" in notification.last_error
    (later,) = await api_tg.notifications(registration)
    assert later.attempts == 1
    assert len(tg.calls_to("sendMessage")) == 1


async def test_two_senders_at_once_send_each_message_once(api: Api, tg: FakeTelegram) -> None:
    admin = await api.official()
    chats = []
    for _ in range(12):
        registration = await api.registration(occupation="ojek", program=None)
        await api.post(f"/registrations/{registration}/approve", admin)
        chats.append(await _chat_of(api, registration))
    senders, resources = [], []
    for _ in range(2):
        db = Database.from_url(api.services.settings.resolved_database_url(), pool_size=2)
        bot = TelegramApi(BOT_TOKEN, tg.url)
        await bot.start()
        resources.append((db, bot))
        senders.append(NotificationSender(Notifications(db), Catalog.load_shipped(), bot))
    try:
        sent = await asyncio.gather(*(sender.deliver_due(limit=5) for sender in senders))
        while sum(sent) < len(chats):
            sent.append(sum(await asyncio.gather(*(s.deliver_due(5) for s in senders))))
    finally:
        for db, bot in resources:
            await bot.close()
            await db.dispose()

    assert sum(sent) == len(chats)
    assert [len(tg.messages(chat)) for chat in chats] == [1] * len(chats)
    assert tg.duplicates() == {}
