"""Which registrations an official may reach: every region, or one Kemendagri code and below.

A code covers itself and the codes under it (`36.04` covers `36.04.01.2001`, not `36.041`).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, false, or_, true
from sqlmodel import col

from storage.models import Registration


def covers(code: str, region: str) -> bool:
    """True when `region` is `code` or lies under it."""
    return region == code or region.startswith(code + ".")


def region_under(code: str) -> ColumnElement[bool]:
    """SQL condition: the registration's village or regency lies under `code`."""
    parts: list[ColumnElement[bool]] = []
    for column in (col(Registration.region), col(Registration.regency)):
        parts.append(column == code)
        parts.append(column.startswith(code + ".", autoescape=True))
    return or_(*parts)


@dataclass(frozen=True)
class RegionScope:
    """All regions (`code` None, `closed` False), one code and below, or nothing at all."""

    code: str | None = None
    closed: bool = False

    @classmethod
    def everything(cls) -> RegionScope:
        return cls()

    @classmethod
    def within(cls, code: str | None) -> RegionScope:
        """The scope of a region code; no code means no registration at all (deny by default)."""
        return cls(code) if code else cls(closed=True)

    def allows(self, row: Registration) -> bool:
        if self.closed:
            return False
        if self.code is None:
            return True
        return covers(self.code, row.region) or covers(self.code, row.regency)

    def overlaps(self, code: str) -> bool:
        """True when some region under `code` is in scope (a program's regency, for example)."""
        if self.closed:
            return False
        return self.code is None or covers(self.code, code) or covers(code, self.code)

    def condition(self) -> ColumnElement[bool]:
        """SQL condition selecting the registrations in scope."""
        if self.closed:
            return false()
        if self.code is None:
            return true()
        return region_under(self.code)
