"""Logs never carry a NIK, a phone number or the bot token."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from bot.logs import configure_logging, redact
from storage.infra.db import Database


@pytest.mark.parametrize(
    ("line", "secret"),
    [
        ("got 3604011205800001 from worker", "3604011205800001"),
        ("phone 081234567890", "081234567890"),
        ("phone +6281234567890", "+6281234567890"),
        ("phone +62 812-3456-7890 shown", "3456-7890"),
        ("NIK3604011205800001 glued to a word", "3604011205800001"),
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


NIK = "3604011205800001"
PHONE = "+6281234567890"
NAME = "Siti Aminah Rahmawati"


def _fail_with_personal_data_in_scope() -> None:
    nik, phone, full_name = NIK, PHONE, NAME  # locals a traceback renderer could print
    raise RuntimeError(f"write failed for {len(nik) + len(phone) + len(full_name)} characters")


@pytest.fixture
def configured(capsys: pytest.CaptureFixture[str]) -> Iterator[Callable[[bool], str]]:
    """Configure logging (JSON or console), log a failure, return what stderr received."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level

    def run(json: bool) -> str:
        configure_logging("INFO", json=json)
        try:
            _fail_with_personal_data_in_scope()
        except RuntimeError:
            logging.getLogger("lindungi.test").exception("update 7 failed")
        try:
            raise ValueError(f"bad row NIK={NIK} phone={PHONE.replace('+62', '0')}")
        except ValueError:
            logging.getLogger("lindungi.test").exception("update 8 failed")
        return capsys.readouterr().err

    yield run
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])


@pytest.mark.parametrize("json", [True, False], ids=["json", "console"])
def test_a_logged_traceback_names_the_failure_but_no_local_variables(
    configured: Callable[[bool], str], json: bool
) -> None:
    err = configured(json)
    assert "update 7 failed" in err
    assert "RuntimeError" in err
    assert "_fail_with_personal_data_in_scope" in err  # the frame is shown, its locals are not
    for value in (NIK, PHONE, NAME, "Siti"):
        assert value not in err


@pytest.mark.parametrize("json", [True, False], ids=["json", "console"])
def test_an_exception_text_with_a_nik_or_phone_is_redacted(
    configured: Callable[[bool], str], json: bool
) -> None:
    err = configured(json)
    assert "ValueError" in err
    assert NIK not in err
    assert "081234567890" not in err
    assert "[NIK]" in err


async def test_a_failed_database_write_does_not_carry_the_row_values(tmp_path: Path) -> None:
    """SQLAlchemy's error text names the statement, not the worker's data."""
    db = Database.from_url(f"sqlite+aiosqlite:///{tmp_path / 'x.sqlite'}")
    try:
        async with db.engine.connect() as conn:
            with pytest.raises(OperationalError) as raised:
                await conn.execute(
                    text("INSERT INTO nowhere (full_name, phone) VALUES (:n, :p)"),
                    {"n": NAME, "p": PHONE},
                )
        rendered = "".join(traceback.format_exception(raised.value))
        assert "nowhere" in rendered
        assert NAME not in rendered
        assert PHONE not in rendered
    finally:
        await db.engine.dispose()
