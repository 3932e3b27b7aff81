"""A flow pack (`LINDUNGI_FLOW`) through the real webhook, against the fake Telegram.

The pack is the benchmark's: the six-step registration of the peers, with their texts, one
message per update and buttons with literal callback data. Its conversation rules (re-asks,
literal buttons, a button of another step, /start mid-flow) are in `tests/golden/flow_pack.yaml`.
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from storage.infra.crypto import Cipher
from storage.repos.flow_submissions import ANSWERS_CONTEXT
from tests.e2e.harness import BotHarness, make_settings, running_bot, sql
from tests.fakebot import FakeTelegram

PACK = Path(__file__).resolve().parents[2] / "bench" / "peer_flow.yaml"
NIK = "3201000000001234"

ASK_NAME = "Welcome to registration! Please send your full name."
ASK_NIK = "Thanks, {name}. Now send your 16-digit NIK (national ID number)."
BAD_NIK = "A NIK has exactly 16 digits. Please send it again."
ASK_PHONE = "Send your phone number (e.g. +6281234567890)."
BAD_PHONE = "That does not look like a phone number. Please send it again."
ASK_OCC = "Choose your occupation:"
CONFIRM = (
    "Please confirm your registration:\n"
    "Name: {full_name}\nNIK: {nik}\nPhone: {phone}\nOccupation: {occupation}"
)
DONE = "Registration complete. Your reference number is "
CANCELLED = "Registration cancelled. Send /start to begin again."


@pytest.fixture
async def bot(
    tg: FakeTelegram, backend: dict[str, object], tmp_path: Path
) -> AsyncIterator[BotHarness]:
    settings = make_settings(tmp_path / "data", tg, flow=PACK, **backend)
    async with running_bot(settings, tg) as harness:
        yield harness


class Peer:
    """A user of the benchmark's load generator: literal callback data, a made-up message."""

    def __init__(self, bot: BotHarness, user_id: int) -> None:
        self.bot = bot
        self.user_id = user_id

    async def say(self, text: str) -> None:
        update = self.bot.updates.message(self.user_id, text, first_name="Budi")
        assert (await self.bot.post(update)).status_code == 200

    async def press(self, data: str) -> None:
        update = self.bot.updates.callback(self.user_id, data, first_name="Budi")
        assert (await self.bot.post(update)).status_code == 200

    @property
    def texts(self) -> list[str]:
        return self.bot.tg.messages(self.user_id)

    def calls(self, method: str) -> list[dict[str, Any]]:
        return [
            c.params
            for c in self.bot.tg.calls
            if c.method == method and (c.chat_id == self.user_id or method == "answerCallbackQuery")
        ]

    def keyboard(self) -> list[list[str]]:
        markup = self.calls("sendMessage")[-1].get("reply_markup") or {}
        if isinstance(markup, str):
            markup = json.loads(markup)
        return [[b["callback_data"] for b in row] for row in markup.get("inline_keyboard", [])]


async def until_confirm(peer: Peer, name: str = "Budi Santoso 12") -> None:
    await peer.say("/start")
    await peer.say(name)
    await peer.say(NIK)
    await peer.say("+6281234567")
    await peer.press("occ:self_employed")


async def test_the_six_steps_say_the_peers_texts_one_message_per_update(
    bot: BotHarness,
) -> None:
    peer = Peer(bot, bot.worker().user_id)
    await peer.say("/start")
    assert peer.keyboard() == []
    await peer.say("Budi Santoso 12")
    await peer.say("12345")
    await peer.say(NIK)
    await peer.say("+62 812 34567")
    await peer.press("occ:self_employed")
    await peer.press("confirm:yes")

    texts = peer.texts
    assert texts[:6] == [
        ASK_NAME,
        ASK_NIK.format(name="Budi Santoso 12"),
        BAD_NIK,
        ASK_PHONE,
        ASK_OCC,
        CONFIRM.format(
            full_name="Budi Santoso 12", nik=NIK, phone="+6281234567", occupation="Self-employed"
        ),
    ]
    assert texts[6].startswith(DONE)
    reference = texts[6].removeprefix(DONE).removesuffix(".")
    assert reference.startswith("REG-")
    assert len(texts) == 7 == len(peer.calls("sendMessage"))
    assert len(peer.calls("answerCallbackQuery")) == 2

    rows = await sql(bot, "SELECT * FROM flow_submissions")
    assert len(rows) == 1
    row = rows[0]
    assert row["reference"] == reference
    assert row["flow"] == "peer_registration"
    assert row["telegram_user_id"] == peer.user_id
    assert NIK not in row["answers_ciphertext"]
    cipher = Cipher(base64.urlsafe_b64encode(b"k" * 32).decode())
    answers = json.loads(cipher.decrypt_text(row["answers_ciphertext"], ANSWERS_CONTEXT))
    assert answers == {
        "full_name": "Budi Santoso 12",
        "nik": NIK,
        "phone": "+6281234567",
        "occupation": "self_employed",
    }


async def test_a_double_tap_on_confirm_stores_one_row_and_repeats_the_reference(
    bot: BotHarness,
) -> None:
    first, second = Peer(bot, bot.worker().user_id), Peer(bot, bot.worker().user_id)
    await until_confirm(first)
    await until_confirm(second)
    await first.press("confirm:yes")
    await first.press("confirm:yes")
    await asyncio.gather(second.press("confirm:yes"), second.press("confirm:yes"))

    for peer in (first, second):
        assert peer.texts[-1].startswith(DONE)
        assert peer.texts[-1] == peer.texts[-2]
        assert len(peer.texts) == len(peer.calls("sendMessage")) == 7
    rows = await sql(bot, "SELECT telegram_user_id, reference FROM flow_submissions")
    assert sorted(r["telegram_user_id"] for r in rows) == sorted([first.user_id, second.user_id])
    assert {r["reference"] for r in rows} == {
        p.texts[-1].removeprefix(DONE).removesuffix(".") for p in (first, second)
    }


async def test_cancel_stores_nothing_and_start_begins_again(bot: BotHarness) -> None:
    peer = Peer(bot, bot.worker().user_id)
    await until_confirm(peer)
    await peer.press("confirm:no")
    assert peer.texts[-1] == CANCELLED
    assert await sql(bot, "SELECT id FROM flow_submissions") == []
    await peer.say("/start")
    assert peer.texts[-1] == ASK_NAME
