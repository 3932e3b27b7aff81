"""What Telegram's answer to a sending call means, and when to try again: one rule for every path.

`classify` maps python-telegram-bot's exceptions to one of four outcomes:

* *sent*: no exception;
* *retry*: a 429 (`RetryAfter`: the whole bot waits Telegram's `retry_after`), a network error
  or time-out, or any other Telegram error (a 5xx, or one that points at the set-up, logged);
* *blocked*: 403 (`Forbidden`): the worker blocked the bot or is gone; never retried;
* *refused*: 400 (`BadRequest`): this message can never be sent; never retried.

A `RetryPolicy` says how long a path waits before trying a retried message again, and when it
gives up; the paths differ only in these numbers (`REPLIES`, `OUTBOX`, broadcasts' own from
their settings).
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Any

from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

log = logging.getLogger(__name__)


class Kind(StrEnum):
    """The four things an answer can mean for a message."""

    SENT = "sent"
    RETRY = "retry"
    BLOCKED = "blocked"
    REFUSED = "refused"


@dataclass(frozen=True)
class Outcome:
    """One answer's meaning; `error` is what to record ("Forbidden: bot was blocked ...")."""

    kind: Kind
    error: str = ""
    retry_after: float | None = None
    """Seconds Telegram asked the whole bot to wait (a 429); None for every other answer."""


SENT = Outcome(Kind.SENT)


def retry_after_seconds(exc: RetryAfter) -> float:
    """`retry_after` in seconds, an int or a timedelta (PTB_TIMEDELTA), without PTB's warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value: Any = exc.retry_after
    return float(value.total_seconds()) if isinstance(value, timedelta) else float(value)


def classify(exc: TelegramError) -> Outcome:
    """The outcome of a call that raised `exc`."""
    error = f"{type(exc).__name__}: {exc.message}"
    if isinstance(exc, RetryAfter):
        return Outcome(Kind.RETRY, error, retry_after_seconds(exc))
    if isinstance(exc, Forbidden):
        return Outcome(Kind.BLOCKED, error)
    if isinstance(exc, BadRequest):  # a NetworkError subclass in PTB: checked before it
        return Outcome(Kind.REFUSED, error)
    if not isinstance(exc, NetworkError):  # not a passing failure: the token, a conflict, …
        log.warning("Telegram answered %s; the message will be tried again", error)
    return Outcome(Kind.RETRY, error)


@dataclass(frozen=True)
class RetryPolicy:
    """How one path retries: `first` after the first failed try, doubling up to `longest`, and
    giving up after `max_attempts` tries (None: never). A 429 waits Telegram's `retry_after`
    instead and is never the reason to give up."""

    first: timedelta
    longest: timedelta = timedelta(minutes=30)
    max_attempts: int | None = None

    def wait(self, outcome: Outcome, attempts: int) -> timedelta:
        """The wait before trying again after the `attempts`-th try ended in `outcome`."""
        if outcome.retry_after is not None:
            return timedelta(seconds=outcome.retry_after)
        wait: timedelta = self.first * 2 ** min(max(attempts - 1, 0), 20)
        return min(wait, self.longest)

    def gives_up(self, outcome: Outcome, attempts: int) -> bool:
        """True when the `attempts`-th try ending in `outcome` is to be the last."""
        if outcome.retry_after is not None or self.max_attempts is None:
            return False
        return attempts >= self.max_attempts


REPLIES = RetryPolicy(first=timedelta(seconds=2), longest=timedelta(seconds=2))
"""A chat's replies: the whole outbox waits 2 s, however often (the worker is waiting)."""
OUTBOX = RetryPolicy(first=timedelta(seconds=5))
"""Notifications and answers to questions: 5 s, 10 s, 20 s, … at most 30 minutes, forever."""
