"""Answers picked from buttons: options, occupations, income, consent, yes/no, the summary."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from conversations.context import Context
from conversations.flow import Step
from conversations.inputs.base import InputKind, Next, Parsed, Prompt, Review, match_label
from conversations.session import Session
from domain.errors import InputError
from domain.i18n import format_money


class ChoiceInput(InputKind):
    """Buttons for a fixed list of options; typing a label (or its number) works too."""

    def _labels(self, ctx: Context, step: Step, session: Session) -> list[tuple[str, str]]:
        return [(ctx.t(session, f"{step.labels}.{opt}"), str(opt)) for opt in step.options]

    def prompt(self, ctx: Context, step: Step, session: Session) -> Prompt:
        return Prompt(buttons=self._labels(ctx, step, session), columns=step.columns or 2)

    def choose(self, ctx: Context, step: Step, session: Session, data: str) -> Parsed:
        if data in {str(opt) for opt in step.options}:
            return Parsed(data)
        raise InputError("input.stale_button")

    def typed(self, ctx: Context, step: Step, session: Session, text: str) -> Parsed:
        labels = self._labels(ctx, step, session)
        return Parsed(match_label(text, labels))

    def shown(self, ctx: Context, step: Step, session: Session, value: Any) -> str:
        if not step.labels:
            return super().shown(ctx, step, session, value)
        return ctx.t(session, f"{step.labels}.{value}")


class OccupationInput(InputKind):
    def _labels(self, ctx: Context, session: Session) -> list[tuple[str, str]]:
        return [(o.label(session.lang), o.id) for o in ctx.occupations]

    def prompt(self, ctx: Context, step: Step, session: Session) -> Prompt:
        return Prompt(buttons=self._labels(ctx, session), columns=2)

    def choose(self, ctx: Context, step: Step, session: Session, data: str) -> Parsed:
        if data in {o.id for o in ctx.occupations}:
            return Parsed(data)
        raise InputError("input.stale_button")

    def typed(self, ctx: Context, step: Step, session: Session, text: str) -> Parsed:
        return Parsed(match_label(text, self._labels(ctx, session), cutoff=75))


_INCOME_RE = re.compile(r"^(?:rp\.?)?\s*([\d.,]+)\s*(juta|jt|ribu|rb|k)?$")


def parse_income(text: str) -> int:
    """Read `1.500.000`, `Rp 2.000.000`, `1,5 juta`, `2jt` or `800rb` as rupiah."""
    match = _INCOME_RE.match(text.strip().lower().replace(" ", ""))
    if not match:
        raise InputError("income.format")
    number, unit = match.groups()
    if unit:
        try:
            amount = (
                float(number.replace(".", "").replace(",", ".")) if "," in number else float(number)
            )
        except ValueError:
            raise InputError("income.format") from None
        amount *= 1_000_000 if unit in ("juta", "jt") else 1_000
    else:
        amount = float(re.sub(r"[.,]", "", number) or "0")
    return round(amount)


class IncomeInput(InputKind):
    def prompt(self, ctx: Context, step: Step, session: Session) -> Prompt:
        return Prompt(buttons=[(format_money(int(v)), f"i:{v}") for v in step.options], columns=2)

    def choose(self, ctx: Context, step: Step, session: Session, data: str) -> Parsed:
        if data.startswith("i:") and data[2:] in {str(v) for v in step.options}:
            return Parsed(int(data[2:]))
        raise InputError("input.stale_button")

    def typed(self, ctx: Context, step: Step, session: Session, text: str) -> Parsed:
        amount = parse_income(text)
        if amount <= 0:
            raise InputError("income.format")
        if amount > 1_000_000_000:
            raise InputError("income.absurd")
        return Parsed(amount)


class ConsentInput(InputKind):
    accepts_text = False

    def prompt(self, ctx: Context, step: Step, session: Session) -> Prompt:
        buttons = [
            (ctx.t(session, "button.agree"), "yes"),
            (ctx.t(session, "button.disagree"), "no"),
        ]
        return Prompt(ctx.consent_params(session), buttons, columns=2)

    def choose(self, ctx: Context, step: Step, session: Session, data: str) -> Parsed:
        if data in ("yes", "no"):
            return Parsed(data == "yes", branch=data)
        raise InputError("input.stale_button")

    def on_answer(self, ctx: Context, step: Step, session: Session, parsed: Parsed) -> Next:
        """Agreed: what is saved is the record of the text agreed to (a `no` ends the flow
        through the step's `ends`)."""
        program = ctx.program_of(session)
        parsed.value = {
            "version": ctx.consent_version,
            "sha256": self._digest(ctx, step, session),
            "lang": session.lang,
            "purpose": f"{session.flow}:" + (program[0] if program else "self"),
            "at": ctx.now.isoformat() if ctx.now else "",
        }
        return parsed

    def still_holds(self, ctx: Context, step: Step, session: Session, value: Any) -> bool:
        """Consent is to the exact text shown, which names the program: after a change of
        place or occupation that names another program, it is asked again."""
        if not isinstance(value, dict):
            return False
        current = (ctx.consent_version, self._digest(ctx, step, session))
        return (value.get("version"), value.get("sha256")) == current

    @staticmethod
    def _digest(ctx: Context, step: Step, session: Session) -> str:
        text = ctx.t(session, step.ask, **ctx.consent_params(session))
        return hashlib.sha256(text.encode()).hexdigest()


class YesNoInput(InputKind):
    """Confirm a change: yes saves it, no leaves everything as it was."""

    accepts_text = False

    def prompt(self, ctx: Context, step: Step, session: Session) -> Prompt:
        buttons = [
            (ctx.t(session, "data.button.save"), "yes"),
            (ctx.t(session, "data.button.keep"), "no"),
        ]
        return Prompt(ctx.correction_params(session), buttons, columns=2)

    def choose(self, ctx: Context, step: Step, session: Session, data: str) -> Parsed:
        if data in ("yes", "no"):
            return Parsed(data == "yes", branch=data)
        raise InputError("input.stale_button")


class SummaryInput(InputKind):
    accepts_text = False

    def prompt(self, ctx: Context, step: Step, session: Session) -> Prompt:
        buttons = [(ctx.t(session, "button.send"), "send"), (ctx.t(session, "button.edit"), "edit")]
        return Prompt(ctx.summary_params(session), buttons, columns=2)

    def choose(self, ctx: Context, step: Step, session: Session, data: str) -> Parsed:
        if data in ("send", "edit") or data.startswith("f:"):
            return Parsed(data, branch=data.split(":")[0])
        raise InputError("input.stale_button")

    def on_answer(self, ctx: Context, step: Step, session: Session, parsed: Parsed) -> Next:
        action = str(parsed.value)
        if action == "send":
            return Review(send=True)
        return Review(field=action.removeprefix("f:") if action.startswith("f:") else None)
