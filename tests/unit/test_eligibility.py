"""The eligibility verdict: who is funded, who pays themselves, who cannot join, and why."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.eligibility import (
    MESSAGE_PARAMS,
    Applicant,
    Verdict,
    age_on,
    assess,
    pending_questions,
    verdict_message,
)
from domain.errors import InputError
from domain.i18n import Catalog
from domain.nik import parse_nik
from domain.occupations import load_occupations
from domain.programs import Eligibility, ProgramSet, load_programs
from domain.regions import RegionDirectory
from domain.rules import load_rules

RULES = load_rules()
PROGRAMS = load_programs()
REGIONS = RegionDirectory.load_shipped()
CATALOG = Catalog.load_shipped()
ADDRESS = {"sapaan": "Bapak", "sapa": "Pak"}
ON = date(2026, 6, 1)  # every shipped program runs on this day


def nik(regency: str, born: date, serial: str = "0001", female: bool = False) -> str:
    """A NIK issued in `regency` ("36.04") for someone born on `born`."""
    day = born.day + (40 if female else 0)
    return f"{regency.replace('.', '')}01{day:02d}{born.month:02d}{born.year % 100:02d}{serial}"


def unknown_quota(program_id: str, quota_id: str) -> int | None:
    return None


@dataclass(frozen=True)
class Case:
    """One worker, the day they ask, and what they must be told."""

    nik_regency: str = "36.04"
    born: date = date(1980, 5, 12)
    domicile: str | None = "36.04"
    occupation: str | None = "guru_ngaji"
    on: date = ON
    occupations_count: int = 1
    income: int | None = 1_000_000
    civil_servant: bool | None = False
    already_employed: bool | None = False
    has_local_ktp: bool | None = True
    full: frozenset[tuple[str, str]] = frozenset()
    # expected
    kind: str = "funded"
    program: str | None = None
    reason: str | None = None
    amount: str | None = None
    discount_end: str | None = None
    next_step: str | None = None
    extra: dict[str, object] = field(default_factory=dict)

    def applicant(self) -> Applicant:
        parsed = parse_nik(nik(self.nik_regency, self.born), REGIONS)
        return Applicant.from_nik(
            parsed,
            self.born,
            domicile_regency=self.domicile,
            occupation=self.occupation,
            occupations_count=self.occupations_count,
            monthly_income=self.income,
            civil_servant=self.civil_servant,
            already_employed=self.already_employed,
            has_local_ktp=self.has_local_ktp,
        )

    def quota_left(self, program_id: str, quota_id: str) -> int | None:
        return 0 if (program_id, quota_id) in self.full else None


SIXTY_FIFTH = date(2026, 6, 1)  # the 65th birthday of someone born 1 June 1961

CASES: dict[str, Case] = {
    # ---- age, from the confirmed birth date, on the day asked
    "64 years and 364 days old is still funded": Case(
        born=date(1961, 6, 2), program="kabupaten-serang-2025"
    ),
    "on the 65th birthday exactly is too old": Case(
        born=date(1961, 6, 1), on=SIXTY_FIFTH, kind="not_eligible", reason="too_old"
    ),
    "65 years and 1 day old is too old": Case(
        born=date(1961, 5, 31), kind="not_eligible", reason="too_old"
    ),
    # ---- each shipped program: living inside funds, living outside does not
    "Kabupaten Serang guru ngaji living there is funded": Case(program="kabupaten-serang-2025"),
    "Kabupaten Serang NIK living in Kabupaten Tangerang pays themselves": Case(
        domicile="36.03", kind="self_paying", reason="outside_region", next_step="join_elsewhere"
    ),
    "old Kabupaten Serang NIK living in Kota Serang is funded by Kota Serang": Case(
        nik_regency="36.04", domicile="36.73", occupation="marbot", program="kota-serang-2026"
    ),
    "Kota Serang NIK living in Kabupaten Serang is judged by Kabupaten Serang": Case(
        nik_regency="36.73",
        domicile="36.04",
        occupation="marbot",
        kind="self_paying",
        reason="occupation_not_funded",
        next_step="register_self",
    ),
    "Kabupaten Tangerang NIK living in Kota Tangerang is funded": Case(
        nik_regency="36.03", domicile="36.71", occupation="ojek", program="kota-tangerang"
    ),
    "Kota Tangerang NIK living in Tangerang Selatan pays themselves": Case(
        nik_regency="36.71",
        domicile="36.74",
        occupation="ojek",
        kind="self_paying",
        reason="outside_region",
    ),
    "Kota Pekalongan trader living there is funded": Case(
        nik_regency="33.75", domicile="33.75", occupation="pedagang", program="kota-pekalongan"
    ),
    "Kota Pekalongan NIK living in Kabupaten Pekalongan pays themselves": Case(
        nik_regency="33.75",
        domicile="33.26",
        occupation="pedagang",
        kind="self_paying",
        reason="outside_region",
    ),
    "a village code of the domicile counts as its regency": Case(
        domicile="36.04.01.2001", program="kabupaten-serang-2025"
    ),
    # ---- funded and unfunded occupations
    "trader in Kabupaten Serang is not funded there": Case(
        occupation="pedagang", kind="self_paying", reason="occupation_not_funded"
    ),
    "fisher in Kota Tangerang is not funded there": Case(
        domicile="36.71", occupation="nelayan", kind="self_paying", reason="occupation_not_funded"
    ),
    # ---- civil servants, KTP
    "civil servant in Kota Serang is excluded": Case(
        domicile="36.73",
        occupation="marbot",
        civil_servant=True,
        kind="self_paying",
        reason="civil_servant",
        next_step="civil_servant",
    ),
    "civil servant in Kabupaten Serang is not excluded there": Case(
        civil_servant=True, program="kabupaten-serang-2025"
    ),
    "Kota Serang resident without a Kota Serang KTP is not funded": Case(
        domicile="36.73",
        occupation="marbot",
        has_local_ktp=False,
        kind="self_paying",
        reason="no_local_ktp",
        next_step="ask_official",
    ),
    "Kota Serang resident not asked about the KTP is not funded": Case(
        domicile="36.73",
        occupation="marbot",
        has_local_ktp=None,
        kind="self_paying",
        reason="no_local_ktp",
    ),
    "Kota Serang program before it starts": Case(
        domicile="36.73",
        occupation="marbot",
        on=date(2025, 6, 1),
        kind="self_paying",
        reason="program_not_running",
        extra={"start": "1 Januari 2026"},
    ),
    # ---- quota
    "full quota is not offered, self-paying is": Case(
        full=frozenset({("kabupaten-serang-2025", "guru_ngaji")}),
        kind="self_paying",
        reason="quota_full",
        next_step="ask_official",
    ),
    "another occupation's full quota does not matter": Case(
        full=frozenset({("kabupaten-serang-2025", "nelayan")}), program="kabupaten-serang-2025"
    ),
    "a full combined quota stops every occupation in it": Case(
        domicile="36.71",
        occupation="sopir",
        full=frozenset({("kota-tangerang", "pekerja-rentan")}),
        kind="self_paying",
        reason="quota_full",
    ),
    # ---- jobs
    "two jobs are fine": Case(occupations_count=2, program="kabupaten-serang-2025"),
    "three jobs are too many": Case(
        occupations_count=3, kind="not_eligible", reason="too_many_jobs", next_step="choose_jobs"
    ),
    # ---- discount (PP 50/2025) for self-paying workers, by date and sector
    "ojek on 31 Dec 2025 pays full and hears of the coming discount": Case(
        domicile="36.03",
        occupation="ojek",
        on=date(2025, 12, 31),
        kind="self_paying",
        amount="Rp16.800",
        next_step="discount_soon",
        extra={"discount_start": "1 Januari 2026", "discount_amount": "Rp8.400"},
    ),
    "ojek on 1 Jan 2026 pays half until 31 March 2027": Case(
        domicile="36.03",
        occupation="ojek",
        on=date(2026, 1, 1),
        kind="self_paying",
        amount="Rp8.400",
        discount_end="31 Maret 2027",
    ),
    "ojek on 31 Mar 2027 still pays half": Case(
        domicile="36.03",
        occupation="ojek",
        on=date(2027, 3, 31),
        kind="self_paying",
        amount="Rp8.400",
    ),
    "ojek on 1 Apr 2027 pays full again": Case(
        domicile="36.03",
        occupation="ojek",
        on=date(2027, 4, 1),
        kind="self_paying",
        amount="Rp16.800",
    ),
    "trader on 31 Mar 2026 pays full": Case(
        domicile="36.03",
        occupation="pedagang",
        on=date(2026, 3, 31),
        kind="self_paying",
        amount="Rp16.800",
    ),
    "trader on 1 Apr 2026 pays half until 31 December 2026": Case(
        domicile="36.03",
        occupation="pedagang",
        on=date(2026, 4, 1),
        kind="self_paying",
        amount="Rp8.400",
        discount_end="31 Desember 2026",
    ),
    "trader on 1 Apr 2027 pays full": Case(
        domicile="36.03",
        occupation="pedagang",
        on=date(2027, 4, 1),
        kind="self_paying",
        amount="Rp16.800",
    ),
    "self-paying worker inside a program region also gets the discount": Case(
        occupation="pedagang",
        on=date(2026, 4, 1),
        kind="self_paying",
        amount="Rp8.400",
        next_step="register_self",
    ),
    # ---- income
    "income below the floor pays on the floor": Case(
        domicile="36.03",
        occupation="pedagang",
        income=500_000,
        on=date(2025, 6, 1),
        kind="self_paying",
        reason="income_floor",
        amount="Rp16.800",
        extra={"income": "Rp500.000", "floor": "Rp1.000.000"},
    ),
    "income of 3 million pays 1% of it plus JKM": Case(
        domicile="36.03",
        occupation="pedagang",
        income=3_000_000,
        on=date(2025, 6, 1),
        kind="self_paying",
        amount="Rp36.800",
    ),
    "unknown income is computed on the floor": Case(
        domicile="36.03",
        occupation="pedagang",
        income=None,
        on=date(2025, 6, 1),
        kind="self_paying",
        reason="income_unknown",
        amount="Rp16.800",
    ),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_worker_gets_the_right_verdict(case: Case) -> None:
    verdict = assess(case.applicant(), PROGRAMS, RULES, case.on, case.quota_left)
    assert verdict.kind == case.kind
    assert verdict.reasons, "every verdict says why"
    if case.kind == "funded":
        assert verdict.program_id == case.program
        assert verdict.government_pays == 16_800
        assert verdict.params["amount"] == "Rp16.800"
        assert verdict.contribution is None
    else:
        assert verdict.program_id is None
    if case.reason:
        assert f"elig.reason.{case.reason}" in verdict.reasons
    if case.next_step:
        assert f"elig.next.{case.next_step}" in verdict.next_steps
    if case.amount:
        assert verdict.params["amount"] == case.amount
    shown = verdict.message_params("id")
    if case.discount_end:
        assert verdict.headline == "elig.verdict.self_paying_discount"
        assert shown["discount_end"] == case.discount_end
        assert shown["normal_amount"] == "Rp16.800"
    for name, value in case.extra.items():
        assert shown[name] == value
    for lang in ("id", "en"):
        assert verdict_message(verdict, CATALOG, lang, ADDRESS)


def test_funded_worker_is_told_the_program_pays_and_who_checks() -> None:
    verdict = assess(Case().applicant(), PROGRAMS, RULES, ON, unknown_quota)
    text = verdict_message(verdict, CATALOG, "id", ADDRESS)
    assert "ditanggung Pemerintah Kabupaten Serang sampai 31 Desember 2026" in text
    assert "Rp16.800 sebulan" in text
    assert "Dinas Ketenagakerjaan Kabupaten Serang" in text
    assert verdict.registration_offered


def test_funded_worker_hears_what_the_program_covers_until_its_end() -> None:
    # Kota Serang pays Rp16.800 a month to 31 December 2026: June to December is 7 months.
    case = Case(domicile="36.73", occupation="marbot")
    verdict = assess(case.applicant(), PROGRAMS, RULES, date(2026, 6, 1), unknown_quota)
    text = verdict_message(verdict, CATALOG, "id", ADDRESS)
    assert "ditanggung Pemerintah Kota Serang sampai 31 Desember 2026" in text
    assert "Rp16.800 sebulan, senilai Rp117.600 per peserta" in text
    assert "until 31 December 2026</b>: Rp16.800 a month, worth Rp117.600" in verdict_message(
        verdict, CATALOG, "en", ADDRESS
    )
    assert verdict.covered is not None and verdict.covered.government_pays == 7 * 16_800


def test_an_estimated_program_end_is_said_to_be_an_estimate_without_a_total() -> None:
    # Kabupaten Serang's end date is our assumption (`estimated: [period]`).
    verdict = assess(Case().applicant(), PROGRAMS, RULES, ON, unknown_quota)
    text = verdict_message(verdict, CATALOG, "id", ADDRESS)
    assert "sampai 31 Desember 2026</b> (perkiraan): Rp16.800 sebulan." in text
    assert "per peserta" not in text
    assert verdict.covered is None


def test_a_self_paying_worker_hears_the_year_total_when_a_discount_changes_the_amount() -> None:
    # A trader pays Rp8.400 from April to December 2026, then Rp16.800 from January 2027.
    case = CASES["trader on 1 Apr 2026 pays half until 31 December 2026"]
    verdict = assess(case.applicant(), PROGRAMS, RULES, case.on, unknown_quota)
    text = verdict_message(verdict, CATALOG, "id", ADDRESS)
    assert "Iuran 12 bulan ke depan totalnya Rp126.000." in text
    assert "The next 12 months come to Rp126.000" in verdict_message(
        verdict, CATALOG, "en", ADDRESS
    )


def test_a_self_paying_worker_paying_the_same_every_month_hears_no_year_total() -> None:
    case = CASES["ojek on 1 Jan 2026 pays half until 31 March 2027"]
    verdict = assess(case.applicant(), PROGRAMS, RULES, case.on, unknown_quota)
    assert "elig.next.year_total" not in verdict.next_steps
    assert "12 bulan" not in verdict_message(verdict, CATALOG, "id", ADDRESS)


def test_kota_serang_worker_is_reminded_of_the_kelurahan_letter() -> None:
    case = Case(domicile="36.73", occupation="marbot")
    verdict = assess(case.applicant(), PROGRAMS, RULES, ON, unknown_quota)
    assert "elig.next.documents" in verdict.next_steps
    assert "kelurahan" in verdict_message(verdict, CATALOG, "id", ADDRESS)


def test_discounted_price_shows_normal_price_and_end_date() -> None:
    case = CASES["ojek on 1 Jan 2026 pays half until 31 March 2027"]
    verdict = assess(case.applicant(), PROGRAMS, RULES, case.on, unknown_quota)
    text = verdict_message(verdict, CATALOG, "id", ADDRESS)
    assert "<b>Rp8.400 sebulan</b>" in text
    assert "biasanya Rp16.800, sampai 31 Maret 2027" in text
    assert "31 March 2027" in verdict_message(verdict, CATALOG, "en", ADDRESS)


def test_living_outside_every_program_is_not_refused_and_says_how_to_join() -> None:
    case = CASES["Kabupaten Serang NIK living in Kabupaten Tangerang pays themselves"]
    verdict = assess(case.applicant(), PROGRAMS, RULES, ON, unknown_quota)
    assert verdict.kind == "self_paying"
    assert not verdict.registration_offered
    text = verdict_message(verdict, CATALOG, "id", ADDRESS)
    assert "JMO" in text and "175" in text


def test_too_old_worker_hears_age_and_limit() -> None:
    case = CASES["65 years and 1 day old is too old"]
    verdict = assess(case.applicant(), PROGRAMS, RULES, ON, unknown_quota)
    assert verdict.params == {"age": 65, "limit": 65}
    assert "usia Bapak 65 tahun" in verdict_message(verdict, CATALOG, "id", ADDRESS)


def test_quota_with_places_left_is_offered() -> None:
    verdict = assess(Case().applicant(), PROGRAMS, RULES, ON, lambda program, quota: 1)
    assert verdict.kind == "funded"


def test_quota_is_looked_up_by_program_and_quota_id() -> None:
    asked: list[tuple[str, str]] = []

    def quota_left(program: str, quota: str) -> int | None:
        asked.append((program, quota))
        return None

    case = Case(domicile="36.73", occupation="marbot")
    assess(case.applicant(), PROGRAMS, RULES, ON, quota_left)
    assert asked == [("kota-serang-2026", "pekerja-rentan")]


def test_program_that_excludes_wage_workers_turns_them_to_their_employer() -> None:
    base = PROGRAMS.get("kabupaten-serang-2025")
    assert base is not None
    strict = base.model_copy(update={"eligibility": Eligibility(already_employed_allowed=False)})
    programs = ProgramSet([strict])
    employed = Case(already_employed=True).applicant()
    verdict = assess(employed, programs, RULES, ON, unknown_quota)
    assert verdict.kind == "self_paying"
    assert verdict.reasons[0] == "elig.reason.already_employed"
    assert "elig.next.employer" in verdict.next_steps
    assert assess(Case().applicant(), programs, RULES, ON, unknown_quota).kind == "funded"


def test_only_needed_questions_are_asked() -> None:
    kota_serang = Case(domicile="36.73", occupation="marbot").applicant()
    unasked = Applicant(
        kota_serang.birth_date,
        kota_serang.gender,
        kota_serang.nik_regency,
        "36.73",
        "marbot",
    )
    pending = pending_questions(unasked, PROGRAMS, ON)
    assert [q.field for q in pending] == ["civil_servant", "has_local_ktp"]
    assert pending[1].params == {"program": "Kota Serang"}
    kabupaten = Applicant(date(1980, 5, 12), "male", "36.04", "36.04", "guru_ngaji")
    assert pending_questions(kabupaten, PROGRAMS, ON) == ()
    outside = Applicant(date(1980, 5, 12), "male", "36.73", "36.03", "marbot")
    assert pending_questions(outside, PROGRAMS, ON) == ()


def test_confirmed_birth_date_must_match_the_nik() -> None:
    parsed = parse_nik(nik("36.04", date(1980, 5, 12)), REGIONS)
    with pytest.raises(InputError):
        Applicant.from_nik(parsed, date(1980, 5, 13), domicile_regency="36.04", occupation=None)


def test_woman_from_the_nik_is_recorded_as_female() -> None:
    born = date(1990, 3, 7)
    parsed = parse_nik(nik("36.04", born, female=True), REGIONS)
    applicant = Applicant.from_nik(parsed, born, domicile_regency="36.04", occupation="petani")
    assert applicant.gender == "female"


def test_missing_domicile_or_occupation_still_gets_an_answer() -> None:
    nowhere = Applicant(date(1980, 5, 12), "male", "36.04", None, "guru_ngaji")
    verdict = assess(nowhere, PROGRAMS, RULES, ON, unknown_quota)
    assert verdict.reasons[0] == "elig.reason.domicile_unknown"
    no_job = Applicant(date(1980, 5, 12), "male", "36.04", "36.04", None)
    verdict = assess(no_job, PROGRAMS, RULES, ON, unknown_quota)
    assert verdict.reasons[0] == "elig.reason.occupation_unknown"


def test_age_counts_whole_years_and_leap_day_birthdays() -> None:
    assert age_on(date(1961, 6, 1), date(2026, 5, 31)) == 64
    assert age_on(date(1961, 6, 1), date(2026, 6, 1)) == 65
    assert age_on(date(1960, 2, 29), date(2025, 2, 28)) == 64
    assert age_on(date(1960, 2, 29), date(2025, 3, 1)) == 65


# ---------------------------------------------------------------- properties

OCCUPATIONS = [o.id for o in load_occupations()] + [None]
DOMICILES = ["36.04", "36.73", "36.71", "33.75", "36.03", "36.74", "33.26", "11.01", None]


@st.composite
def applicants(draw: st.DrawFn) -> tuple[Applicant, date]:
    on = draw(st.dates(date(2023, 1, 1), date(2028, 12, 31)))
    born = draw(st.dates(date(1930, 1, 1), on - timedelta(days=17 * 365)))
    applicant = Applicant(
        birth_date=born,
        gender=draw(st.sampled_from(["male", "female"])),
        nik_regency=draw(st.sampled_from(DOMICILES)),
        domicile_regency=draw(st.sampled_from(DOMICILES)),
        occupation=draw(st.sampled_from(OCCUPATIONS)),
        occupations_count=draw(st.integers(1, 4)),
        monthly_income=draw(st.none() | st.integers(0, 50_000_000)),
        civil_servant=draw(st.none() | st.booleans()),
        already_employed=draw(st.none() | st.booleans()),
        has_local_ktp=draw(st.none() | st.booleans()),
    )
    return applicant, on


@settings(max_examples=300, deadline=None)
@given(applicants(), st.none() | st.integers(0, 3))
def test_nobody_65_or_older_is_funded_and_every_verdict_says_why(
    drawn: tuple[Applicant, date], left: int | None
) -> None:
    applicant, on = drawn
    verdict: Verdict = assess(applicant, PROGRAMS, RULES, on, lambda p, q: left)
    assert applicant.birth_date is not None
    if age_on(applicant.birth_date, on) >= RULES.participant.age_limit.value:
        assert verdict.kind == "not_eligible"
    if left == 0:
        assert verdict.kind != "funded"
    assert verdict.reasons
    assert set(verdict.reasons) | set(verdict.next_steps) <= set(MESSAGE_PARAMS)
    for lang in ("id", "en"):
        text = verdict_message(verdict, CATALOG, lang, ADDRESS)
        assert "{" not in text


@settings(max_examples=100, deadline=None)
@given(applicants())
def test_region_is_never_decided_by_the_nik(drawn: tuple[Applicant, date]) -> None:
    applicant, on = drawn
    other = Applicant(**{**applicant.__dict__, "nik_regency": "36.04"})
    first = assess(applicant, PROGRAMS, RULES, on, unknown_quota)
    assert first == assess(other, PROGRAMS, RULES, on, unknown_quota)


@settings(max_examples=200, deadline=None)
@given(applicants())
def test_totals_are_shown_only_where_they_add_something(drawn: tuple[Applicant, date]) -> None:
    applicant, on = drawn
    verdict = assess(applicant, PROGRAMS, RULES, on, unknown_quota)
    if verdict.year_ahead is not None:
        # Only when the amount changes within the year: else it is 12 times the monthly one.
        assert verdict.contribution is not None
        assert len(verdict.year_ahead.months) == 12
        assert verdict.year_ahead.worker_pays != 12 * verdict.contribution.worker_pays
    assert ("elig.next.year_total" in verdict.next_steps) == (verdict.year_ahead is not None)
    if verdict.covered is not None:
        assert verdict.government_pays is not None
        months = len(verdict.covered.months)
        assert verdict.covered.government_pays == months * verdict.government_pays
        program = PROGRAMS.get(str(verdict.program_id))
        assert program is not None and verdict.covered.end == program.period.end
