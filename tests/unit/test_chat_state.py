"""The chat's state document: what is kept between updates, and which versions are read."""

from __future__ import annotations

from typing import Any

import pytest

from handlers.chat_state import VERSION, ChatState, UnknownStateVersion

NIK = "3604011205800001"


def previous_release(**extra: Any) -> dict[str, Any]:
    """A document as the release before versions wrote it (see tests/e2e/test_state_upgrade)."""
    doc: dict[str, Any] = {
        "outbox": [{"id": "a1", "method": "sendMessage", "params": {"chat_id": 7, "text": "Hi"}}],
        "session": {"lang": "id", "flow": "registration", "step": "nik", "answers": {}},
        "recent": [11, 12],
        "seen": "2026-12-04:id",
        "retry_at": 1796415151.06,
    }
    doc.update(extra)
    return doc


def test_a_new_chat_has_no_conversation_and_nothing_to_send() -> None:
    state = ChatState.load(None)
    assert state == ChatState()
    assert state.session is None and state.outbox == [] and state.recent == []
    assert not state.blocked and state.retry_at is None


def test_a_document_of_the_previous_release_loads_as_version_1() -> None:
    state = ChatState.load(previous_release(blocked=True))
    assert state.version == 1
    assert state.session == previous_release()["session"]
    assert state.recent == [11, 12]
    assert state.outbox == previous_release()["outbox"]
    assert state.blocked
    assert state.seen == "2026-12-04:id"
    assert state.retry_at == 1796415151.06


def test_written_back_it_differs_only_by_its_version_so_a_rollback_still_reads_it() -> None:
    for doc in (previous_release(), previous_release(blocked=True), {"recent": [1], "outbox": []}):
        assert ChatState.load(doc).dump() == {**doc, "v": VERSION}


def test_what_is_written_is_read_back_the_same() -> None:
    state = ChatState(
        {"lang": "en", "answers": {"nik": NIK}}, [5], [{"id": "x"}], True, "2026-12-04:en", 9.5
    )
    assert ChatState.load(state.dump()) == state


@pytest.mark.parametrize("version", [VERSION + 1, 0, "2", True, None])
def test_a_version_this_release_does_not_know_is_refused(version: object) -> None:
    doc = {**previous_release(), "v": version}
    with pytest.raises(UnknownStateVersion) as refused:
        ChatState.load(doc)
    assert NIK not in str(refused.value)
    assert doc == {**previous_release(), "v": version}  # left as it was
