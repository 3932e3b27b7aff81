"""Who may join, and who pays: the eligibility verdict for one applicant on one date.

:func:`assess` is pure: the national rules (`rules.yaml`), the program files and the quota
counts come in as arguments. The region is decided by where the worker says they live
(`domicile_regency`), never by the region code inside the NIK (regions split, people move).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date

from domain.contributions import (
    DiscountReason,
    PeriodTotal,
    monthly_contribution,
    period_total,
)
from domain.eligibility.verdict import Applicant, PendingQuestion, Question, Verdict, age_on
from domain.i18n import format_money
from domain.occupations import load_occupations
from domain.programs import Program, ProgramSet
from domain.rules import Rules

__all__ = ["QuotaLeft", "assess", "pending_questions"]

QuotaLeft = Callable[[str, str], int | None]
"""``quota_left(program_id, quota_id)``: places left, or None when unknown (counts as free)."""


def _serves(program: Program, region_code: str) -> bool:
    """Whether `region_code` (a regency, district or village) lies in the program's regions."""
    return ".".join(region_code.split(".")[:2]) in program.regions


def _sector(occupation: str | None) -> str:
    found = next((o for o in load_occupations() if o.id == occupation), None)
    return found.sector if found else "other"


def _candidates(applicant: Applicant, programs: ProgramSet, on: date) -> list[Program]:
    """Programs serving the worker's domicile on `on` that fund their occupation."""
    if applicant.domicile_regency is None or applicant.occupation is None:
        return []
    return [
        program
        for program in programs.for_region(applicant.domicile_regency, on)
        if program.funds(applicant.occupation)
    ]


def pending_questions(
    applicant: Applicant, programs: ProgramSet, on: date
) -> tuple[PendingQuestion, ...]:
    """The questions still unanswered that a program funding this worker needs answered.

    Ask only these (in order); an empty tuple means :func:`assess` can decide.
    """
    asked: dict[Question, PendingQuestion] = {}
    for program in _candidates(applicant, programs, on):
        rules = program.eligibility
        needs: list[tuple[Question, bool]] = [
            ("civil_servant", bool(rules.excludes) and applicant.civil_servant is None),
            (
                "has_local_ktp",
                rules.requires_ktp_in_region and applicant.has_local_ktp is None,
            ),
            (
                "already_employed",
                not rules.already_employed_allowed and applicant.already_employed is None,
            ),
        ]
        for name, needed in needs:
            if needed and name not in asked:
                asked[name] = PendingQuestion(
                    name, f"elig.ask.{name}", {"program": program.short_name}
                )
    order: tuple[Question, ...] = ("civil_servant", "has_local_ktp", "already_employed")
    return tuple(asked[name] for name in order if name in asked)


def _program_problem(
    program: Program, applicant: Applicant, rules: Rules, on: date, quota_left: QuotaLeft
) -> tuple[str, dict[str, object]] | None:
    """Why `program` will not fund the applicant (reason key and params), or None if it will."""
    base: dict[str, object] = {"program": program.short_name}
    e = program.eligibility
    if applicant.birth_date is not None:
        age = age_on(applicant.birth_date, on)
        if not e.accepts_age(age, rules):
            return "elig.reason.program_age", {**base, "age": age}
    if e.excludes and applicant.civil_servant is True:
        return "elig.reason.civil_servant", base
    if e.requires_ktp_in_region and applicant.has_local_ktp is not True:
        return "elig.reason.no_local_ktp", base
    if not e.already_employed_allowed and applicant.already_employed is True:
        return "elig.reason.already_employed", base
    assert applicant.occupation is not None
    quota = program.quota_for(applicant.occupation)
    assert quota is not None
    left = quota_left(program.id, quota.id)
    if left is not None and left <= 0:
        return "elig.reason.quota_full", {**base, "occupation": applicant.occupation}
    return None


_NEXT_FOR_PROBLEM: Mapping[str, tuple[str, ...]] = {
    "elig.reason.civil_servant": ("elig.next.civil_servant",),
    "elig.reason.already_employed": ("elig.next.employer",),
    "elig.reason.no_local_ktp": ("elig.next.ask_official",),
    "elig.reason.quota_full": ("elig.next.ask_official",),
}


def _not_eligible(reason: str, next_step: str, params: dict[str, object]) -> Verdict:
    return Verdict("not_eligible", None, None, (reason,), (next_step,), None, None, params)


def _funded(program: Program, applicant: Applicant, rules: Rules, on: date) -> Verdict:
    pays = program.monthly_cost(rules, on)
    covered = program.cost_from(rules, on)
    next_steps = ["elig.next.register_funded"]
    params: dict[str, object] = {
        "program": program.short_name,
        "occupation": applicant.occupation,
        "amount": format_money(pays),
        "end": program.period.end,
        "office": program.operator.office,
    }
    if covered is not None:
        params["total"] = format_money(covered.government_pays)
    if program.eligibility.required_documents:
        next_steps.append("elig.next.documents")
        params["documents"] = ", ".join(program.eligibility.required_documents)
    return Verdict(
        kind="funded",
        program_id=program.id,
        program_name=program.name,
        reasons=("elig.reason.funded",),
        next_steps=tuple(next_steps),
        contribution=None,
        government_pays=pays,
        params=params,
        covered=covered,
    )


def _year_ahead(income: int, on: date, sector: str, rules: Rules) -> PeriodTotal | None:
    """The next 12 months of a self-paying worker, when the amount is not the same each month
    (a discount starts or ends): then 12 times the monthly amount would be wrong."""
    months = on.month - 1 + 11
    last = date(on.year + months // 12, months % 12 + 1, 1)
    ahead = period_total(income, on, last, sector, "self", rules)
    if len({month.worker_pays for month in ahead.months}) == 1:
        return None
    return ahead


@dataclass
class _Findings:
    """Why no program funds the worker and what to tell them, gathered while assessing."""

    reasons: list[str] = field(default_factory=list)
    next_steps: list[str] = field(default_factory=list)
    params: dict[str, object] = field(default_factory=dict)

    def add(self, reason: str, **params: object) -> None:
        self.reasons.append(reason)
        self.params.update(params)


def _self_paying(
    applicant: Applicant, programs: ProgramSet, rules: Rules, on: date, found: _Findings
) -> Verdict:
    floor = rules.participant.income_floor.value
    income = applicant.monthly_income
    if income is None:
        found.add("elig.reason.income_unknown", floor=format_money(floor))
    elif income < floor:
        found.add(
            "elig.reason.income_floor", income=format_money(income), floor=format_money(floor)
        )
    params, next_steps = found.params, found.next_steps
    sector = _sector(applicant.occupation)
    pay = monthly_contribution(
        floor if income is None else income, on, sector, "self", False, rules
    )
    params["amount"] = format_money(pay.worker_pays)
    window = pay.discount_window
    if pay.discount_applied and window is not None:
        params["normal_amount"] = format_money(pay.worker_pays + pay.discount)
        params["discount_end"] = window.end
    elif pay.discount_reason is DiscountReason.NOT_STARTED and window is not None:
        later = monthly_contribution(pay.income, window.start, sector, "self", False, rules)
        next_steps.append("elig.next.discount_soon")
        params["discount_start"] = window.start
        params["discount_amount"] = format_money(later.worker_pays)
    ahead = _year_ahead(pay.income, on, sector, rules)
    if ahead is not None:
        next_steps.append("elig.next.year_total")
        params["year_total"] = format_money(ahead.worker_pays)
    domicile = applicant.domicile_regency
    served = domicile is not None and any(_serves(program, domicile) for program in programs)
    next_steps.append("elig.next.register_self" if served else "elig.next.join_elsewhere")
    return Verdict(
        kind="self_paying",
        program_id=None,
        program_name=None,
        reasons=tuple(dict.fromkeys(found.reasons)),
        next_steps=tuple(dict.fromkeys(next_steps)),
        contribution=pay,
        government_pays=None,
        params=params,
        year_ahead=ahead,
    )


def _national_refusal(applicant: Applicant, rules: Rules, on: date) -> Verdict | None:
    """Not eligible anywhere: 65 or older, or more occupations than the rules allow."""
    participant = rules.participant
    limit = participant.age_limit.value
    if applicant.birth_date is not None:
        age = age_on(applicant.birth_date, on)
        if age >= limit:
            params: dict[str, object] = {"age": age, "limit": limit}
            return _not_eligible("elig.reason.too_old", "elig.next.family", params)
    most = participant.max_occupations.value
    if applicant.occupations_count > most:
        params = {"count": applicant.occupations_count, "max": most}
        return _not_eligible("elig.reason.too_many_jobs", "elig.next.choose_jobs", params)
    return None


def _first_funder(
    applicant: Applicant,
    candidates: list[Program],
    rules: Rules,
    on: date,
    quota_left: QuotaLeft,
    found: _Findings,
) -> Verdict | None:
    """Funded by the first candidate that takes the worker; else why the first one refuses."""
    problems = []
    for program in candidates:
        problem = _program_problem(program, applicant, rules, on, quota_left)
        if problem is None:
            return _funded(program, applicant, rules, on)
        problems.append(problem)
    if problems:
        reason, problem_params = problems[0]
        found.add(reason, **problem_params)
        found.next_steps.extend(_NEXT_FOR_PROBLEM.get(reason, ()))
    return None


def assess(
    applicant: Applicant,
    programs: ProgramSet,
    rules: Rules,
    on: date,
    quota_left: QuotaLeft,
) -> Verdict:
    """The verdict for `applicant` on `on`: funded by a program, self-paying, or not eligible.

    An unknown birth date is not checked (the registration flow confirms it from the NIK).
    """
    refusal = _national_refusal(applicant, rules, on)
    if refusal is not None:
        return refusal
    found = _Findings()
    domicile = applicant.domicile_regency
    if domicile is None:
        found.add("elig.reason.domicile_unknown")
        return _self_paying(applicant, programs, rules, on, found)
    here = [program for program in programs if _serves(program, domicile)]
    running = [p for p in here if p.period.covers(on)]
    if not here:
        found.add("elig.reason.outside_region")
    elif not running:
        first = here[0]
        found.add(
            "elig.reason.program_not_running",
            program=first.short_name,
            start=first.period.start,
            end=first.period.end,
        )
    elif applicant.occupation is None:
        found.add("elig.reason.occupation_unknown", program=running[0].short_name)
    else:
        candidates = _candidates(applicant, programs, on)
        if not candidates:
            found.add(
                "elig.reason.occupation_not_funded",
                program=running[0].short_name,
                occupation=applicant.occupation,
            )
        funded = _first_funder(applicant, candidates, rules, on, quota_left, found)
        if funded is not None:
            return funded
    return _self_paying(applicant, programs, rules, on, found)
