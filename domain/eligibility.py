"""Who may join, and who pays: the eligibility verdict for one applicant on one date.

:func:`assess` is pure: the national rules (`rules.yaml`), the program files and the quota
counts come in as arguments. The region is decided by where the worker says they live
(`domicile_regency`), never by the region code inside the NIK (regions split, people move).
Texts live in ``locales/<lang>.eligibility.yaml`` under ``elig.``; :data:`MESSAGE_PARAMS`
lists the placeholders each key receives.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from domain.contributions import (
    Contribution,
    DiscountReason,
    PeriodTotal,
    monthly_contribution,
    period_total,
)
from domain.i18n import Catalog, escape, format_day, format_money
from domain.nik import Nik, check_agreement
from domain.occupations import load_occupations
from domain.programs import Program, ProgramSet
from domain.rules import Rules

__all__ = [
    "MESSAGE_PARAMS",
    "Applicant",
    "PendingQuestion",
    "Verdict",
    "VerdictKind",
    "age_on",
    "assess",
    "pending_questions",
    "verdict_message",
]

VerdictKind = Literal["funded", "self_paying", "not_eligible"]
QuotaLeft = Callable[[str, str], int | None]
"""``quota_left(program_id, quota_id)``: places left, or None when unknown (counts as free)."""

# Every catalogue key of the eligibility flow and the placeholders its text may use, besides
# the address (`sapaan`, `sapa`) that Context.t always adds. A test checks both languages.
MESSAGE_PARAMS: Mapping[str, frozenset[str]] = {
    # questions the flow asks (rendered by the engine; `program` from PendingQuestion.params)
    "elig.intro": frozenset(),
    "elig.ask.civil_servant": frozenset({"program"}),
    "elig.ask.has_local_ktp": frozenset({"program"}),
    "elig.ask.already_employed": frozenset({"program"}),
    "elig.ask.occupations_count": frozenset(),
    "elig.button.yes": frozenset(),
    "elig.button.no": frozenset(),
    "elig.button.jobs_one": frozenset(),
    "elig.button.jobs_two": frozenset(),
    "elig.button.jobs_more": frozenset(),
    "elig.button.register": frozenset(),
    "elig.button.register_self": frozenset(),
    "elig.button.talk": frozenset(),
    "elig.ask.register": frozenset(),
    # verdict headlines (rendered by verdict_message)
    "elig.verdict.funded": frozenset({"program", "amount", "end", "total"}),
    "elig.verdict.funded_estimate": frozenset({"program", "amount", "end"}),
    "elig.verdict.self_paying": frozenset({"amount"}),
    "elig.verdict.self_paying_discount": frozenset({"amount", "normal_amount", "discount_end"}),
    "elig.verdict.not_eligible": frozenset(),
    # reasons
    "elig.reason.too_old": frozenset({"age", "limit"}),
    "elig.reason.too_many_jobs": frozenset({"count", "max"}),
    "elig.reason.funded": frozenset({"program", "occupation"}),
    "elig.reason.outside_region": frozenset(),
    "elig.reason.domicile_unknown": frozenset(),
    "elig.reason.program_not_running": frozenset({"program", "start", "end"}),
    "elig.reason.occupation_not_funded": frozenset({"program", "occupation"}),
    "elig.reason.occupation_unknown": frozenset({"program"}),
    "elig.reason.program_age": frozenset({"program", "age"}),
    "elig.reason.civil_servant": frozenset({"program"}),
    "elig.reason.no_local_ktp": frozenset({"program"}),
    "elig.reason.already_employed": frozenset({"program"}),
    "elig.reason.quota_full": frozenset({"program", "occupation"}),
    "elig.reason.income_floor": frozenset({"income", "floor"}),
    "elig.reason.income_unknown": frozenset({"floor"}),
    # next steps
    "elig.next.register_funded": frozenset({"office"}),
    "elig.next.documents": frozenset({"documents"}),
    "elig.next.register_self": frozenset(),
    "elig.next.join_elsewhere": frozenset(),
    "elig.next.discount_soon": frozenset({"discount_start", "discount_amount"}),
    "elig.next.year_total": frozenset({"year_total"}),
    "elig.next.ask_official": frozenset(),
    "elig.next.civil_servant": frozenset(),
    "elig.next.employer": frozenset(),
    "elig.next.family": frozenset({"limit"}),
    "elig.next.choose_jobs": frozenset({"max"}),
}

_Question = Literal["civil_servant", "has_local_ktp", "already_employed"]


@dataclass(frozen=True)
class Applicant:
    """What the flow knows about a worker; None means not asked (yet)."""

    birth_date: date | None
    gender: str | None
    nik_regency: str | None
    """The regency code inside the NIK: where the card was first issued. Never decisive."""
    domicile_regency: str | None
    """Where the worker lives now, as they say: this decides the region."""
    occupation: str | None
    occupations_count: int = 1
    monthly_income: int | None = None
    civil_servant: bool | None = None
    """ASN, TNI or Polri."""
    already_employed: bool | None = None
    """A wage worker (PU) registered by an employer."""
    has_local_ktp: bool | None = None
    """A KTP of the program's region, for programs that require it."""

    @classmethod
    def from_nik(
        cls,
        nik: Nik,
        birth_date: date,
        *,
        domicile_regency: str | None,
        occupation: str | None,
        occupations_count: int = 1,
        monthly_income: int | None = None,
        civil_servant: bool | None = None,
        already_employed: bool | None = None,
        has_local_ktp: bool | None = None,
    ) -> Applicant:
        """Take gender and NIK regency from a NIK, with the birth date the worker confirmed.

        Raises InputError (``nik.mismatch_date``) when that date does not match the NIK.
        """
        check_agreement(nik, birth_date, nik.gender)
        return cls(
            birth_date=birth_date,
            gender=nik.gender,
            nik_regency=nik.regency,
            domicile_regency=domicile_regency,
            occupation=occupation,
            occupations_count=occupations_count,
            monthly_income=monthly_income,
            civil_servant=civil_servant,
            already_employed=already_employed,
            has_local_ktp=has_local_ktp,
        )


@dataclass(frozen=True)
class Verdict:
    """The outcome of :func:`assess`: what kind, which program, why, and what to do next."""

    kind: VerdictKind
    program_id: str | None
    program_name: str | None
    reasons: tuple[str, ...]
    """Catalogue keys (``elig.reason.*``) explaining the outcome."""
    next_steps: tuple[str, ...]
    """Catalogue keys (``elig.next.*``): what to do now or instead."""
    contribution: Contribution | None
    """What the worker would pay each month as a self-paying participant."""
    government_pays: int | None
    """What the program pays each month, when funded."""
    params: dict[str, object] = field(default_factory=dict)
    """Values for the messages: ints, formatted money, dates and the occupation id."""
    covered: PeriodTotal | None = None
    """What the program pays from now to the end of its period, when funded and that end is
    known (not an estimate)."""
    year_ahead: PeriodTotal | None = None
    """A self-paying worker's next 12 months, when the monthly amount changes within them."""

    @property
    def headline(self) -> str:
        """The catalogue key of the verdict's first line."""
        if self.kind == "self_paying" and self.contribution and self.contribution.discount:
            return "elig.verdict.self_paying_discount"
        if self.kind == "funded" and self.covered is None:
            return "elig.verdict.funded_estimate"
        return f"elig.verdict.{self.kind}"

    @property
    def registration_offered(self) -> bool:
        """Whether the worker can register through this bot now (funded or self-paying here)."""
        return bool({"elig.next.register_funded", "elig.next.register_self"} & {*self.next_steps})

    def message_params(self, lang: str) -> dict[str, str]:
        """The params as text for `lang`: dates as ``9 Desember 2025``, the occupation's label,
        everything escaped for Telegram HTML."""
        labels = {occupation.id: occupation.label(lang) for occupation in load_occupations()}
        out: dict[str, str] = {}
        for name, value in self.params.items():
            if isinstance(value, date):
                out[name] = format_day(value, lang)
            elif name == "occupation":
                out[name] = escape(labels.get(str(value), str(value)))
            else:
                out[name] = escape(value)
        return out


@dataclass(frozen=True)
class PendingQuestion:
    """A question whose answer could change the verdict: ask `key` with `params`."""

    field: _Question
    key: str
    params: dict[str, str]


def age_on(birth_date: date, on: date) -> int:
    """Whole years from `birth_date` to `on` (a 29 February birthday counts from 1 March)."""
    before_birthday = (on.month, on.day) < (birth_date.month, birth_date.day)
    return on.year - birth_date.year - int(before_birthday)


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
    asked: dict[_Question, PendingQuestion] = {}
    for program in _candidates(applicant, programs, on):
        rules = program.eligibility
        needs: list[tuple[_Question, bool]] = [
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
    order: tuple[_Question, ...] = ("civil_servant", "has_local_ktp", "already_employed")
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
    ahead = period_total(income, on, last, sector, "self", False, rules)
    if len({month.worker_pays for month in ahead.months}) == 1:
        return None
    return ahead


def _self_paying(
    applicant: Applicant,
    programs: ProgramSet,
    rules: Rules,
    on: date,
    reasons: list[str],
    next_steps: list[str],
    params: dict[str, object],
) -> Verdict:
    floor = rules.participant.income_floor.value
    income = applicant.monthly_income
    if income is None:
        reasons.append("elig.reason.income_unknown")
        params["floor"] = format_money(floor)
    elif income < floor:
        reasons.append("elig.reason.income_floor")
        params["income"], params["floor"] = format_money(income), format_money(floor)
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
        reasons=tuple(dict.fromkeys(reasons)),
        next_steps=tuple(dict.fromkeys(next_steps)),
        contribution=pay,
        government_pays=None,
        params=params,
        year_ahead=ahead,
    )


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

    reasons: list[str] = []
    next_steps: list[str] = []
    params = {}
    domicile = applicant.domicile_regency
    if domicile is None:
        reasons.append("elig.reason.domicile_unknown")
        return _self_paying(applicant, programs, rules, on, reasons, next_steps, params)
    here = [program for program in programs if _serves(program, domicile)]
    running = [p for p in here if p.period.covers(on)]
    if not here:
        reasons.append("elig.reason.outside_region")
    elif not running:
        first = here[0]
        reasons.append("elig.reason.program_not_running")
        params.update(program=first.short_name, start=first.period.start, end=first.period.end)
    elif applicant.occupation is None:
        reasons.append("elig.reason.occupation_unknown")
        params["program"] = running[0].short_name
    else:
        candidates = _candidates(applicant, programs, on)
        if not candidates:
            reasons.append("elig.reason.occupation_not_funded")
            params.update(program=running[0].short_name, occupation=applicant.occupation)
        problems = []
        for program in candidates:
            problem = _program_problem(program, applicant, rules, on, quota_left)
            if problem is None:
                return _funded(program, applicant, rules, on)
            problems.append(problem)
        if problems:
            reason, problem_params = problems[0]
            reasons.append(reason)
            params.update(problem_params)
            next_steps.extend(_NEXT_FOR_PROBLEM.get(reason, ()))
    return _self_paying(applicant, programs, rules, on, reasons, next_steps, params)


def verdict_message(
    verdict: Verdict, catalog: Catalog, lang: str, address: Mapping[str, str]
) -> str:
    """The verdict as one message: headline, reasons, then next steps, one per line."""
    params = {**verdict.message_params(lang), **address}
    keys = (verdict.headline, *verdict.reasons, *verdict.next_steps)
    headline, *rest = (catalog.text(lang, key, **params) for key in keys)
    return "\n\n".join([headline, "\n".join(f"• {line}" for line in rest)])
