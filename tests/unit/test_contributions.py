"""Monthly contributions, the PP 50/2025 discount, and the rules they come from."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel

from domain.contributions import (
    Contribution,
    DiscountReason,
    Funder,
    monthly_contribution,
    period_total,
)
from domain.errors import FlowDefinitionError
from domain.rules import load_rules

RULES = load_rules()
BEFORE_ANY_DISCOUNT = date(2025, 6, 1)


def month(
    income: int = 1_000_000,
    on: date = BEFORE_ANY_DISCOUNT,
    sector: str = "other",
    funded_by: Funder = "self",
    include_jht: bool = False,
) -> Contribution:
    return monthly_contribution(income, on, sector, funded_by, include_jht, RULES)


# ---------------------------------------------------------------- amounts


def test_minimum_basis_costs_16800_a_month() -> None:
    c = month()
    assert (c.jkk, c.jkm, c.jht, c.total) == (10_000, 6_800, 0, 16_800)


def test_minimum_basis_with_jht_costs_36800_a_month() -> None:
    c = month(include_jht=True)
    assert (c.jht, c.total) == (20_000, 36_800)


def test_income_below_the_floor_pays_on_the_floor() -> None:
    c = month(income=400_000)
    assert c.basis == 1_000_000
    assert c.total == 16_800


def test_income_of_three_million_pays_30000_jkk() -> None:
    assert month(income=3_000_000).jkk == 30_000


def test_jkk_stops_at_207000_however_high_the_income() -> None:
    assert month(income=20_700_000).jkk == 207_000
    assert month(income=20_750_000).jkk == 207_000
    assert month(income=90_000_000).jkk == 207_000


def test_jkk_is_rounded_to_the_nearest_rupiah_halves_up() -> None:
    assert month(income=1_234_550).jkk == 12_346
    assert month(income=1_234_549).jkk == 12_345


def test_negative_income_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="negative"):
        month(income=-1)


# ---------------------------------------------------------------- the PP 50/2025 discount


def test_ojek_driver_paying_himself_gets_half_off_on_1_january_2026() -> None:
    c = month(on=date(2026, 1, 1), sector="transport")
    assert c.discount_applied
    assert c.discount_reason is DiscountReason.APPLIED
    assert (c.discount, c.total) == (8_400, 8_400)
    assert c.discount_source == "PP 50/2025"


def test_ojek_driver_pays_full_on_31_december_2025() -> None:
    c = month(on=date(2025, 12, 31), sector="transport")
    assert not c.discount_applied
    assert c.discount_reason is DiscountReason.NOT_STARTED
    assert c.total == 16_800


def test_trader_is_not_discounted_on_31_march_2026() -> None:
    c = month(on=date(2026, 3, 31), sector="other")
    assert not c.discount_applied
    assert c.discount_reason is DiscountReason.NOT_STARTED
    assert c.discount_window is not None
    assert c.discount_window.start == date(2026, 4, 1)


def test_trader_is_discounted_from_1_april_2026() -> None:
    c = month(on=date(2026, 4, 1), sector="other")
    assert c.discount_applied
    assert c.total == 8_400


def test_trader_is_discounted_until_31_december_2026() -> None:
    assert month(on=date(2026, 12, 31), sector="other").discount_applied


def test_on_1_january_2027_only_transport_is_discounted() -> None:
    assert month(on=date(2027, 1, 1), sector="transport").discount_applied
    trader = month(on=date(2027, 1, 1), sector="other")
    assert not trader.discount_applied
    assert trader.discount_reason is DiscountReason.ENDED


def test_transport_discount_lasts_until_31_march_2027() -> None:
    assert month(on=date(2027, 3, 31), sector="transport").discount_applied


def test_on_1_april_2027_nobody_is_discounted() -> None:
    for sector in ("transport", "other"):
        c = month(on=date(2027, 4, 1), sector=sector)
        assert not c.discount_applied
        assert c.discount_reason is DiscountReason.ENDED


def test_sector_without_its_own_window_follows_the_other_sectors() -> None:
    assert month(on=date(2026, 4, 1), sector="fisheries").discount_applied
    assert not month(on=date(2026, 3, 1), sector="fisheries").discount_applied


@pytest.mark.parametrize("funded_by", ["apbd", "apbn"])
def test_government_funded_worker_is_never_discounted(funded_by: Funder) -> None:
    for on in (date(2026, 1, 1), date(2026, 6, 1), date(2027, 2, 1)):
        c = month(on=on, sector="transport", funded_by=funded_by)
        assert not c.discount_applied
        assert c.discount_reason is DiscountReason.GOVERNMENT_FUNDED
        assert c.total == 16_800


def test_apbd_funded_worker_pays_nothing_and_the_government_pays_16800() -> None:
    c = month(funded_by="apbd")
    assert (c.government_pays, c.worker_pays) == (16_800, 0)


def test_apbd_funded_worker_who_adds_jht_pays_the_jht_himself() -> None:
    c = month(funded_by="apbd", include_jht=True)
    assert (c.government_pays, c.worker_pays) == (16_800, 20_000)


def test_self_paying_worker_pays_everything() -> None:
    c = month(on=date(2026, 6, 1), include_jht=True)
    assert (c.government_pays, c.worker_pays) == (0, c.total)


def test_jht_is_never_discounted() -> None:
    c = month(on=date(2026, 6, 1), include_jht=True)
    assert c.discount_applied
    assert (c.jht, c.discount, c.total) == (20_000, 8_400, 28_400)


# ---------------------------------------------------------------- a program period


def test_period_total_gives_each_month_its_own_discount() -> None:
    total = period_total(
        1_000_000, date(2025, 11, 1), date(2026, 2, 28), "transport", "self", RULES
    )
    assert [m.total for m in total.months] == [16_800, 16_800, 8_400, 8_400]
    assert (total.total, total.discount, total.discounted_months) == (50_400, 16_800, 2)


def test_a_year_of_an_apbd_program_costs_201600_per_worker() -> None:
    total = period_total(
        1_000_000, date(2026, 1, 1), date(2026, 12, 31), "transport", "apbd", RULES
    )
    assert len(total.months) == 12
    assert (total.total, total.government_pays, total.worker_pays) == (201_600, 201_600, 0)


def test_period_counts_the_months_of_start_and_end_inclusive() -> None:
    total = period_total(1_000_000, date(2025, 12, 15), date(2026, 1, 10), "other", "self", RULES)
    assert [m.on for m in total.months] == [date(2025, 12, 15), date(2026, 1, 1)]


def test_period_ending_before_it_starts_is_refused() -> None:
    with pytest.raises(ValueError, match="ends before"):
        period_total(1_000_000, date(2026, 2, 1), date(2026, 1, 1), "other", "self", RULES)


# ---------------------------------------------------------------- properties

incomes = st.integers(min_value=0, max_value=100_000_000)
days = st.dates(min_value=date(2025, 1, 1), max_value=date(2028, 12, 31))
sectors = st.sampled_from(["transport", "other"])
funders = st.sampled_from(["self", "apbd", "apbn"])


@given(incomes, days, sectors, funders, st.booleans())
def test_total_is_the_items_less_the_discount_and_never_negative(
    income: int, on: date, sector: str, funded_by: Funder, include_jht: bool
) -> None:
    c = month(income, on, sector, funded_by, include_jht)
    assert c.total == c.jkk + c.jkm + c.jht - c.discount
    assert min(c.jkk, c.jkm, c.jht, c.discount, c.total, c.worker_pays, c.government_pays) >= 0
    assert c.government_pays + c.worker_pays == c.total


@given(incomes, incomes, days, sectors, funders, st.booleans())
def test_a_higher_income_never_pays_less(
    a: int, b: int, on: date, sector: str, funded_by: Funder, include_jht: bool
) -> None:
    low, high = sorted((a, b))
    assert month(low, on, sector, funded_by, include_jht).total <= (
        month(high, on, sector, funded_by, include_jht).total
    )


# ---------------------------------------------------------------- the rules file


def _facts(model: BaseModel) -> list[BaseModel]:
    found = []
    for name in type(model).model_fields:
        value = getattr(model, name)
        values = value if isinstance(value, tuple) else (value,)
        for item in values:
            if isinstance(item, BaseModel):
                found += [item, *_facts(item)]
    return found


def test_every_rule_value_names_its_legal_source() -> None:
    facts = [f for f in _facts(RULES) if "value" in type(f).model_fields]
    assert len(facts) > 25
    for fact in facts:
        assert getattr(fact, "source", "").strip(), fact


def test_rules_hold_the_domain_numbers() -> None:
    p, c, b = RULES.participant, RULES.contributions, RULES.benefits
    assert (p.age_limit.value, p.max_occupations.value, p.income_floor.value) == (65, 2, 1_000_000)
    assert p.inactive_after_unpaid_months.value == 3
    assert p.already_employed.unsettled
    assert (c.jkk_cap.value, c.jkm.value) == (207_000, 6_800)
    assert (c.jkk_rate.value, c.jht_rate.value) == (Decimal(1), Decimal(2))
    assert c.income_brackets.rows == ()
    assert RULES.discount.rate.value == 50
    assert set(RULES.discount.not_for_funders) == {"apbd", "apbn"}
    assert "jht" not in RULES.discount.applies_to
    assert b.jkm.total.value == 42_000_000
    assert (b.scholarship.max_children.value, b.scholarship.max_total.value) == (2, 174_000_000)
    assert (b.jkk.total_disability_multiple.value, b.jkk.work_death_multiple.value) == (56, 48)
    assert b.claim_lapse_years.value == 5


def test_rules_file_whose_minimum_contradicts_the_rates_is_refused(tmp_path: Path) -> None:
    shipped = Path(__file__).parents[2] / "domain" / "data" / "rules.yaml"
    data = yaml.safe_load(shipped.read_text(encoding="utf-8"))
    data["contributions"]["minimum_jkk_jkm"]["value"] = 17_000
    broken = tmp_path / "rules.yaml"
    broken.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(
        FlowDefinitionError, match="minimum_jkk_jkm is 17000 but the rates give 16800"
    ):
        load_rules(broken)


def test_income_brackets_decide_the_basis_once_filled_in(tmp_path: Path) -> None:
    shipped = Path(__file__).parents[2] / "domain" / "data" / "rules.yaml"
    data = yaml.safe_load(shipped.read_text(encoding="utf-8"))
    data["contributions"]["income_brackets"]["rows"] = [
        {"min_income": 0, "max_income": 1_499_999, "basis": 1_000_000},
        {"min_income": 1_500_000, "max_income": None, "basis": 2_000_000},
    ]
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    rules = load_rules(path)
    c = monthly_contribution(1_700_000, BEFORE_ANY_DISCOUNT, "other", "self", False, rules)
    assert (c.basis, c.jkk) == (2_000_000, 20_000)
