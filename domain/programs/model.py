"""What a program file says: its regions, period, quotas, eligibility and what it pays.

:class:`Program` is the checked shape of one file (build it with
:func:`domain.programs.load_program`); :class:`ProgramSet` is the programs a deployment serves.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Literal, Self

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    StrictBool,
    StrictInt,
    StrictStr,
    model_validator,
)

from domain.contributions import PeriodTotal, monthly_contribution, period_total
from domain.rules import Day, Rules

_REGENCY = re.compile(r"\d{2}\.\d{2}", re.ASCII)
_SLUG = r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$"


def _regency_code(value: object) -> object:
    if isinstance(value, float | int) and not isinstance(value, bool):
        # YAML reads 36.04 as a number (and 36.10 as 36.1): the quotes are needed.
        raise ValueError(f'{value} is a number; write the code in quotes, like "36.04"')
    if not isinstance(value, str) or not _REGENCY.fullmatch(value):
        raise ValueError(f'{value!r} is not a Kemendagri regency/city code like "36.04"')
    return value


RegencyCode = Annotated[str, BeforeValidator(_regency_code)]
Slug = Annotated[StrictStr, Field(pattern=_SLUG)]
Name = Annotated[StrictStr, Field(min_length=1)]
Excluded = Literal["asn", "tni", "polri"]
"""Civil servants (ASN), soldiers (TNI) and police (Polri)."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Period(_Frozen):
    """The dates (both included) the program funds contributions."""

    start: Day
    end: Day

    @model_validator(mode="after")
    def _ends_after_start(self) -> Self:
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end

    def overlaps(self, other: Period) -> bool:
        return self.start <= other.end and other.start <= self.end


class Operator(_Frozen):
    """The office that runs the program (Dinas Tenaga Kerja, Dinas Sosial, ...)."""

    office: Name
    contact: StrictStr | None = None


class Eligibility(_Frozen):
    """The program's own rules, on top of the national ones (`rules.yaml`)."""

    requires_domicile_in_region: StrictBool = True
    """The address the worker gives must be in the program's regions."""
    requires_ktp_in_region: StrictBool = False
    """The worker's KTP address must be in the regions (asked, never read from the NIK code)."""
    required_documents: tuple[Name, ...] = ()
    excludes: tuple[Excluded, ...] = ()
    already_employed_allowed: StrictBool = True
    """Wage earners (PU) may join. Nationally *unsettled*: True is only the default."""
    min_age: StrictInt | None = Field(default=None, ge=0)
    """Youngest age accepted (inclusive); none by default."""
    max_age: StrictInt | None = Field(default=None, ge=0)
    """Oldest age accepted (inclusive); by default the national limit (under 65)."""

    @model_validator(mode="after")
    def _ages_in_order(self) -> Self:
        if self.min_age is not None and self.max_age is not None and self.max_age < self.min_age:
            raise ValueError(f"max_age {self.max_age} is below min_age {self.min_age}")
        return self

    @property
    def already_employed_is_default(self) -> bool:
        """True when the file does not decide `already_employed_allowed` itself."""
        return "already_employed_allowed" not in self.model_fields_set

    def oldest_age(self, rules: Rules) -> int:
        if self.max_age is not None:
            return self.max_age
        return rules.participant.age_limit.value - 1

    def accepts_age(self, age: int, rules: Rules) -> bool:
        return (self.min_age is None or age >= self.min_age) and age <= self.oldest_age(rules)


class CombinedQuota(_Frozen):
    """One quota shared by several occupations, used when the split is not published."""

    id: Slug
    quota: StrictInt = Field(gt=0)
    occupations: tuple[StrictStr, ...] = Field(min_length=1)


@dataclass(frozen=True)
class Quota:
    """Places funded for some occupations; approvals count against `id` within a program."""

    id: str
    occupations: frozenset[str]
    limit: int
    estimate: bool


class Program(_Frozen):
    """One program file. Build it with :func:`load_program`, which also checks references."""

    id: Slug
    name: Name
    short_name: Name
    regions: tuple[RegencyCode, ...] = Field(min_length=1)
    occupations: dict[StrictStr, Annotated[StrictInt, Field(gt=0)]] = Field(default_factory=dict)
    """Occupation id -> places funded."""
    combined_quotas: tuple[CombinedQuota, ...] = ()
    estimated: tuple[StrictStr, ...] = ()
    """Quota ids (occupation or combined) and fields (`total`, `period`) that are estimates."""
    total: StrictInt | None = Field(default=None, gt=0)
    """The total number of workers announced."""
    total_policy: Literal["error", "warning"] = "error"
    """What a total that differs from the sum of the quotas is: a load error or a warning."""
    funder: Literal["apbd", "apbn"] = "apbd"
    pays: tuple[Literal["jkk", "jkm"], ...] = Field(default=("jkk", "jkm"), min_length=1)
    income_basis: StrictInt | None = Field(default=None, gt=0)
    """Monthly income basis the program pays on; by default the national income floor."""
    period: Period
    operator: Operator
    legal_basis: tuple[Name, ...] = Field(min_length=1)
    eligibility: Eligibility = Field(default_factory=Eligibility)
    sources: tuple[StrictStr, ...] = ()
    notes: StrictStr = ""

    _path: Path | None = PrivateAttr(default=None)
    _warnings: tuple[str, ...] = PrivateAttr(default=())

    @property
    def path(self) -> Path | None:
        """The file it was loaded from."""
        return self._path

    @property
    def warnings(self) -> tuple[str, ...]:
        """``<field>: <problem>`` lines found when loading (empty for a program built in code)."""
        return self._warnings

    @property
    def quotas(self) -> tuple[Quota, ...]:
        own = (
            Quota(occupation, frozenset({occupation}), limit, occupation in self.estimated)
            for occupation, limit in self.occupations.items()
        )
        combined = (
            Quota(q.id, frozenset(q.occupations), q.quota, q.id in self.estimated)
            for q in self.combined_quotas
        )
        return (*own, *combined)

    @property
    def quota_sum(self) -> int:
        return sum(quota.limit for quota in self.quotas)

    @property
    def funded_occupations(self) -> frozenset[str]:
        return frozenset().union(*(quota.occupations for quota in self.quotas))

    def quota_for(self, occupation: str) -> Quota | None:
        """The quota a worker of `occupation` takes a place of, or None if not funded."""
        return next((q for q in self.quotas if occupation in q.occupations), None)

    def funds(self, occupation: str) -> bool:
        return self.quota_for(occupation) is not None

    def covers(self, region_code: str, on: date) -> bool:
        """True if the regency of `region_code` (any level, e.g. a village) is served on `on`."""
        return _regency_of(region_code) in self.regions and self.period.covers(on)

    def basis(self, rules: Rules) -> int:
        """The monthly income basis the program pays contributions on."""
        return self.income_basis or rules.participant.income_floor.value

    def monthly_cost(self, rules: Rules, on: date | None = None) -> int:
        """What the program pays per worker per month (Rp16.800 on the minimum basis)."""
        contribution = monthly_contribution(
            self.basis(rules),
            on or self.period.start,
            "other",  # no discount for APBD/APBN-funded workers, so the sector does not matter
            self.funder,
            False,
            rules,
            government_items=self.pays,
        )
        return contribution.government_pays

    def cost_from(self, rules: Rules, on: date) -> PeriodTotal | None:
        """What the program pays per worker from `on`'s month to the end of its period.

        None when the period's end is only an estimate (`estimated: [period]`) or is past.
        """
        if "period" in self.estimated or on > self.period.end:
            return None
        return period_total(
            self.basis(rules),
            max(on, self.period.start),
            self.period.end,
            "other",  # no discount for APBD/APBN-funded workers, so the sector does not matter
            self.funder,
            rules,
            government_items=self.pays,
        )


def _regency_of(region_code: str) -> str:
    return ".".join(region_code.split(".")[:2])


class ProgramSet:
    """The programs a deployment serves, by id, with the warnings found when loading."""

    def __init__(self, programs: Iterable[Program] = (), warnings: Iterable[str] = ()) -> None:
        self._programs: dict[str, Program] = {}
        for program in programs:
            if program.id in self._programs:
                raise ValueError(f"program id {program.id!r} is used twice")
            self._programs[program.id] = program
        self.warnings: tuple[str, ...] = tuple(warnings)

    def __iter__(self) -> Iterator[Program]:
        return iter(sorted(self._programs.values(), key=lambda program: program.id))

    def __len__(self) -> int:
        return len(self._programs)

    def __contains__(self, program_id: object) -> bool:
        return program_id in self._programs

    def get(self, program_id: str) -> Program | None:
        return self._programs.get(program_id)

    def for_region(self, regency_code: str, on: date) -> list[Program]:
        """Programs serving the regency of `regency_code` (a village code works too) on `on`."""
        return [program for program in self if program.covers(regency_code, on)]

    def regions(self) -> set[str]:
        """Every regency/city code some program serves."""
        return {code for program in self for code in program.regions}
