"""Effect builders: what a step's `query:` (or `before:`) asks the host for, by name.

A builder reads the session (and the flow, and the button pressed) and returns the effect, or
None when there is nothing to ask (the answer is known already).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from conversations.context import Context
from conversations.effects import (
    AskOfficial,
    Correct,
    Effect,
    FlowSubmit,
    NikStatus,
    Quotas,
    Submit,
)
from conversations.flow import Flow
from conversations.session import Session

Builder = Callable[[Context, Session, Flow, str], Effect | None]
BUILDERS: dict[str, Builder] = {}


def builds(name: str) -> Callable[[Builder], Builder]:
    """Register a builder under the name a step's `query:`/`before:` uses."""

    def register(fn: Builder) -> Builder:
        BUILDERS[name] = fn
        return fn

    return register


@builds("nik_status")
def nik_status(ctx: Context, session: Session, flow: Flow, pressed: str) -> Effect:
    return NikStatus(nik=session.answers["nik"])


@builds("register")
def register(ctx: Context, session: Session, flow: Flow, pressed: str) -> Effect:
    """The registration as answered, with the program that would fund it."""
    program = ctx.program_of(session)
    return Submit(
        **session.answers,
        program=program[0] if program else None,
        key=session.key,
        language=session.lang,
    )


@builds("submit")
def submit(ctx: Context, session: Session, flow: Flow, pressed: str) -> Effect:
    """What a flow pack's `submit` stores: its answers (internal `_` fields left out)."""
    answers = {k: v for k, v in session.answers.items() if not k.startswith("_")}
    return FlowSubmit(flow=flow.id, key=session.key, answers=answers, button=pressed)


@builds("quotas")
def quotas(ctx: Context, session: Session, flow: Flow, pressed: str) -> Effect | None:
    """Places left, fetched once per flow (kept as `_quota_left`)."""
    if "_quota_left" in session.answers:
        return None
    return Quotas(regency=session.answers.get("regency"))


@builds("ask_official")
def ask_official(ctx: Context, session: Session, flow: Flow, pressed: str) -> Effect:
    return AskOfficial(text=session.answers["question"], topic=None, language=session.lang)


@builds("correct")
def correct(ctx: Context, session: Session, flow: Flow, pressed: str) -> Effect:
    """The answers as changes, as the flow's `changes:` says."""
    rules = flow.changes
    changes: dict[str, Any] = {k: v for k, v in session.answers.items() if k not in rules.leave_out}
    for answered, cleared in rules.resets.items():
        if answered in changes:
            for name in cleared:
                changes.setdefault(name, None)
    return Correct(changes=changes)
