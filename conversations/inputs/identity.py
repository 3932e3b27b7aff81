"""Who the worker is: the NIK, the birth date and gender it encodes, a date of birth."""

from __future__ import annotations

import re
from datetime import date

from conversations.context import Context
from conversations.flow import Step
from conversations.inputs.base import InputKind, Parsed, Prompt
from conversations.session import Session
from domain.errors import InputError
from domain.i18n import format_day
from domain.nik import parse_nik


class NikInput(InputKind):
    def typed(self, ctx: Context, step: Step, session: Session, text: str) -> Parsed:
        return Parsed(parse_nik(text, ctx.regions).digits)


class NikConfirmInput(InputKind):
    """Confirm the birth date and gender read from the NIK (the worker picks the century)."""

    accepts_text = False

    def _candidates(self, ctx: Context, session: Session) -> list[date]:
        nik = parse_nik(session.answers["nik"], ctx.regions)
        return nik.birth_date_candidates(ctx.today)

    def prompt(self, ctx: Context, step: Step, session: Session) -> Prompt:
        nik = parse_nik(session.answers["nik"], ctx.regions)
        dates = self._candidates(ctx, session)
        gender = ctx.catalog.text(session.lang, f"gender.{nik.gender}").lower()
        shown = " / ".join(format_day(d, session.lang) for d in dates)
        if len(dates) == 1:
            buttons = [(ctx.t(session, "button.correct"), f"c:{dates[0].isoformat()}")]
        else:
            buttons = [(f"✅ {format_day(d, session.lang)}", f"c:{d.isoformat()}") for d in dates]
        buttons.append((ctx.t(session, "button.change"), "change"))
        return Prompt({"birth_date": shown, "gender": gender}, buttons, columns=2)

    def choose(self, ctx: Context, step: Step, session: Session, data: str) -> Parsed:
        if data == "change":
            return Parsed(None, branch="change", save=False)
        if data.startswith("c:"):
            chosen = data[2:]
            if chosen in {d.isoformat() for d in self._candidates(ctx, session)}:
                nik = parse_nik(session.answers["nik"], ctx.regions)
                return Parsed(chosen, branch="confirmed", extra={"gender": nik.gender})
        raise InputError("input.stale_button")


_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "januari", "january"),
            ("feb", "februari", "pebruari", "february"),
            ("mar", "maret", "march"),
            ("apr", "april"),
            ("mei", "may"),
            ("jun", "juni", "june"),
            ("jul", "juli", "july"),
            ("agu", "agt", "agustus", "aug", "august"),
            ("sep", "sept", "september"),
            ("okt", "oktober", "oct", "october"),
            ("nov", "nopember", "november"),
            ("des", "desember", "dec", "december"),
        ],
        start=1,
    )
    for name in names
}


def parse_date(text: str) -> date:
    """Read `12-05-1980`, `12/5/1980`, `12 Mei 1980` or `1980-05-12`."""
    cleaned = text.strip().lower().replace(",", " ")
    iso = re.fullmatch(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})", cleaned)
    if iso:
        year, month, day = (int(x) for x in iso.groups())
    else:
        parts = [p for p in re.split(r"[\s\-/.]+", cleaned) if p]
        if len(parts) != 3 or not parts[0].isdigit() or not parts[2].isdigit():
            raise InputError("date.format")
        day, year = int(parts[0]), int(parts[2])
        if parts[1].isdigit():
            month = int(parts[1])
        elif parts[1] in _MONTHS:
            month = _MONTHS[parts[1]]
        else:
            raise InputError("date.format")
        if year < 100:
            raise InputError("date.year_digits")
    try:
        return date(year, month, day)
    except ValueError:
        raise InputError("date.impossible") from None


class DateInput(InputKind):
    def typed(self, ctx: Context, step: Step, session: Session, text: str) -> Parsed:
        born = parse_date(text)
        if born > ctx.today:
            raise InputError("date.future")
        if ctx.today.year - born.year > 120:
            raise InputError("date.absurd")
        return Parsed(born.isoformat())
