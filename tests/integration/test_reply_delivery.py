"""Replies leave a chat's outbox once Telegram took them, whatever fails in between.

When something other than Telegram fails while a chat's replies go out (the send rate's Redis,
the transport), the replies already delivered leave the outbox, the rest wait for the next
round, and the update is still handled: nothing is sent twice, nothing is lost.
"""

from __future__ import annotations

import asyncio
import base64
import secrets
from pathlib import Path
from typing import Any

import pytest
import redis.exceptions

from conversations.shipped import build_engine
from domain.programs import DEFAULT_PROGRAMS_DIR, load_programs
from domain.regions import RegionDirectory
from handlers.processor import UpdateProcessor
from storage.infra.crypto import Cipher
from storage.infra.state import SqliteStateStore

CHAT = 4242


class FlakyApi:
    """Answers like Telegram, except that call number `fail_at` fails outside Telegram."""

    def __init__(self, fail_at: int) -> None:
        self.fail_at = fail_at
        self.calls = 0
        self.sent: list[str] = []

    async def call(self, method: str, params: dict[str, Any]) -> Any:
        self.calls += 1
        if self.calls == self.fail_at:
            raise redis.exceptions.ConnectionError("the send rate's Redis went away")
        self.sent.append(str(params.get("text", "")))
        return {"message_id": self.calls}


async def _no_effects(effect: Any, env: Any) -> Any:
    raise AssertionError("no effect expected")


def _command(update_id: int, text: str) -> dict[str, Any]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "chat": {"id": CHAT, "type": "private"},
            "from": {"id": CHAT, "first_name": "Ahmad"},
            "text": text,
        },
    }


@pytest.fixture
async def store(tmp_path: Path) -> Any:
    key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
    state = SqliteStateStore(tmp_path / "state.sqlite3", Cipher(key))
    yield state
    await state.close()


async def test_a_failure_outside_telegram_mid_outbox_sends_nothing_twice_and_loses_nothing(
    store: SqliteStateStore,
) -> None:
    engine = build_engine(RegionDirectory.load_shipped(), load_programs(DEFAULT_PROGRAMS_DIR))
    api = FlakyApi(fail_at=2)
    processor = UpdateProcessor(engine, store, _no_effects, api)

    # /daftar answers with two messages: the intro, then the first question.
    assert await processor.process(_command(1, "/daftar")) == "handled"
    assert len(api.sent) == 1
    doc = await store.load(CHAT)
    assert doc is not None and len(doc["outbox"]) == 1  # the intro left; the question waits

    await asyncio.sleep(2.2)  # the replies' retry wait
    assert await processor.flush_pending() == 1
    assert len(api.sent) == 2
    assert "nama lengkap" in api.sent[1]
    assert len(set(api.sent)) == 2  # each once
    doc = await store.load(CHAT)
    assert doc is not None and doc["outbox"] == []
