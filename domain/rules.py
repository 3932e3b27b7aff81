"""The national BPU rules (`data/rules.yaml`) as frozen models: every value carries its `source`.

Loading checks that the derived amounts (the minimum contributions, the JKM total) agree with
the rates they come from, so a change to one number cannot silently contradict another.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Literal, Self

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    ValidationError,
    model_validator,
)

from domain.errors import FlowDefinitionError

__all__ = [
    "Amount",
    "Count",
    "Day",
    "DiscountRules",
    "DiscountWindow",
    "IncomeBracket",
    "Rate",
    "Rules",
    "Text",
    "load_rules",
    "round_rupiah",
]

Item = Literal["jkk", "jkm", "jht"]
GovernmentFunder = Literal["apbd", "apbn"]


def _to_day(value: object) -> object:
    # YAML gives a date for 2026-01-01; accept an ISO string too, but never a number
    # (pydantic would read 2026 as a Unix timestamp).
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"expected a date like 2026-01-31, got {value!r}") from None
    if isinstance(value, date):
        return value
    raise ValueError(f"expected a date like 2026-01-31, got {value!r}")


Day = Annotated[date, BeforeValidator(_to_day)]
"""A calendar date written as ``2026-01-31`` (a YAML date or an ISO string)."""


def round_rupiah(amount: Decimal) -> int:
    """Round to the nearest whole rupiah, halves up (Rp0,5 becomes Rp1)."""
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class _Fact(_Frozen):
    source: StrictStr
    note: StrictStr = ""
    unsettled: StrictBool = False


class Amount(_Fact):
    """A sum of money in whole rupiah."""

    value: StrictInt = Field(ge=0)


class Count(_Fact):
    """A number of people, months, years, times."""

    value: StrictInt = Field(ge=0)


class Text(_Fact):
    """A fact that is not a number."""

    value: StrictStr


class Rate(_Fact):
    """A percentage; :meth:`of` applies it and rounds to the nearest rupiah."""

    value: Decimal = Field(ge=0, le=100)

    def of(self, amount: int) -> int:
        return round_rupiah(Decimal(amount) * self.value / 100)


class ParticipantRules(_Frozen):
    age_limit: Count
    ktp_age: Count
    max_occupations: Count
    income_floor: Amount
    inactive_after_unpaid_months: Count
    cover_starts: Text
    already_employed: Text


class IncomeBracket(_Frozen):
    """One row of PP 44/2015 Lampiran II: incomes in [min_income, max_income] pay on `basis`."""

    min_income: StrictInt = Field(ge=0)
    max_income: StrictInt | None = None
    basis: StrictInt = Field(gt=0)

    def contains(self, income: int) -> bool:
        return self.min_income <= income and (self.max_income is None or income <= self.max_income)


class IncomeBrackets(_Frozen):
    rows: tuple[IncomeBracket, ...] = ()
    source: StrictStr
    note: StrictStr = ""

    def basis_for(self, income: int) -> int | None:
        """The bracket's basis for `income`, or ``None`` when no row holds it."""
        return next((row.basis for row in self.rows if row.contains(income)), None)


class ContributionRules(_Frozen):
    jkk_rate: Rate
    jkk_cap: Amount
    jkm: Amount
    jht_rate: Rate
    minimum_jkk_jkm: Amount
    minimum_with_jht: Amount
    income_brackets: IncomeBrackets


class DiscountWindow(_Frozen):
    """The dates (both included) a sector's discount runs."""

    sector: StrictStr
    start: Day
    end: Day
    source: StrictStr
    note: StrictStr = ""

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end


class DiscountRules(_Frozen):
    rate: Rate
    applies_to: tuple[Item, ...]
    not_for_funders: tuple[GovernmentFunder, ...]
    windows: tuple[DiscountWindow, ...]
    source: StrictStr
    note: StrictStr = ""

    def window_for(self, sector: str) -> DiscountWindow | None:
        """The sector's own window, else the ``other`` window (every sector not listed)."""
        by_sector = {window.sector: window for window in self.windows}
        return by_sector.get(sector, by_sector.get("other"))


class JkmBenefits(_Frozen):
    total: Amount
    death_benefit: Amount
    periodic_benefit: Amount
    funeral: Amount
    min_paid_months: Count


class ScholarshipBenefits(_Frozen):
    max_children: Count
    max_total: Amount
    min_contribution_years: Count


class JkkBenefits(_Frozen):
    medical_care: Text
    income_replacement_full_months: Count
    income_replacement_full_percent: Count
    income_replacement_after_percent: Count
    total_disability_multiple: Count
    work_death_multiple: Count


class BenefitRules(_Frozen):
    jkm: JkmBenefits
    scholarship: ScholarshipBenefits
    jkk: JkkBenefits
    claim_lapse_years: Count


class Rules(_Frozen):
    """Everything in `data/rules.yaml`."""

    participant: ParticipantRules
    contributions: ContributionRules
    discount: DiscountRules
    benefits: BenefitRules

    @model_validator(mode="after")
    def _derived_amounts_agree(self) -> Self:
        c = self.contributions
        floor = self.participant.income_floor.value
        jkk_jkm = min(c.jkk_rate.of(floor), c.jkk_cap.value) + c.jkm.value
        if c.minimum_jkk_jkm.value != jkk_jkm:
            raise ValueError(
                f"contributions.minimum_jkk_jkm is {c.minimum_jkk_jkm.value} "
                f"but the rates give {jkk_jkm}"
            )
        with_jht = jkk_jkm + c.jht_rate.of(floor)
        if c.minimum_with_jht.value != with_jht:
            raise ValueError(
                f"contributions.minimum_with_jht is {c.minimum_with_jht.value} "
                f"but the rates give {with_jht}"
            )
        jkm = self.benefits.jkm
        parts = jkm.death_benefit.value + jkm.periodic_benefit.value + jkm.funeral.value
        if jkm.total.value != parts:
            raise ValueError(
                f"benefits.jkm.total is {jkm.total.value} but its parts add up to {parts}"
            )
        for window in self.discount.windows:
            if window.end < window.start:
                raise ValueError(f"discount.windows: {window.sector} ends before it starts")
        return self


def _parse(text: str, name: str) -> Rules:
    try:
        return Rules.model_validate(yaml.safe_load(text))
    except yaml.YAMLError as exc:
        raise FlowDefinitionError(f"{name}: not valid YAML: {exc}") from None
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc']) or '(file)'}: {error['msg']}"
            for error in exc.errors()
        )
        raise FlowDefinitionError(f"{name}: {problems}") from None


@cache
def _shipped_rules() -> Rules:
    path = resources.files("domain") / "data" / "rules.yaml"
    return _parse(path.read_text(encoding="utf-8"), "domain/data/rules.yaml")


def load_rules(path: Path | None = None) -> Rules:
    """The shipped rules (read once and cached), or those of another file for tests."""
    if path is None:
        return _shipped_rules()
    return _parse(path.read_text(encoding="utf-8"), str(path))
