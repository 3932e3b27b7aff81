"""What the engine knows besides the session: texts, regions, occupations, programs, today."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any, Protocol

from conversations.session import Session
from domain.faq import FaqIndex
from domain.i18n import Catalog, escape, format_day, format_money
from domain.occupations import Occupation, load_occupations
from domain.phone import format_phone
from domain.programs import ProgramSet
from domain.regions import RegionDirectory
from domain.rules import Rules


class ProgramChooser(Protocol):
    """Finds the local-government program that would fund a worker (if any)."""

    def served_regencies(self) -> tuple[str, ...]: ...

    def program_for(self, regency: str, occupation: str, on: date) -> tuple[str, str] | None:
        """(program id, program name) of a program funding this occupation here, or None."""


@dataclass(frozen=True)
class NoPrograms:
    """A deployment without program files: serves the regions it is told, funds nobody."""

    regencies: tuple[str, ...] = ()

    def served_regencies(self) -> tuple[str, ...]:
        return self.regencies

    def program_for(self, regency: str, occupation: str, on: date) -> tuple[str, str] | None:
        return None


@dataclass(frozen=True)
class Context:
    """Everything a step needs that is not in the session."""

    catalog: Catalog
    regions: RegionDirectory
    programs: ProgramChooser
    occupations: tuple[Occupation, ...] = field(default_factory=load_occupations)
    today: date = field(default_factory=date.today)
    max_age: int = 65
    consent_version: str = "2026-11"
    # For the eligibility check, program information and free-text questions.
    program_set: ProgramSet = field(default_factory=ProgramSet)
    rules: Rules | None = None
    faq: FaqIndex | None = None
    # The moment of the turn, when the host gives one (it timestamps a consent).
    now: datetime | None = None

    def on(self, today: date, now: datetime | None = None) -> Context:
        return replace(self, today=today, now=now)

    @property
    def served_regencies(self) -> tuple[str, ...]:
        return self.programs.served_regencies()

    def t(self, session: Session, key: str, **params: Any) -> str:
        return self.catalog.text(session.lang, key, **{**self.address(session), **params})

    def address(self, session: Session) -> dict[str, str]:
        """How to address the worker: `Bapak`/`Ibu` once the gender is known."""
        gender = session.answers.get("gender") or session.gender
        key = {"male": "male", "female": "female"}.get(str(gender), "unknown")
        return {
            "sapaan": self.catalog.text(session.lang, f"address.{key}"),
            "sapa": self.catalog.text(session.lang, f"address.short_{key}"),
        }

    def occupation(self, occupation_id: str) -> Occupation | None:
        return next((o for o in self.occupations if o.id == occupation_id), None)

    def program_of(self, session: Session) -> tuple[str, str] | None:
        answers = session.answers
        if "regency" not in answers or "occupation" not in answers:
            return None
        return self.programs.program_for(answers["regency"], answers["occupation"], self.today)

    def consent_params(self, session: Session) -> dict[str, Any]:
        program = self.program_of(session)
        if program is None:
            purpose = self.t(session, "consent.purpose_self")
        else:
            purpose = self.t(session, "consent.purpose_program", program=escape(program[1]))
        return {"purpose": purpose}

    def summary_params(self, session: Session) -> dict[str, Any]:
        a = session.answers
        nik = a.get("nik", "")
        occupation = self.occupation(a.get("occupation", ""))
        occupation_text = occupation.label(session.lang) if occupation else ""
        if a.get("occupation_other"):
            occupation_text = f"{occupation_text} ({a['occupation_other']})"
        village = self.regions.get(a.get("region", ""))
        district = self.regions.get(a.get("district") or str(a.get("region", ""))[:8])
        regency = self.regions.get(a.get("regency", ""))
        place = ", ".join(r.short_name() for r in (village, district, regency) if r is not None)
        heir = a.get("heir_name")
        heir_text = (
            f"{escape(heir)} ({self.t(session, 'relation.' + a['heir_relation'])})"
            if heir and a.get("heir_relation")
            else self.t(session, "summary.no_heir")
        )
        born = date.fromisoformat(a["birth_date"]) if a.get("birth_date") else None
        return {
            "full_name": escape(a.get("full_name", "")),
            "nik": f"{nik[:4]}••••••••{nik[-4:]}" if len(nik) == 16 else a.get("nik_masked", ""),
            "birth_date": format_day(born, session.lang) if born else "",
            "gender": self.t(session, f"gender.{a.get('gender', 'male')}"),
            "phone": format_phone(a["phone"]) if a.get("phone") else "",
            "occupation": escape(occupation_text),
            "place": escape(place),
            "income": format_money(int(a.get("monthly_income", 0))),
            "heir": heir_text,
        }

    def correction_params(self, session: Session) -> dict[str, Any]:
        """The changed fields, one per line, for the correction's confirmation."""
        shown = self.summary_params(session)
        a = session.answers
        lines = []
        for field_name, label, key in (
            ("full_name", "datafield.full_name", "full_name"),
            ("phone", "datafield.phone", "phone"),
            ("occupation", "datafield.occupation", "occupation"),
            ("region", "datafield.region", "place"),
            ("monthly_income", "datafield.monthly_income", "income"),
            ("heir_name", "datafield.heir", "heir"),
        ):
            if field_name in a:
                lines.append(f"{self.t(session, label)}: {shown[key]}")
        return {"changes": "\n".join(lines)}


class ProgramSetChooser:
    """A `ProgramChooser` over the loaded program files."""

    def __init__(self, programs: ProgramSet) -> None:
        self.programs = programs

    def served_regencies(self) -> tuple[str, ...]:
        return tuple(sorted(self.programs.regions()))

    def program_for(self, regency: str, occupation: str, on: date) -> tuple[str, str] | None:
        for program in self.programs.for_region(regency, on):
            if program.funds(occupation):
                return program.id, program.name
        return None
