"""The eligibility check's part of the engine: its input kinds, derived answers and verdict.

After every answer of the eligibility flow (`derive: eligibility`, registered in `DERIVERS`),
`derive` recomputes which questions a program still needs (`_ask_*`), whether the income
still matters (`_skip_income`) and the program named in those questions (`_params`); the
flow's `when:` conditions read them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

from conversations.context import Context
from conversations.flow import Step
from conversations.inputs import DateInput, Enter, InputKind, Next, Parsed, Prompt
from conversations.inputs.regions import OUTSIDE
from conversations.session import Session
from domain.eligibility import Applicant, Verdict, assess, pending_questions, verdict_message
from domain.errors import InputError
from domain.nik import parse_nik

JOBS = {"jobs_one": 1, "jobs_two": 2, "jobs_more": 3}
# Answers the eligibility check hands on to registration (so they are not asked again).
CARRIED = ("nik", "birth_date", "gender", "occupation", "regency", "monthly_income")
_DIGITS = re.compile(r"^[\d\s.\-]{10,}$")


class NikOrDateInput(InputKind):
    """A NIK (then its date is confirmed) or just a date of birth."""

    def typed(self, ctx: Context, step: Step, session: Session, text: str) -> Parsed:
        if _DIGITS.match(text) and sum(ch.isdigit() for ch in text) >= 10:
            nik = parse_nik(text, ctx.regions)
            return Parsed(None, branch="nik", extra={"nik": nik.digits, "gender": nik.gender})
        born = DateInput().typed(ctx, step, session, text).value
        session.answers.pop("nik", None)
        return Parsed(None, branch="date", extra={"birth_date": born})


class QuestionTextInput(InputKind):
    """A question for the officials, in the worker's own words."""

    def typed(self, ctx: Context, step: Step, session: Session, text: str) -> Parsed:
        cleaned = " ".join(text.split())
        if len(cleaned) < 8:
            raise InputError("question.short")
        return Parsed(cleaned)


class VerdictInput(InputKind):
    """The verdict, with the way on: register (with the answers carried over) or ask."""

    accepts_text = False

    def prompt(self, ctx: Context, step: Step, session: Session) -> Prompt:
        found = verdict(ctx, session)
        address = ctx.address(session)
        text = verdict_message(found, ctx.catalog, session.lang, address)
        buttons = []
        if found.registration_offered:
            key = "elig.button.register" if found.kind == "funded" else "elig.button.register_self"
            buttons.append((ctx.t(session, key), "register"))
        buttons.append((ctx.t(session, "elig.button.talk"), "talk"))
        return Prompt({"verdict": text}, buttons, columns=1)

    def choose(self, ctx: Context, step: Step, session: Session, data: str) -> Parsed:
        if data in ("register", "talk"):
            return Parsed(data, branch=data)
        raise InputError("input.stale_button")

    def on_answer(self, ctx: Context, step: Step, session: Session, parsed: Parsed) -> Next:
        """The flow the step's `goto` names for the button; registration takes the answers."""
        target = step.goto.get(str(parsed.branch))
        if target is None:
            return parsed
        prefill = carried(session.answers) if parsed.branch == "register" else None
        return Enter(target, prefill)


INPUTS: dict[str, InputKind] = {
    "nik_or_date": NikOrDateInput(),
    "question_text": QuestionTextInput(),
    "verdict": VerdictInput(),
}


def _yes(value: Any) -> bool | None:
    return None if value is None else value == "yes"


def applicant(answers: dict[str, Any]) -> Applicant:
    born = answers.get("birth_date")
    nik = answers.get("nik")
    return Applicant(
        birth_date=date.fromisoformat(born) if born else None,
        gender=answers.get("gender"),
        nik_regency=f"{nik[:2]}.{nik[2:4]}" if nik else None,
        domicile_regency=answers.get("regency"),
        occupation=answers.get("occupation"),
        occupations_count=JOBS.get(str(answers.get("jobs")), 1),
        monthly_income=answers.get("monthly_income"),
        civil_servant=_yes(answers.get("civil_servant")),
        already_employed=_yes(answers.get("already_employed")),
        has_local_ktp=_yes(answers.get("has_local_ktp")),
    )


def _quota_left(session: Session) -> Any:
    known: dict[str, int] = session.answers.get("_quota_left") or {}

    def left(program_id: str, quota_id: str) -> int | None:
        return known.get(f"{program_id}:{quota_id}")

    return left


def verdict(ctx: Context, session: Session) -> Verdict:
    assert ctx.rules is not None
    return assess(
        applicant(session.answers), ctx.program_set, ctx.rules, ctx.today, _quota_left(session)
    )


def derive(ctx: Context, session: Session) -> None:
    """Recompute the derived answers the eligibility flow's conditions read."""
    if ctx.rules is None:
        return
    a = session.answers
    person = applicant(a)
    pending = pending_questions(person, ctx.program_set, ctx.today)
    for name in ("civil_servant", "has_local_ktp", "already_employed"):
        a[f"_ask_{name}"] = any(q.field == name for q in pending)
    if pending:
        a["_params"] = dict(pending[0].params)
    found = assess(person, ctx.program_set, ctx.rules, ctx.today, _quota_left(session))
    # Income only changes what a self-paying worker pays: ask it only then.
    a["_skip_income"] = found.kind != "self_paying"
    if found.program_name and "_params" not in a:
        a["_params"] = {"program": found.program_name}


def carried(answers: dict[str, Any]) -> dict[str, Any]:
    """Answers of the eligibility check that registration can take as given."""
    out = {k: answers[k] for k in CARRIED if answers.get(k) is not None}
    if out.get("regency") == OUTSIDE:
        del out["regency"]  # registration asks for the place (and ends if it is elsewhere)
    if "nik" not in out:
        out.pop("birth_date", None)
        out.pop("gender", None)
    return out


# Derivers a flow's `derive:` names: run after every answer of that flow.
DERIVERS: dict[str, Callable[[Context, Session], None]] = {"eligibility": derive}
