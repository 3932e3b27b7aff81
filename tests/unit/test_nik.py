"""What a worker notices when typing a NIK: which numbers are taken, and why others are refused."""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import ConversationError, InputError
from domain.nik import Nik, check_agreement, parse_nik
from domain.regions import RegionDirectory

REGIONS = RegionDirectory.load_shipped()
REGENCIES = sorted(region.code for region in REGIONS if region.level == 2)
DIGITS = "0123456789"
BULLET = "\u2022"


def make_nik(regency: str, born: date, gender: str, serial: int, district: str = "01") -> str:
    day = born.day + (40 if gender == "female" else 0)
    birth = f"{day:02d}{born.month:02d}{born.year % 100:02d}"
    return f"{regency.replace('.', '')}{district}{birth}{serial:04d}"


def refusal(text: str) -> InputError:
    with pytest.raises(InputError) as caught:
        parse_nik(text, REGIONS)
    return caught.value


valid_niks = st.builds(
    make_nik,
    regency=st.sampled_from(REGENCIES),
    born=st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31)),
    gender=st.sampled_from(["male", "female"]),
    serial=st.integers(min_value=1, max_value=9999),
    district=st.integers(min_value=0, max_value=99).map("{:02d}".format),
)
separators = st.text(alphabet=" .-", max_size=2)


# --- examples -----------------------------------------------------------------------------


def test_a_man_born_12_may_1980_in_kabupaten_serang_is_read_correctly() -> None:
    nik = parse_nik("3604011205800001", REGIONS)

    assert (nik.province, nik.regency, nik.district) == ("36", "36.04", "36.04.01")
    assert (nik.day, nik.month, nik.yy, nik.gender, nik.serial) == (12, 5, 80, "male", "0001")
    assert nik.birth_date_candidates(today=date(2025, 6, 1)) == [date(1980, 5, 12)]
    assert nik.agrees_with(date(1980, 5, 12), "male")


def test_a_woman_has_40_added_to_her_birth_day() -> None:
    nik = parse_nik("3604015205800001", REGIONS)

    assert (nik.day, nik.month, nik.yy, nik.gender) == (12, 5, 80, "female")
    assert nik.agrees_with(date(1980, 5, 12), "female")
    assert not nik.agrees_with(date(1980, 5, 12), "male")


@pytest.mark.parametrize(
    "typed",
    [
        "3604 0112 0580 0001",
        "3604.0112.0580.0001",
        "3604-0112-0580-0001",
        "  3604011205800001\n",
        "36 04 01 120580 0001",
        "3604\u201301120580\u20140001",
    ],
)
def test_nik_typed_with_spaces_dots_or_dashes_is_accepted(typed: str) -> None:
    assert parse_nik(typed, REGIONS).digits == "3604011205800001"


def test_nik_with_15_digits_is_refused_saying_how_many_were_typed() -> None:
    error = refusal("360401120580001")
    assert (error.code, error.params) == ("nik.length", {"got": 15})


def test_nik_with_17_digits_is_refused_saying_how_many_were_typed() -> None:
    error = refusal("3604 0112 0580 00012")
    assert (error.code, error.params) == ("nik.length", {"got": 17})


@pytest.mark.parametrize("typed", ["36040112058O0001", "NIK 3604011205800001", "3604/0112/0580"])
def test_nik_with_letters_or_other_signs_is_refused_as_not_digits(typed: str) -> None:
    error = refusal(typed)
    assert (error.code, error.params) == ("nik.not_digits", {})


def test_nik_in_arabic_indic_digits_is_refused_as_not_digits() -> None:
    assert refusal("٣٦٠٤٠١١٢٠٥٨٠٠٠٠١").code == "nik.not_digits"


def test_empty_answer_is_refused_as_zero_digits() -> None:
    error = refusal("   ")
    assert (error.code, error.params) == ("nik.length", {"got": 0})


def test_unknown_province_is_refused_naming_its_code() -> None:
    error = refusal("9904011205800001")
    assert (error.code, error.params) == ("nik.province", {"code": "99"})


def test_unknown_regency_is_refused_naming_its_code() -> None:
    error = refusal("3699011205800001")
    assert (error.code, error.params) == ("nik.regency", {"code": "36.99"})


@pytest.mark.parametrize("day", ["00", "32", "40", "72", "99"])
def test_birth_day_outside_1_to_31_and_41_to_71_is_refused(day: str) -> None:
    assert refusal(f"360401{day}05800001").code == "nik.day"


@pytest.mark.parametrize("month", ["00", "13", "99"])
def test_birth_month_outside_1_to_12_is_refused(month: str) -> None:
    assert refusal(f"36040112{month}800001").code == "nik.month"


@pytest.mark.parametrize("day_month", ["3002", "3102", "7102", "3104", "3106", "3109", "3111"])
def test_a_date_that_exists_in_no_year_is_refused(day_month: str) -> None:
    assert refusal(f"360401{day_month}800001").code == "nik.date"


def test_29_february_is_accepted_only_for_a_leap_year() -> None:
    assert parse_nik("3604012902840001", REGIONS).day == 29
    assert parse_nik("3604016902000001", REGIONS).gender == "female"  # 2000 is a leap year
    assert refusal("3604012902810001").code == "nik.date"


def test_29_february_00_means_2000_not_1900() -> None:
    nik = parse_nik("3604012902000001", REGIONS)
    assert nik.birth_date_candidates(today=date(2025, 1, 1)) == [date(2000, 2, 29)]


def test_serial_0000_is_refused() -> None:
    assert refusal("3604011205800000").code == "nik.serial"


def test_the_first_problem_is_reported_in_the_documented_order() -> None:
    assert refusal("99999999999999").code == "nik.length"
    assert refusal("0099999999990000").code == "nik.province"
    assert refusal("3699999999990000").code == "nik.regency"
    assert refusal("3604019999990000").code == "nik.day"
    assert refusal("3604013199990000").code == "nik.month"
    assert refusal("3604013102990000").code == "nik.date"


def test_nik_from_kabupaten_serang_is_valid_for_someone_living_in_kota_serang() -> None:
    # 36.04.01 (Serang) moved to Kota Serang 36.73 in 2007: old cards keep the parent's code.
    assert "36.04.01" not in REGIONS
    nik = parse_nik("3604011205800001", REGIONS)
    assert nik.regency == "36.04"
    assert nik.district == "36.04.01"


def test_masked_nik_shows_first_and_last_four_digits_only() -> None:
    nik = parse_nik("3604011205800001", REGIONS)
    assert nik.masked() == "3604" + BULLET * 8 + "0001"


def test_repr_of_a_nik_never_shows_the_whole_number() -> None:
    nik = parse_nik("3604011205800001", REGIONS)
    assert "3604011205800001" not in repr(nik)
    assert "01120580" not in repr(nik)
    assert "01120580" not in str(nik)


def test_birth_date_candidates_offer_both_centuries_when_both_ages_are_possible() -> None:
    nik = parse_nik("3604011205100001", REGIONS)  # 12-05-10: aged 15 or 115 in June 2025
    assert nik.birth_date_candidates(today=date(2025, 6, 1)) == [
        date(2010, 5, 12),
        date(1910, 5, 12),
    ]
    assert nik.birth_date_candidates(today=date(2025, 6, 1), max_age=114) == [date(2010, 5, 12)]


def test_birth_date_after_today_is_not_offered() -> None:
    nik = parse_nik("3604011205250001", REGIONS)
    assert nik.birth_date_candidates(today=date(2025, 5, 11)) == [date(1925, 5, 12)]
    assert nik.birth_date_candidates(today=date(2025, 5, 12)) == [
        date(2025, 5, 12),
        date(1925, 5, 12),
    ]


def test_confirmed_birth_date_that_differs_from_the_nik_is_refused_showing_both() -> None:
    nik = parse_nik("3604011205800001", REGIONS)
    with pytest.raises(InputError) as caught:
        check_agreement(nik, date(1980, 5, 13), "male")
    assert caught.value.code == "nik.mismatch_date"
    assert caught.value.params == {"nik_date": "12-05-80", "given": "13-05-1980"}


def test_confirmed_gender_that_differs_from_the_nik_is_refused() -> None:
    nik = parse_nik("3604015205800001", REGIONS)
    with pytest.raises(InputError) as caught:
        check_agreement(nik, date(1980, 5, 12), "male")
    assert (caught.value.code, caught.value.params) == ("nik.mismatch_gender", {})


def test_confirmed_birth_date_and_gender_that_match_are_accepted() -> None:
    nik = parse_nik("3604015205800001", REGIONS)
    check_agreement(nik, date(1980, 5, 12), "female")


def test_input_error_text_never_carries_the_answer() -> None:
    error = InputError("nik.mismatch_date", nik_date="12-05-80", given="13-05-1980")
    assert isinstance(error, ConversationError)
    assert str(error) == "nik.mismatch_date"
    assert "1980" not in repr(error)


# --- properties ---------------------------------------------------------------------------


@given(
    regency=st.sampled_from(REGENCIES),
    born=st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31)),
    gender=st.sampled_from(["male", "female"]),
    serial=st.integers(min_value=1, max_value=9999),
)
def test_any_well_formed_nik_is_accepted_and_gives_back_its_date_and_gender(
    regency: str, born: date, gender: str, serial: int
) -> None:
    nik = parse_nik(make_nik(regency, born, gender, serial), REGIONS)

    assert (nik.day, nik.month, nik.yy) == (born.day, born.month, born.year % 100)
    assert nik.gender == gender
    assert nik.regency == regency
    assert nik.serial == f"{serial:04d}"
    assert nik.agrees_with(born, gender)
    check_agreement(nik, born, gender)
    assert born in nik.birth_date_candidates(today=date(2100, 1, 1), max_age=250)


@given(born=st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31)))
def test_any_woman_nik_carries_her_day_plus_40(born: date) -> None:
    text = make_nik("36.73", born, "female", 1)
    assert int(text[6:8]) == born.day + 40
    nik = parse_nik(text, REGIONS)
    assert (nik.day, nik.gender) == (born.day, "female")


@given(nik=valid_niks, data=st.data())
def test_separators_anywhere_between_digits_do_not_change_the_nik(
    nik: str, data: st.DataObject
) -> None:
    pieces = [data.draw(separators) + digit for digit in nik]
    typed = "".join(pieces) + data.draw(separators)
    assert parse_nik(typed, REGIONS).digits == nik


not_a_digit_or_separator = st.characters(
    categories=("L", "N", "P", "S"), exclude_characters=DIGITS + ".\u2212"
).filter(lambda char: unicodedata.category(char) != "Pd")


@given(
    before=st.text(alphabet=DIGITS + " .-", max_size=20),
    bad=not_a_digit_or_separator,
    after=st.text(alphabet=DIGITS + " .-", max_size=20),
)
def test_any_answer_with_a_letter_or_sign_is_refused_as_not_digits(
    before: str, bad: str, after: str
) -> None:
    error = refusal(before + bad + after)
    assert (error.code, error.params) == ("nik.not_digits", {})


@given(st.text(alphabet=DIGITS, max_size=40).filter(lambda digits: len(digits) != 16))
def test_any_number_of_digits_but_16_is_refused_saying_how_many(digits: str) -> None:
    error = refusal(digits)
    assert (error.code, error.params) == ("nik.length", {"got": len(digits)})


@given(
    regency=st.sampled_from(REGENCIES),
    day_month=st.sampled_from([(30, 2), (31, 2), (31, 4), (31, 6), (31, 9), (31, 11)]),
    yy=st.integers(min_value=0, max_value=99),
    female=st.booleans(),
)
def test_any_date_that_exists_in_no_year_is_refused(
    regency: str, day_month: tuple[int, int], yy: int, female: bool
) -> None:
    day, month = day_month
    encoded = day + (40 if female else 0)
    assert refusal(f"{regency.replace('.', '')}01{encoded:02d}{month:02d}{yy:02d}0001").code == (
        "nik.date"
    )


@given(yy=st.integers(min_value=0, max_value=99), female=st.booleans())
def test_29_february_is_refused_exactly_when_19yy_and_20yy_are_not_leap_years(
    yy: int, female: bool
) -> None:
    text = f"360401{29 + (40 if female else 0)}02{yy:02d}0001"
    if yy % 4 == 0:
        assert parse_nik(text, REGIONS).day == 29
    else:
        assert refusal(text).code == "nik.date"


@given(nik=valid_niks)
def test_any_nik_with_serial_0000_is_refused(nik: str) -> None:
    assert refusal(nik[:12] + "0000").code == "nik.serial"


@given(
    province=st.sampled_from(["00", "99"]), rest=st.text(alphabet=DIGITS, min_size=14, max_size=14)
)
def test_any_nik_from_province_00_or_99_is_refused(province: str, rest: str) -> None:
    error = refusal(province + rest)
    assert (error.code, error.params) == ("nik.province", {"code": province})


@given(nik=valid_niks)
def test_masked_form_never_contains_the_middle_eight_digits(nik: str) -> None:
    parsed = parse_nik(nik, REGIONS)
    assert parsed.masked() == nik[:4] + BULLET * 8 + nik[-4:]
    assert nik[4:12] not in parsed.masked()
    assert nik[4:12] not in repr(parsed)


@given(
    nik=valid_niks,
    today=st.dates(min_value=date(1900, 1, 1), max_value=date(2150, 12, 31)),
    max_age=st.integers(min_value=0, max_value=150),
)
def test_birth_date_candidates_are_never_in_the_future_nor_too_old(
    nik: str, today: date, max_age: int
) -> None:
    parsed: Nik = parse_nik(nik, REGIONS)
    candidates = parsed.birth_date_candidates(today=today, max_age=max_age)

    assert candidates == sorted(candidates, reverse=True)
    for born in candidates:
        assert born <= today
        assert 1900 <= born.year <= 2099
        assert today.year - born.year - ((today.month, today.day) < (born.month, born.day)) <= (
            max_age
        )
        assert (born.day, born.month, born.year % 100) == (parsed.day, parsed.month, parsed.yy)


@given(
    regency=st.sampled_from(["36.04", "36.73", "36.03", "36.74"]),
    district=st.integers(min_value=0, max_value=99).map("{:02d}".format),
)
def test_region_of_the_nik_is_never_a_reason_to_refuse(regency: str, district: str) -> None:
    nik = parse_nik(make_nik(regency, date(1980, 5, 12), "male", 1, district), REGIONS)
    assert nik.district == f"{regency}.{district}"
