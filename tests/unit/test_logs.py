"""Logs never carry a NIK, a phone number or the bot token."""

from __future__ import annotations

import logging

import pytest

from bot.logs import configure_logging, redact


@pytest.mark.parametrize(
    ("line", "secret"),
    [
        ("got 3604011205800001 from worker", "3604011205800001"),
        ("phone 081234567890", "081234567890"),
        ("phone +6281234567890", "+6281234567890"),
        ("Set Bot API URL: http://x/bot123456:TEST-TOKEN-abcdefghijklmnopqrstuv", "TEST-TOKEN"),
        (
            "POST https://api.telegram.org/bot123456:ABCdefGHIjklMNOpqrSTUvwxYZ/sendMessage",
            "ABCdef",
        ),
    ],
)
def test_personal_data_and_tokens_are_redacted(line: str, secret: str) -> None:
    assert secret not in redact(line)


def test_configured_logging_redacts_what_handlers_write(capsys: pytest.CaptureFixture[str]) -> None:
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        configure_logging("INFO", json=True)
        logging.getLogger("lindungi.test").warning("NIK %s typed", "3604011205800001")
        err = capsys.readouterr().err
        assert "[NIK]" in err
        assert "3604011205800001" not in err
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
