"""Every path reads Telegram's answers the same way and waits by its own numbers only."""

from __future__ import annotations

import logging
import warnings
from datetime import timedelta

import pytest
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from handlers.delivery.broadcasts import DeliveryConfig
from handlers.delivery.outcomes import (
    OUTBOX,
    REPLIES,
    Kind,
    Outcome,
    RetryPolicy,
    classify,
    retry_after_seconds,
)

NETWORK = Outcome(Kind.RETRY, "NetworkError: Bad Gateway")
FLOOD = Outcome(Kind.RETRY, "RetryAfter: ...", retry_after=7.0)


@pytest.mark.parametrize(
    ("exc", "kind"),
    [
        (Forbidden("Forbidden: bot was blocked by the user"), Kind.BLOCKED),
        (Forbidden("Forbidden: user is deactivated"), Kind.BLOCKED),
        (BadRequest("Bad Request: message is too long"), Kind.REFUSED),
        (BadRequest("Bad Request: chat not found"), Kind.REFUSED),
        (RetryAfter(3), Kind.RETRY),
        (TimedOut(), Kind.RETRY),
        (NetworkError("Internal Server Error (500)"), Kind.RETRY),
        (Conflict("Conflict: terminated by other getUpdates request"), Kind.RETRY),
        (InvalidToken(), Kind.RETRY),
        (ChatMigrated(42), Kind.RETRY),
        (TelegramError("Invalid server response"), Kind.RETRY),
    ],
)
def test_each_answer_of_telegram_has_one_outcome(exc: TelegramError, kind: Kind) -> None:
    outcome = classify(exc)

    assert outcome.kind is kind
    assert outcome.error == f"{type(exc).__name__}: {exc.message}"


def test_only_a_429_carries_a_wait_of_telegrams_own() -> None:
    assert classify(RetryAfter(3)).retry_after == 3.0
    assert classify(TimedOut()).retry_after is None
    assert classify(NetworkError("Bad Gateway")).retry_after is None


def test_retry_after_reads_the_same_as_int_or_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PTB_TIMEDELTA", raising=False)
    with warnings.catch_warnings():  # PTB warns of the int on every read
        warnings.simplefilter("ignore")
        as_int = RetryAfter(5)
        assert isinstance(as_int.retry_after, int)
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    as_timedelta = RetryAfter(timedelta(seconds=5))
    assert isinstance(as_timedelta.retry_after, timedelta)

    monkeypatch.delenv("PTB_TIMEDELTA")
    assert retry_after_seconds(as_int) == 5.0
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    assert retry_after_seconds(as_timedelta) == 5.0
    assert classify(as_timedelta).retry_after == 5.0


def test_reading_retry_after_warns_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PTB_TIMEDELTA", raising=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exc = RetryAfter(2)

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert retry_after_seconds(exc) == 2.0


def test_an_unexpected_telegram_error_is_logged_but_a_network_error_is_not(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="handlers.delivery.outcomes"):
        classify(TimedOut())
        classify(NetworkError("Bad Gateway"))
        assert caplog.records == []
        classify(InvalidToken())
    (record,) = caplog.records
    assert "InvalidToken" in record.getMessage()


def test_a_429_waits_telegrams_retry_after_on_every_path() -> None:
    for policy in (REPLIES, OUTBOX, DeliveryConfig().retry):
        assert policy.wait(FLOOD, 1) == timedelta(seconds=7)
        assert policy.wait(FLOOD, 50) == timedelta(seconds=7)
        assert not policy.gives_up(FLOOD, 50)


def test_replies_try_again_every_two_seconds() -> None:
    assert [REPLIES.wait(NETWORK, n).total_seconds() for n in (1, 2, 10)] == [2, 2, 2]
    assert not REPLIES.gives_up(NETWORK, 1000)


def test_the_outbox_backs_off_doubling_up_to_half_an_hour_and_never_gives_up() -> None:
    waits = [OUTBOX.wait(NETWORK, n).total_seconds() for n in (1, 2, 3, 4)]

    assert waits == [5, 10, 20, 40]
    assert OUTBOX.wait(NETWORK, 12) == OUTBOX.wait(NETWORK, 10_000) == timedelta(minutes=30)
    assert not OUTBOX.gives_up(NETWORK, 10_000)


def test_broadcasts_back_off_from_their_settings_and_give_up_after_max_attempts() -> None:
    policy = DeliveryConfig(backoff=0.5, max_attempts=3).retry

    assert [policy.wait(NETWORK, n).total_seconds() for n in (1, 2)] == [0.5, 1.0]
    assert [policy.gives_up(NETWORK, n) for n in (1, 2, 3)] == [False, False, True]
    assert DeliveryConfig().retry == RetryPolicy(timedelta(seconds=2), max_attempts=5)
