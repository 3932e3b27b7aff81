"""The webhook's contract with Telegram: secret, malformed bodies, errors, retries."""

from __future__ import annotations

import asyncio
import logging

import pytest

from tests.e2e.harness import BotHarness, make_settings, running_bot
from tests.fakebot import FakeTelegram

NIK = "3604011205800001"


async def test_a_wrong_or_missing_secret_is_refused_and_changes_nothing(bot: BotHarness) -> None:
    w = bot.worker()
    update = bot.updates.command(w.user_id, "/start")
    assert (await bot.post(update, secret="wrong")).status_code == 403
    assert (await bot.post(update, secret=None)).status_code == 403
    assert w.texts == []
    assert (await bot.post(update)).status_code == 200
    assert len(w.texts) == 1


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[1, 2]", b'{"message": {}}', b'{"update_id": "7"}', b'{"update_id": true}'],
)
async def test_a_malformed_body_gets_400(bot: BotHarness, body: bytes) -> None:
    response = await bot.client.post(
        "/telegram/webhook",
        content=body,
        headers={
            "X-Telegram-Bot-Api-Secret-Token": "e2e-secret",
            "Content-Type": "application/json",
        },
    )
    assert response.status_code == 400


async def test_updates_of_kinds_the_bot_does_not_use_get_200(bot: BotHarness) -> None:
    for update in ({"update_id": 10**9}, {"update_id": 10**9 + 1, "inline_query": {"id": "1"}}):
        assert (await bot.post(update)).status_code == 200


async def test_a_reply_refused_with_429_is_sent_later_exactly_once(bot: BotHarness) -> None:
    w = bot.worker()
    bot.tg.fail_next(1, code=429, retry_after=1)
    assert (await w.command("/start")).status_code == 200
    assert w.texts == []
    await bot.tg.wait_for_messages_async(w.user_id, 1, timeout=6)
    await w.press("Daftar")
    assert "nama lengkap" in w.last
    assert sum("selamat datang" in t for t in w.texts) == 1


async def test_replies_wait_in_order_while_telegram_is_down(bot: BotHarness) -> None:
    w = bot.worker()
    await w.command("/daftar")
    bot.tg.fail_next(3, code=502)
    await w.say("Ahmad Fauzi")
    await w.say(NIK)
    messages = await bot.tg.wait_for_async(lambda: w.texts if len(w.texts) >= 4 else [], timeout=10)
    assert "NIK" in messages[2]
    assert "12 Mei 1980" in messages[3]


async def test_a_worker_who_blocked_the_bot_does_not_break_anything(bot: BotHarness) -> None:
    w = bot.worker()
    bot.tg.block(w.user_id)
    assert (await w.command("/start")).status_code == 200
    assert (
        await bot.post(bot.updates.my_chat_member(w.user_id, status="kicked"))
    ).status_code == 200
    other = bot.worker("Budi")
    await other.command("/start")
    assert "selamat datang" in other.last


async def test_the_nik_never_appears_in_logs(
    bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    w = bot.worker()
    await w.command("/daftar")
    await w.say("Ahmad Fauzi")
    await w.say(NIK)
    await w.say(NIK + "9")
    assert w.texts
    assert NIK not in caplog.text


async def test_without_a_token_the_webhook_says_telegram_is_off(
    tg: FakeTelegram, tmp_path: object
) -> None:
    from pathlib import Path

    settings = make_settings(Path(str(tmp_path)) / "data", tg, bot_token=None)
    async with running_bot(settings, tg) as harness:
        response = await harness.post({"update_id": 1})
        assert response.status_code == 503
        assert "Telegram is off" in response.text
        assert (await harness.client.get("/healthz")).status_code == 200


async def test_health_readiness_and_metrics_answer(bot: BotHarness) -> None:
    w = bot.worker()
    await w.command("/start")
    assert (await bot.client.get("/healthz")).json() == {"status": "ok"}
    ready = await bot.client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["database"] == "ok"
    metrics = (await bot.client.get("/metrics")).text
    assert 'lindungi_updates_total{outcome="handled"}' in metrics
    assert "lindungi_bot_api_calls_total" in metrics
    assert 'lindungi_registrations{status="pending"}' in metrics
    assert 'lindungi_queued_messages{queue="notifications"}' in metrics


async def test_workers_who_started_the_bot_are_in_the_broadcast_directory(bot: BotHarness) -> None:
    from tests.e2e.harness import sql

    w = bot.worker()
    await w.command("/start")
    await w.command("/berhenti")
    blocked = bot.worker("Budi")
    await blocked.command("/start")
    await bot.post(bot.updates.my_chat_member(blocked.user_id, status="kicked"))
    rows = {r["chat_id"]: r for r in await sql(bot, "SELECT * FROM worker_chats")}
    assert rows[w.user_id]["opted_out"]
    assert rows[blocked.user_id]["blocked_at"] is not None
    await w.command("/mulai")
    rows = {r["chat_id"]: r for r in await sql(bot, "SELECT * FROM worker_chats")}
    assert not rows[w.user_id]["opted_out"]


async def test_a_long_free_text_question_is_answered_while_other_chats_go_on(
    bot: BotHarness,
) -> None:
    """Long texts are matched in a thread: the answer comes, and other chats are served."""
    asking, other = bot.worker(), bot.worker("Budi")
    question = "gimana cara klaim santunan kecelakaan kerja " * 90  # ~4,000 characters
    answered = await asyncio.gather(asking.say(question[:4096]), other.command("/start"))
    assert [r.status_code for r in answered] == [200, 200]
    assert asking.texts and "selamat datang" in other.last
