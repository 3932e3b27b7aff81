"""What the eligibility rules know of a worker, and what they decide."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal, TypedDict, Unpack

from domain.contributions import Contribution, PeriodTotal
from domain.i18n import escape, format_day
from domain.nik import Nik, check_agreement
from domain.occupations import load_occupations

__all__ = [
    "Answers",
    "Applicant",
    "PendingQuestion",
    "Question",
    "Verdict",
    "VerdictKind",
    "age_on",
]

VerdictKind = Literal["funded", "self_paying", "not_eligible"]

Question = Literal["civil_servant", "has_local_ktp", "already_employed"]


class Answers(TypedDict, total=False):
    """The flow's other answers, as :class:`Applicant` fields (see there)."""

    occupations_count: int
    monthly_income: int | None
    civil_servant: bool | None
    already_employed: bool | None
    has_local_ktp: bool | None


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
        **answers: Unpack[Answers],
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
            **answers,
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

    field: Question
    key: str
    params: dict[str, str]


def age_on(birth_date: date, on: date) -> int:
    """Whole years from `birth_date` to `on` (a 29 February birthday counts from 1 March)."""
    before_birthday = (on.month, on.day) < (birth_date.month, birth_date.day)
    return on.year - birth_date.year - int(before_birthday)
