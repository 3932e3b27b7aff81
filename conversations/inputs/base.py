"""The input-kind interface: how a question is asked, how an answer is read, what it leads to.

A step's `input` names one of the kinds registered in `conversations.inputs.INPUTS`. `prompt`
renders the question; `read` turns the worker's action into a `Parsed` value or raises
`InputError` with a message code that says what was wrong and what to type instead;
`on_answer` says what an accepted answer does (by default: it is saved and the flow goes on);
`skip` lets a step take an answer without asking.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz, process

from conversations.context import Context
from conversations.flow import Step
from conversations.messages import Incoming, Reply
from conversations.session import Session
from domain.errors import InputError
from domain.i18n import escape

PAGE_SIZE = 10
MAX_TEXT = 1000


@dataclass
class Parsed:
    """The outcome of reading an answer."""

    value: Any = None
    branch: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    page: int | None = None
    choices: Reply | None = None
    ack: Reply | None = None
    # False: the answer leaves the step's field as it was (it only picks a branch).
    save: bool = True


@dataclass
class Prompt:
    """A question's text parameters and buttons."""

    params: dict[str, Any] = field(default_factory=dict)
    buttons: list[tuple[str, str]] = field(default_factory=list)
    columns: int = 1
    share_contact: bool = False
    nav: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Enter:
    """An answer that leaves this flow for another (with answers carried into it)."""

    flow: str
    prefill: dict[str, Any] | None = None


@dataclass(frozen=True)
class Review:
    """An answer to a summary: send it, or change a field (which one? when `field` is None)."""

    send: bool = False
    field: str | None = None


Next = Parsed | Enter | Review


class InputKind:
    """Base: a typed answer; subclasses add buttons and checks."""

    accepts_text = True
    # Not a question: reaching the step says its text and ends the flow.
    final = False

    def prompt(self, ctx: Context, step: Step, session: Session) -> Prompt:
        return Prompt()

    def read(self, ctx: Context, step: Step, session: Session, incoming: Incoming) -> Parsed:
        if incoming.kind == "callback":
            return self.choose(ctx, step, session, incoming.data)
        if incoming.kind == "contact":
            return self.contact(ctx, step, session, incoming)
        if incoming.kind != "text":
            raise InputError("input.unsupported")
        text = incoming.text.strip()
        if not text:
            raise InputError("input.empty")
        if len(text) > MAX_TEXT:
            raise InputError("input.too_long", got=len(text))
        if not self.accepts_text:
            raise InputError("input.use_buttons")
        return self.typed(ctx, step, session, text)

    def typed(self, ctx: Context, step: Step, session: Session, text: str) -> Parsed:
        return Parsed(text)

    def choose(self, ctx: Context, step: Step, session: Session, data: str) -> Parsed:
        raise InputError("input.stale_button")

    def contact(self, ctx: Context, step: Step, session: Session, incoming: Incoming) -> Parsed:
        raise InputError("input.unsupported")

    def skip(self, ctx: Context, session: Session) -> Parsed | None:
        """An answer the step can take without asking (None: ask)."""
        return None

    def shown(self, ctx: Context, step: Step, session: Session, value: Any) -> str:
        """A saved answer as a text may name it (`{field}`)."""
        return escape(value)

    def on_answer(self, ctx: Context, step: Step, session: Session, parsed: Parsed) -> Next:
        """What an accepted answer does: a `Parsed` is saved (its value may be replaced) and
        the flow goes on; `Enter` starts another flow; `Review` acts on a summary."""
        return parsed

    def still_holds(self, ctx: Context, step: Step, session: Session, value: Any) -> bool:
        """Whether a saved answer still holds after other answers were changed (from a
        summary); one that does not is asked again before the summary."""
        return True


def clean_spaces(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def match_label(text: str, labels: list[tuple[str, str]], cutoff: float = 80) -> str:
    """The option whose label a typed answer names (by number, exactly or nearly)."""
    if text.isdigit() and 1 <= int(text) <= len(labels):
        return labels[int(text) - 1][1]
    plain = [re.sub(r"[^\w ]", "", label).strip().lower() for label, _ in labels]
    found = process.extractOne(text.lower(), plain, scorer=fuzz.WRatio, score_cutoff=cutoff)
    if found is None:
        raise InputError("choice.unknown")
    return labels[found[2]][1]
