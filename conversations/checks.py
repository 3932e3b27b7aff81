"""Checks across answers, run after a step's answer is saved (a step's `check:` names them).

A check returns None when the answers agree, or a `Failed` that says what the worker is told
and where the flow goes: back to a step (with the answers it clears) or to its end.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from conversations.context import Context
from conversations.session import Session
from domain.errors import InputError
from domain.nik import check_agreement, parse_nik


@dataclass(frozen=True)
class Failed:
    """A check that did not pass: `note` is said; `again` is the step asked again (None: the
    flow ends), after the answers in `clear` are dropped."""

    note: str
    params: dict[str, Any] = field(default_factory=dict)
    again: str | None = None
    clear: tuple[str, ...] = ()


Check = Callable[[Context, Session], Failed | None]
CHECKS: dict[str, Check] = {}


def check(name: str) -> Callable[[Check], Check]:
    """Register a check under the name a step's `check:` uses."""

    def register(fn: Check) -> Check:
        CHECKS[name] = fn
        return fn

    return register


@check("nik_agrees")
def nik_agrees(ctx: Context, session: Session) -> Failed | None:
    """The birth date and gender given agree with the NIK; otherwise the NIK is asked again."""
    a = session.answers
    try:
        nik = parse_nik(a["nik"], ctx.regions)
        check_agreement(nik, date.fromisoformat(a["birth_date"]), a["gender"])
    except InputError as exc:
        return Failed(f"err.{exc.code}", again="nik", clear=("nik", "birth_date", "gender"))
    return None


@check("age_limit")
def age_limit(ctx: Context, session: Session) -> Failed | None:
    """A worker at or above the age limit cannot register: the flow ends."""
    born = date.fromisoformat(session.answers["birth_date"])
    today = ctx.today
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    if age >= ctx.max_age:
        return Failed("reg.too_old", {"age": age, "limit": ctx.max_age})
    return None
