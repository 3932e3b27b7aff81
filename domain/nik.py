"""The NIK (Nomor Induk Kependudukan), the 16-digit number on a KTP.

Layout ``PP KK CC DDMMYY SSSS``: province, regency/city, district, date of birth (for women
the day plus 40, so 41-71) and a serial. The year has two digits: the century comes from the
date of birth the worker confirms, never from a guess (:meth:`Nik.agrees_with`).

The region in a NIK is where the card was first issued. Regions split and people move, so a
NIK is never refused because its region differs from where the worker lives, and an unknown
*district* is not an error (districts are created and renumbered); only the province and
regency/city are checked.

A NIK is personal data: never log it. ``repr(nik)`` and ``str(nik)`` show it masked.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from typing import Literal

from domain.errors import InputError
from domain.regions import RegionDirectory, nik_prefix_to_codes

__all__ = ["NIK_LENGTH", "Gender", "Nik", "check_agreement", "is_separator", "parse_nik"]

Gender = Literal["male", "female"]

NIK_LENGTH = 16
FEMALE_DAY_OFFSET = 40
MASK = "\u2022" * 8  # eight bullets in place of digits 5-12
# Dashes a phone keyboard may put in place of "-" (hyphen, non-breaking hyphen, figure dash,
# en dash, em dash, horizontal bar, minus sign).
_DASHES = frozenset("-\u2010\u2011\u2012\u2013\u2014\u2015\u2212")
_ASCII_DIGITS = frozenset("0123456789")
_CENTURIES = (2000, 1900)  # never 18yy


def is_separator(char: str) -> bool:
    """Whether ``char`` may stand between a NIK's digits: whitespace, a dot or a dash."""
    return char.isspace() or char == "." or char in _DASHES


@dataclass(frozen=True, repr=False)
class Nik:
    """A NIK that passed :func:`parse_nik`."""

    digits: str
    province: str
    regency: str
    district: str
    day: int
    month: int
    yy: int
    gender: Gender
    serial: str

    def masked(self) -> str:
        """``"3604••••••••0001"``: the first and last four digits, bullets between."""
        return self.digits[:4] + MASK + self.digits[-4:]

    def __repr__(self) -> str:
        return f"Nik({self.masked()!r})"

    def birth_date_candidates(self, today: date, max_age: int = 120) -> list[date]:
        """The real dates in 19yy or 20yy this NIK may mean, newest first.

        A candidate exists in the calendar, is not after ``today`` and gives an age of at
        most ``max_age`` years on ``today``.
        """
        candidates: list[date] = []
        for century in _CENTURIES:
            try:
                born = date(century + self.yy, self.month, self.day)
            except ValueError:  # 29 February of a year that is not a leap year
                continue
            if born <= today and _age(born, today) <= max_age:
                candidates.append(born)
        return sorted(candidates, reverse=True)

    def agrees_with(self, birth_date: date, gender: str) -> bool:
        """Whether a confirmed date of birth and gender match what the NIK encodes."""
        return _date_agrees(self, birth_date) and gender.strip().casefold() == self.gender


def parse_nik(text: str, regions: RegionDirectory) -> Nik:
    """Read a NIK typed by a worker; spaces, dots and dashes between the digits are allowed.

    Raises :class:`InputError` with the first problem found, checked in this order:
    ``nik.not_digits``, ``nik.length`` (``got``: digits typed), ``nik.province``
    (``code``: ``"36"``), ``nik.regency`` (``code``: ``"36.04"``), ``nik.day``,
    ``nik.month``, ``nik.date`` (a day and month that exist in no year 19yy/20yy),
    ``nik.serial`` (``0000``).
    """
    digits = "".join(char for char in text if not is_separator(char))
    if not all(char in _ASCII_DIGITS for char in digits):
        raise InputError("nik.not_digits")
    if len(digits) != NIK_LENGTH:
        raise InputError("nik.length", got=len(digits))

    province, regency, district = nik_prefix_to_codes(digits[:6])
    if not regions.has_province(province):
        raise InputError("nik.province", code=province)
    if not regions.has_regency(regency):
        raise InputError("nik.regency", code=regency)

    encoded_day, month, yy = int(digits[6:8]), int(digits[8:10]), int(digits[10:12])
    gender: Gender
    if 1 <= encoded_day <= 31:
        day = encoded_day
        gender = "male"
    elif 1 + FEMALE_DAY_OFFSET <= encoded_day <= 31 + FEMALE_DAY_OFFSET:
        day = encoded_day - FEMALE_DAY_OFFSET
        gender = "female"
    else:
        raise InputError("nik.day")
    if not 1 <= month <= 12:
        raise InputError("nik.month")
    if not any(day <= calendar.monthrange(century + yy, month)[1] for century in _CENTURIES):
        raise InputError("nik.date")

    serial = digits[12:]
    if serial == "0000":
        raise InputError("nik.serial")
    return Nik(
        digits=digits,
        province=province,
        regency=regency,
        district=district,
        day=day,
        month=month,
        yy=yy,
        gender=gender,
        serial=serial,
    )


def check_agreement(nik: Nik, birth_date: date, gender: str) -> None:
    """Raise :class:`InputError` unless the confirmed date of birth and gender match the NIK.

    ``nik.mismatch_date`` carries ``nik_date`` (``"12-05-80"``, the NIK's day, month and
    two-digit year) and ``given`` (``"13-05-1980"``); ``nik.mismatch_gender`` has no params.
    """
    if not _date_agrees(nik, birth_date):
        raise InputError(
            "nik.mismatch_date",
            nik_date=f"{nik.day:02d}-{nik.month:02d}-{nik.yy:02d}",
            given=f"{birth_date.day:02d}-{birth_date.month:02d}-{birth_date.year:04d}",
        )
    if not nik.agrees_with(birth_date, gender):
        raise InputError("nik.mismatch_gender")


def _date_agrees(nik: Nik, birth_date: date) -> bool:
    return (birth_date.day, birth_date.month, birth_date.year % 100) == (
        nik.day,
        nik.month,
        nik.yy,
    )


def _age(born: date, on: date) -> int:
    before_birthday = (on.month, on.day) < (born.month, born.day)
    return on.year - born.year - int(before_birthday)
