"""Monthly contributions (iuran) of a BPU participant, with the PP 50/2025 discount.

All amounts are whole rupiah. Rounding, made explicit: JKK is the JKK rate of the basis
rounded to the nearest rupiah (halves up), then capped; JHT likewise; the discount is the
discount rate of the discounted items' sum (JKK + JKM), rounded the same way, once.
The discount depends on the date the amount is shown for (`on`), never on today's date.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Literal

from domain.rules import DiscountWindow, Item, Rules

__all__ = [
    "Contribution",
    "DiscountReason",
    "Funder",
    "PeriodTotal",
    "income_basis",
    "monthly_contribution",
    "period_total",
]

Funder = Literal["self", "apbd", "apbn"]
"""Who pays: the worker, a regency/city budget (APBD) or the national budget (APBN)."""

_PEMDA_PAYS: tuple[Item, ...] = ("jkk", "jkm")


class DiscountReason(StrEnum):
    """Why the PP 50/2025 discount applies to an amount or not."""

    APPLIED = "applied"
    """`on` falls in the window of the worker's sector."""
    NOT_STARTED = "not_started"
    """`on` is before the sector's window (it starts on ``window.start``)."""
    ENDED = "ended"
    """`on` is after the sector's window."""
    GOVERNMENT_FUNDED = "government_funded"
    """Participants paid from APBD or APBN never get it."""
    NO_WINDOW = "no_window"
    """The rules give this sector no window at all."""


@dataclass(frozen=True)
class Contribution:
    """One month's contribution as shown on `on`."""

    on: date
    funded_by: Funder
    income: int
    basis: int
    """The income basis: the stated income raised to the floor (or its bracket's basis)."""
    jkk: int
    jkm: int
    jht: int
    """0 unless JHT was asked for."""
    discount: int
    """The amount taken off (0 when no discount)."""
    total: int
    """jkk + jkm + jht - discount."""
    discount_applied: bool
    discount_reason: DiscountReason
    discount_window: DiscountWindow | None
    """The sector's window, to say from when or until when the discount runs."""
    discount_source: str
    government_pays: int
    """The part the local or national government pays (0 when self-paying)."""
    worker_pays: int


@dataclass(frozen=True)
class PeriodTotal:
    """The contributions of every month from `start` to `end`, both months included."""

    start: date
    end: date
    months: tuple[Contribution, ...]

    @property
    def jkk(self) -> int:
        return sum(month.jkk for month in self.months)

    @property
    def jkm(self) -> int:
        return sum(month.jkm for month in self.months)

    @property
    def jht(self) -> int:
        return sum(month.jht for month in self.months)

    @property
    def discount(self) -> int:
        return sum(month.discount for month in self.months)

    @property
    def total(self) -> int:
        return sum(month.total for month in self.months)

    @property
    def government_pays(self) -> int:
        return sum(month.government_pays for month in self.months)

    @property
    def worker_pays(self) -> int:
        return sum(month.worker_pays for month in self.months)

    @property
    def discounted_months(self) -> int:
        return sum(1 for month in self.months if month.discount_applied)


def income_basis(income: int, rules: Rules) -> int:
    """The basis contributions are computed on: the bracket's basis if one is defined for
    the income, else the income itself; never below the income floor."""
    if income < 0:
        raise ValueError("income must not be negative")
    floor = rules.participant.income_floor.value
    bracket = rules.contributions.income_brackets.basis_for(income)
    return max(income if bracket is None else bracket, floor)


def _discount_status(
    on: date, sector: str, funded_by: Funder, rules: Rules
) -> tuple[DiscountReason, DiscountWindow | None]:
    window = rules.discount.window_for(sector)
    if funded_by != "self" and funded_by in rules.discount.not_for_funders:
        return DiscountReason.GOVERNMENT_FUNDED, window
    if window is None:
        return DiscountReason.NO_WINDOW, None
    if on < window.start:
        return DiscountReason.NOT_STARTED, window
    if on > window.end:
        return DiscountReason.ENDED, window
    return DiscountReason.APPLIED, window


def monthly_contribution(
    income: int,
    on: date,
    sector: str,
    funded_by: Funder,
    include_jht: bool,
    rules: Rules,
    *,
    government_items: Collection[Item] = _PEMDA_PAYS,
) -> Contribution:
    """The contribution for the month shown on `on`.

    `sector` is the occupation's sector (``transport`` or ``other``, from occupations.yaml).
    When a government funds the worker it pays `government_items` (a program's ``pays``,
    JKK and JKM by default) and the worker pays the rest (JHT, if chosen).
    """
    c = rules.contributions
    basis = income_basis(income, rules)
    amounts: dict[Item, int] = {
        "jkk": min(c.jkk_rate.of(basis), c.jkk_cap.value),
        "jkm": c.jkm.value,
        "jht": c.jht_rate.of(basis) if include_jht else 0,
    }
    reason, window = _discount_status(on, sector, funded_by, rules)
    applied = reason is DiscountReason.APPLIED
    discounted = sum(amounts[item] for item in rules.discount.applies_to)
    discount = rules.discount.rate.of(discounted) if applied else 0
    total = sum(amounts.values()) - discount
    government = 0
    if funded_by != "self":
        government = sum(amounts[item] for item in set(government_items))
    return Contribution(
        on=on,
        funded_by=funded_by,
        income=income,
        basis=basis,
        jkk=amounts["jkk"],
        jkm=amounts["jkm"],
        jht=amounts["jht"],
        discount=discount,
        total=total,
        discount_applied=applied,
        discount_reason=reason,
        discount_window=window,
        discount_source=rules.discount.source,
        # No discount when a government pays, so its share is never reduced.
        government_pays=government,
        worker_pays=total - government,
    )


def _month_starts(start: date, end: date) -> list[date]:
    days = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        days.append(date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return days


def period_total(
    income: int,
    start: date,
    end: date,
    sector: str,
    funded_by: Funder,
    rules: Rules,
    *,
    government_items: Collection[Item] = _PEMDA_PAYS,
) -> PeriodTotal:
    """Every month from `start`'s month to `end`'s month, each with its own discount status.

    The JKK and JKM of a period (what programs fund and a self-paying worker must pay); JHT,
    a worker's own choice, is not part of it.

    A month's amount is computed for its first day (for the first month, for `start`):
    the discount windows begin and end on month boundaries.
    """
    if end < start:
        raise ValueError("the period ends before it starts")
    months = tuple(
        monthly_contribution(
            income,
            max(day, start),
            sector,
            funded_by,
            False,
            rules,
            government_items=government_items,
        )
        for day in _month_starts(start, end)
    )
    return PeriodTotal(start=start, end=end, months=months)
