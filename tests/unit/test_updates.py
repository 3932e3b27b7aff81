"""Reading Telegram updates: only what a real chat can send reaches the conversation."""

from __future__ import annotations

from handlers.updates import TELEGRAM_MAX_TEXT, parse_update


def _text_update(text: str) -> dict[str, object]:
    return {
        "update_id": 1,
        "message": {
            "message_id": 1,
            "chat": {"id": 42, "type": "private"},
            "from": {"id": 42, "first_name": "Ahmad"},
            "text": text,
        },
    }


def test_a_text_longer_than_telegram_allows_is_cut_before_any_processing() -> None:
    env = parse_update(_text_update("a" * 900_000))
    assert env.incoming is not None
    # One character over Telegram's limit is kept, so the worker is still told it is too long.
    assert len(env.incoming.text) == TELEGRAM_MAX_TEXT + 1


def test_a_text_within_telegrams_limit_is_kept_whole() -> None:
    env = parse_update(_text_update("b" * TELEGRAM_MAX_TEXT))
    assert env.incoming is not None
    assert env.incoming.text == "b" * TELEGRAM_MAX_TEXT
