"""Input kinds: how each kind of question is asked (text, buttons) and how an answer is read.

A step's `input` names one of the kinds registered in `INPUTS`. `prompt` renders the question;
`read` turns the worker's action into a `Parsed` value or raises `InputError` with a message
code that says what was wrong and what to type instead.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any

from rapidfuzz import fuzz, process

from conversations.context import Context
from conversations.flow import Step
from conversations.messages import Button, Incoming, Reply
from conversations.session import Session
from domain.errors import InputError
from domain.i18n import escape, format_day, format_money
from domain.nik import parse_nik
from domain.phone import format_phone, normalise_phone

PAGE_SIZE = 10
MAX_TEXT = 1000


@dataclass
class Parsed:
    """The outcome of reading an answer."""

    value: Any = None
    branch: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    page: int | None = None
    choices: Reply | None = None
    ack: Reply | None = None


@dataclass
class Prompt:
    """A question's text parameters and buttons."""

    params: dict[str, Any] = field(default_factory=dict)
    buttons: list[tuple[str, str]] = field(default_factory=list)
    columns: int = 1
    share_contact: bool = False
    nav: list[tuple[str, str]] = field(default_factory=list)


class InputKind:
    """Base: a typed answer; subclasses add buttons and checks."""

    accepts_text = True

    def prompt(self, ctx: Context, step: Step, session: Session) -> Prompt:
        return Prompt()

    def read(self, ctx: Context, step: Step, session: Session, incoming: Incoming) -> Parsed:
        if incoming.kind == "callback":
            return self.choose(ctx, step, session, incoming.data)
        if incoming.kind == "contact":
            return self.contact(ctx, step, session, incoming)
        if incoming.kind != "text":
            raise InputError("input.unsupported")
        text = incoming.text.strip()
        if not text:
            raise InputError("input.empty")
        if len(text) > MAX_TEXT:
            raise InputError("input.too_long", got=len(text))
        if not self.accepts_text:
            raise InputError("input.use_buttons")
        return self.typed(ctx, step, session, text)

    def typed(self, ctx: Context, step: Step, session: Session, text: str) -> Parsed:
        return Parsed(text)

    def choose(self, ctx: Context, step: Step, session: Session, data: str) -> Parsed:
        raise InputError("input.stale_button")

    def contact(self, ctx: Context, step: Step, session: Session, incoming: Incoming) -> Parsed:
        raise InputError("input.unsupported")

    def skip(self, ctx: Context, session: Session) -> Parsed | None:
        """An answer the step can take without asking (None: ask)."""
        return None


_NAME_RE = re.compile(r"^[^\W\d_]+(?:[ .'\-,][^\W\d_]*)*$")


def clean_spaces(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


class NameInput(InputKind):
    def typed(self, ctx: Context, step: Step, session: Session, text: str) -> Parsed:
        name = clean_spaces(text)
        if any(ch.isdigit() for ch in name):
            raise InputError("name.digits")
        if len(name) < 2:
            raise InputError("name.short")
        if len(name) > 100:
            raise InputError("name.long", got=len(name))
        if not _NAME_RE.match(name):
            raise InputError("name.characters")
        return Parsed(name)


class ShortTextInput(InputKind):
    def typed(self, ctx: Context, step: Step, session: Session, text: str) -> Parsed:
        value = clean_spaces(text)
        if len(value) < 2 or len(value) > 60:
            raise InputError("text.length", low=2, high=60)
        return Parsed(value)


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
            return Parsed(None, branch="change")
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


class ChoiceInput(InputKind):
    """Buttons for a fixed list of options; typing a label (or its number) works too."""

    def _labels(self, ctx: Context, step: Step, session: Session) -> list[tuple[str, str]]:
        return [(ctx.t(session, f"{step.labels}.{opt}"), str(opt)) for opt in step.options]

    def prompt(self, ctx: Context, step: Step, session: Session) -> Prompt:
        return Prompt(buttons=self._labels(ctx, step, session), columns=step.columns or 2)

    def choose(self, ctx: Context, step: Step, session: Session, data: str) -> Parsed:
        if data in {str(opt) for opt in step.options}:
            return Parsed(data)
        raise InputError("input.stale_button")

    def typed(self, ctx: Context, step: Step, session: Session, text: str) -> Parsed:
        labels = self._labels(ctx, step, session)
        return Parsed(match_label(text, labels))


def match_label(text: str, labels: list[tuple[str, str]], cutoff: float = 80) -> str:
    """The option whose label a typed answer names (by number, exactly or nearly)."""
    if text.isdigit() and 1 <= int(text) <= len(labels):
        return labels[int(text) - 1][1]
    plain = [re.sub(r"[^\w ]", "", label).strip().lower() for label, _ in labels]
    found = process.extractOne(text.lower(), plain, scorer=fuzz.WRatio, score_cutoff=cutoff)
    if found is None:
        raise InputError("choice.unknown")
    return labels[found[2]][1]


class TextInput(InputKind):
    """Any text (trimmed, at most MAX_TEXT characters)."""


class PatternInput(InputKind):
    """Text that must match the step's `pattern` as a whole (after dropping `ignore` chars)."""

    def typed(self, ctx: Context, step: Step, session: Session, text: str) -> Parsed:
        value = text.translate({ord(ch): None for ch in step.ignore}) if step.ignore else text
        if step.pattern is None or not _compiled(step.pattern).fullmatch(value):
            raise InputError("input.pattern")
        return Parsed(value)


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


class EndInput(InputKind):
    """Not a question: the step's text is said and the flow ends (see Engine.advance)."""

    accepts_text = False


class PhoneInput(InputKind):
    def prompt(self, ctx: Context, step: Step, session: Session) -> Prompt:
        return Prompt(share_contact=True)

    def typed(self, ctx: Context, step: Step, session: Session, text: str) -> Parsed:
        phone = normalise_phone(text)
        return Parsed(phone, ack=self._ack(ctx, session, phone))

    def contact(self, ctx: Context, step: Step, session: Session, incoming: Incoming) -> Parsed:
        phone = normalise_phone(incoming.phone or "")
        return Parsed(phone, ack=self._ack(ctx, session, phone))

    def _ack(self, ctx: Context, session: Session, phone: str) -> Reply:
        text = ctx.t(session, "reg.phone_saved", phone=format_phone(phone))
        return Reply(text, remove_keyboard=True)


class OccupationInput(InputKind):
    def _labels(self, ctx: Context, session: Session) -> list[tuple[str, str]]:
        return [(o.label(session.lang), o.id) for o in ctx.occupations]

    def prompt(self, ctx: Context, step: Step, session: Session) -> Prompt:
        return Prompt(buttons=self._labels(ctx, session), columns=2)

    def choose(self, ctx: Context, step: Step, session: Session, data: str) -> Parsed:
        if data in {o.id for o in ctx.occupations}:
            return Parsed(data)
        raise InputError("input.stale_button")

    def typed(self, ctx: Context, step: Step, session: Session, text: str) -> Parsed:
        return Parsed(match_label(text, self._labels(ctx, session), cutoff=75))


class RegionInput(InputKind):
    """Pick a region among the children of the previous answer, with pages and typed search."""

    parent_field = ""

    def options(self, ctx: Context, session: Session) -> list[tuple[str, str]]:
        parent = session.answers[self.parent_field]
        return [(r.name, r.code) for r in ctx.regions.children(parent)]

    def prompt(self, ctx: Context, step: Step, session: Session) -> Prompt:
        options = self.options(ctx, session)
        pages = max(1, (len(options) + PAGE_SIZE - 1) // PAGE_SIZE)
        page = min(session.page, pages - 1)
        shown = options[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
        nav = []
        if page > 0:
            nav.append((ctx.t(session, "button.previous"), f"p:{page - 1}"))
        if page + 1 < pages:
            nav.append((ctx.t(session, "button.next"), f"p:{page + 1}"))
        parent = ctx.regions.get(session.answers[self.parent_field])
        params = {"parent": parent.name if parent else "", "page": page + 1, "pages": pages}
        return Prompt(params, [(n, f"r:{c}") for n, c in shown], columns=2, nav=nav)

    def choose(self, ctx: Context, step: Step, session: Session, data: str) -> Parsed:
        if data.startswith("p:") and data[2:].isdigit():
            return Parsed(page=int(data[2:]))
        if data.startswith("r:") and data[2:] in {c for _, c in self.options(ctx, session)}:
            return Parsed(data[2:])
        raise InputError("input.stale_button")

    def typed(self, ctx: Context, step: Step, session: Session, text: str) -> Parsed:
        found = ctx.regions.search(session.answers[self.parent_field], text, limit=6)
        strong = [region for region, score in found if score >= 90]
        if len(strong) == 1:
            return Parsed(strong[0].code)
        likely = [region for region, score in found if score >= 60]
        if not likely:
            raise InputError("region.not_found", typed=escape(text[:40]))
        buttons = tuple((Button(r.name, f"{session.seq}:r:{r.code}"),) for r in likely)
        return Parsed(choices=Reply(ctx.t(session, "err.region.did_you_mean"), buttons))


class DistrictInput(RegionInput):
    parent_field = "regency"


class VillageInput(RegionInput):
    parent_field = "district"


class RegencyInput(InputKind):
    """The regency or city the worker lives in, among those this deployment serves."""

    def _options(self, ctx: Context) -> list[tuple[str, str]]:
        found = [ctx.regions.get(code) for code in ctx.served_regencies]
        return [(r.name, r.code) for r in found if r is not None]

    def skip(self, ctx: Context, session: Session) -> Parsed | None:
        options = self._options(ctx)
        return Parsed(options[0][1]) if len(options) == 1 else None

    def prompt(self, ctx: Context, step: Step, session: Session) -> Prompt:
        buttons = [(name, f"r:{code}") for name, code in self._options(ctx)]
        buttons.append((ctx.t(session, "button.outside"), "outside"))
        return Prompt(buttons=buttons, columns=1)

    def choose(self, ctx: Context, step: Step, session: Session, data: str) -> Parsed:
        if data == "outside":
            return Parsed(branch="outside")
        if data.startswith("r:") and data[2:] in {c for _, c in self._options(ctx)}:
            return Parsed(data[2:])
        raise InputError("input.stale_button")

    def typed(self, ctx: Context, step: Step, session: Session, text: str) -> Parsed:
        return Parsed(match_label(text, self._options(ctx), cutoff=75))


_INCOME_RE = re.compile(r"^(?:rp\.?)?\s*([\d.,]+)\s*(juta|jt|ribu|rb|k)?$")


def parse_income(text: str) -> int:
    """Read `1.500.000`, `Rp 2.000.000`, `1,5 juta`, `2jt` or `800rb` as rupiah."""
    match = _INCOME_RE.match(text.strip().lower().replace(" ", ""))
    if not match:
        raise InputError("income.format")
    number, unit = match.groups()
    if unit:
        try:
            amount = (
                float(number.replace(".", "").replace(",", ".")) if "," in number else float(number)
            )
        except ValueError:
            raise InputError("income.format") from None
        amount *= 1_000_000 if unit in ("juta", "jt") else 1_000
    else:
        amount = float(re.sub(r"[.,]", "", number) or "0")
    return round(amount)


class IncomeInput(InputKind):
    def prompt(self, ctx: Context, step: Step, session: Session) -> Prompt:
        return Prompt(buttons=[(format_money(int(v)), f"i:{v}") for v in step.options], columns=2)

    def choose(self, ctx: Context, step: Step, session: Session, data: str) -> Parsed:
        if data.startswith("i:") and data[2:] in {str(v) for v in step.options}:
            return Parsed(int(data[2:]))
        raise InputError("input.stale_button")

    def typed(self, ctx: Context, step: Step, session: Session, text: str) -> Parsed:
        amount = parse_income(text)
        if amount <= 0:
            raise InputError("income.format")
        if amount > 1_000_000_000:
            raise InputError("income.absurd")
        return Parsed(amount)


class HeirNameInput(NameInput):
    def prompt(self, ctx: Context, step: Step, session: Session) -> Prompt:
        return Prompt(buttons=[(ctx.t(session, "button.skip_heir"), "skip")])

    def choose(self, ctx: Context, step: Step, session: Session, data: str) -> Parsed:
        if data == "skip":
            return Parsed(None, branch="skip", extra={"heir_relation": None})
        raise InputError("input.stale_button")


class ConsentInput(InputKind):
    accepts_text = False

    def prompt(self, ctx: Context, step: Step, session: Session) -> Prompt:
        buttons = [
            (ctx.t(session, "button.agree"), "yes"),
            (ctx.t(session, "button.disagree"), "no"),
        ]
        return Prompt(ctx.consent_params(session), buttons, columns=2)

    def choose(self, ctx: Context, step: Step, session: Session, data: str) -> Parsed:
        if data in ("yes", "no"):
            return Parsed(data == "yes", branch=data)
        raise InputError("input.stale_button")


class YesNoInput(InputKind):
    """Confirm a change: yes saves it, no leaves everything as it was."""

    accepts_text = False

    def prompt(self, ctx: Context, step: Step, session: Session) -> Prompt:
        buttons = [
            (ctx.t(session, "data.button.save"), "yes"),
            (ctx.t(session, "data.button.keep"), "no"),
        ]
        return Prompt(ctx.correction_params(session), buttons, columns=2)

    def choose(self, ctx: Context, step: Step, session: Session, data: str) -> Parsed:
        if data in ("yes", "no"):
            return Parsed(data == "yes", branch=data)
        raise InputError("input.stale_button")


class SummaryInput(InputKind):
    accepts_text = False

    def prompt(self, ctx: Context, step: Step, session: Session) -> Prompt:
        buttons = [(ctx.t(session, "button.send"), "send"), (ctx.t(session, "button.edit"), "edit")]
        return Prompt(ctx.summary_params(session), buttons, columns=2)

    def choose(self, ctx: Context, step: Step, session: Session, data: str) -> Parsed:
        if data in ("send", "edit") or data.startswith("f:"):
            return Parsed(data, branch=data.split(":")[0])
        raise InputError("input.stale_button")


INPUTS: dict[str, Callable[[], InputKind]] = {
    "name": NameInput,
    "short_text": ShortTextInput,
    "nik": NikInput,
    "nik_confirm": NikConfirmInput,
    "date": DateInput,
    "choice": ChoiceInput,
    "phone": PhoneInput,
    "occupation": OccupationInput,
    "regency": RegencyInput,
    "district": DistrictInput,
    "village": VillageInput,
    "income": IncomeInput,
    "heir_name": HeirNameInput,
    "consent": ConsentInput,
    "summary": SummaryInput,
    "yes_no": YesNoInput,
    "text": TextInput,
    "pattern": PatternInput,
    "end": EndInput,
}
