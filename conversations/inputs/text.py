"""Typed answers: names, short and free texts, patterns, phone numbers, the end of a flow."""

from __future__ import annotations

import re
from functools import cache

from conversations.context import Context
from conversations.flow import Step
from conversations.inputs.base import InputKind, Parsed, Prompt, clean_spaces
from conversations.messages import Incoming, Reply
from conversations.session import Session
from domain.errors import InputError
from domain.phone import format_phone, normalise_phone

_NAME_RE = re.compile(r"^[^\W\d_]+(?:[ .'\-,][^\W\d_]*)*$")


class NameInput(InputKind):
    def typed(self, ctx: Context, step: Step, session: Session, text: str) -> Parsed:
        name = clean_spaces(text)
        if any(ch.isdigit() for ch in name):
            raise InputError("name.digits")
        if len(name) < 2:
            raise InputError("name.short")
        if len(name) > 100:
            raise InputError("name.long", got=len(name))
        if not _NAME_RE.match(name):
            raise InputError("name.characters")
        return Parsed(name)


class ShortTextInput(InputKind):
    def typed(self, ctx: Context, step: Step, session: Session, text: str) -> Parsed:
        value = clean_spaces(text)
        if len(value) < 2 or len(value) > 60:
            raise InputError("text.length", low=2, high=60)
        return Parsed(value)


class TextInput(InputKind):
    """Any text (trimmed, at most MAX_TEXT characters)."""


class PatternInput(InputKind):
    """Text that must match the step's `pattern` as a whole (after dropping `ignore` chars)."""

    def typed(self, ctx: Context, step: Step, session: Session, text: str) -> Parsed:
        value = text.translate({ord(ch): None for ch in step.ignore}) if step.ignore else text
        if step.pattern is None or not _compiled(step.pattern).fullmatch(value):
            raise InputError("input.pattern")
        return Parsed(value)


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


class EndInput(InputKind):
    """Not a question: the step's text is said and the flow ends (see Interpreter.advance)."""

    accepts_text = False
    final = True


class PhoneInput(InputKind):
    def prompt(self, ctx: Context, step: Step, session: Session) -> Prompt:
        return Prompt(share_contact=True)

    def typed(self, ctx: Context, step: Step, session: Session, text: str) -> Parsed:
        phone = normalise_phone(text)
        return Parsed(phone, ack=self._ack(ctx, session, phone))

    def contact(self, ctx: Context, step: Step, session: Session, incoming: Incoming) -> Parsed:
        if not incoming.contact_is_self:
            # A contact card of someone else: the number may still be the one the worker
            # uses (a family phone), so they are asked to type it, deliberately.
            raise InputError("phone.not_own")
        phone = normalise_phone(incoming.phone or "")
        return Parsed(phone, ack=self._ack(ctx, session, phone))

    def _ack(self, ctx: Context, session: Session, phone: str) -> Reply:
        text = ctx.t(session, "reg.phone_saved", phone=format_phone(phone))
        return Reply(text, remove_keyboard=True)


class HeirNameInput(NameInput):
    def prompt(self, ctx: Context, step: Step, session: Session) -> Prompt:
        return Prompt(buttons=[(ctx.t(session, "button.skip_heir"), "skip")])

    def choose(self, ctx: Context, step: Step, session: Session, data: str) -> Parsed:
        if data == "skip":
            return Parsed(None, branch="skip", extra={"heir_relation": None})
        raise InputError("input.stale_button")
