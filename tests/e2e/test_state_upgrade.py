"""Conversations stored by the release before documents were versioned go on after the upgrade.

``previous_release_document`` is a document exactly as that release's processor wrote it, on
both backends the same (only the ids and the retry time are the test's): a worker who typed
their name and NIK while Telegram answered 429, so the reply confirming the birth date from
the NIK is still in the outbox.
"""

from __future__ import annotations

import time
from typing import Any

from handlers.chat_state import VERSION
from tests.e2e.harness import BotHarness

NIK = "3604011205800001"
BIRTH_CONFIRM = (
    "Dari NIK, tanggal lahir Bapak/Ibu <b>12 Mei 1980</b> dan jenis kelamin <b>laki-laki</b>. "
    "Betul?"
)
RECENT = [900_001, 900_002, 900_003]


def previous_release_document(chat_id: int, retry_at: float) -> dict[str, Any]:
    return {
        "outbox": [
            {
                "id": "4e281bafbf91",
                "method": "sendMessage",
                "params": {
                    "chat_id": chat_id,
                    "text": BIRTH_CONFIRM,
                    "parse_mode": "HTML",
                    "link_preview_options": {"is_disabled": True},
                    "reply_markup": {
                        "inline_keyboard": [
                            [
                                {"text": "✅ Betul", "callback_data": "3:c:1980-05-12"},
                                {"text": "✏️ Bukan, ubah", "callback_data": "3:change"},
                            ],
                            [
                                {"text": "⬅️ Kembali", "callback_data": "3:@back"},
                                {"text": "✖️ Batal", "callback_data": "3:@cancel"},
                            ],
                        ]
                    },
                },
                "durable": True,
            }
        ],
        "session": {
            "lang": "id",
            "flow": "registration",
            "step": "birth_confirm",
            "answers": {"full_name": "Ahmad Fauzi", "nik": NIK},
            "seq": 3,
            "back": ["full_name", "nik"],
            "return_to": None,
            "page": 0,
            "key": "vfFnnYLZ0-9Ew-T2",
            "lang_chosen": False,
            "opted_out": False,
            "gender": None,
            "prefilled": [],
            "question": None,
            "receipt": None,
        },
        "recent": list(RECENT),
        "seen": "2026-12-04:id",
        "retry_at": retry_at,
    }


async def test_a_conversation_stored_before_versions_goes_on_and_is_written_back_versioned(
    bot: BotHarness,
) -> None:
    w = bot.worker()
    state = bot.services.state
    await state.save(w.user_id, previous_release_document(w.user_id, time.time() - 1))

    # The reply Telegram refused then is sent by the sweeper now.
    assert await bot.services.processor.flush_pending() == 1
    assert w.texts == [BIRTH_CONFIRM.replace("<b>", "").replace("</b>", "")]

    # Telegram delivering the NIK's update once more is still recognised.
    again = bot.updates.message(w.user_id, NIK)
    again["update_id"] = RECENT[-1]
    await bot.post(again)
    assert len(w.texts) == 1

    # The conversation goes on from where it was: the phone number is asked next.
    await w.press("Betul")
    assert len(w.texts) == 2
    doc = await state.load(w.user_id) or {}
    assert doc["v"] == VERSION
    assert doc["session"]["step"] == "phone"
    assert doc["session"]["answers"]["nik"] == NIK
    assert doc["session"]["answers"]["birth_date"] == "1980-05-12"
    assert doc["recent"][:3] == RECENT
    assert doc["outbox"] == []
    assert "retry_at" not in doc
    assert await state.chats_with_outbox() == []


async def test_a_document_of_a_newer_release_is_left_as_it_is(bot: BotHarness) -> None:
    w, other = bot.worker(), bot.worker()
    state = bot.services.state
    newer = {**previous_release_document(w.user_id, time.time() - 1), "v": VERSION + 1}
    await state.save(w.user_id, newer)
    await state.save(other.user_id, previous_release_document(other.user_id, time.time() - 1))

    response = await bot.post(bot.updates.callback(w.user_id, "3:c:1980-05-12", 1))
    # Not acknowledged: nothing of it is stored, so Telegram delivers it again (to a process
    # of the newer release, once the deployment has rolled out).
    assert response.status_code == 503
    assert await bot.services.processor.flush_pending() == 1  # the other chat's reply only
    assert w.texts == []
    assert len(other.texts) == 1
    assert await state.load(w.user_id) == newer
