"""Local-government programs: one YAML file each (`programs/`), checked when loaded.

Every problem is reported as ``<file>: <field>: <problem>``; loading a folder collects the
problems of all its files before raising one :class:`FlowDefinitionError`. Things that are
suspicious but allowed (a total the file accepts as announced, two programs funding the same
people) become warnings, shown by ``lindungi programs check``.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from itertools import combinations
from pathlib import Path
from typing import Annotated, Any, Literal, Self

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    StrictBool,
    StrictInt,
    StrictStr,
    ValidationError,
    model_validator,
)
from pydantic_core import ErrorDetails

from domain.contributions import PeriodTotal, monthly_contribution, period_total
from domain.errors import FlowDefinitionError
from domain.i18n import format_money
from domain.occupations import load_occupations
from domain.rules import Day, Rules, load_rules

__all__ = [
    "DEFAULT_PROGRAMS_DIR",
    "CombinedQuota",
    "Eligibility",
    "Operator",
    "Period",
    "Program",
    "ProgramSet",
    "Quota",
    "describe",
    "load_program",
    "load_programs",
]

DEFAULT_PROGRAMS_DIR = Path(__file__).resolve().parent.parent / "programs"
"""The example programs shipped with the project."""

_REGENCY = re.compile(r"\d{2}\.\d{2}", re.ASCII)
_SLUG = r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$"


def _regency_code(value: object) -> object:
    if isinstance(value, float | int) and not isinstance(value, bool):
        # YAML reads 36.04 as a number (and 36.10 as 36.1): the quotes are needed.
        raise ValueError(f'{value} is a number; write the code in quotes, like "36.04"')
    if not isinstance(value, str) or not _REGENCY.fullmatch(value):
        raise ValueError(f'{value!r} is not a Kemendagri regency/city code like "36.04"')
    return value


RegencyCode = Annotated[str, BeforeValidator(_regency_code)]
Slug = Annotated[StrictStr, Field(pattern=_SLUG)]
Name = Annotated[StrictStr, Field(min_length=1)]
Excluded = Literal["asn", "tni", "polri"]
"""Civil servants (ASN), soldiers (TNI) and police (Polri)."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Period(_Frozen):
    """The dates (both included) the program funds contributions."""

    start: Day
    end: Day

    @model_validator(mode="after")
    def _ends_after_start(self) -> Self:
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end

    def overlaps(self, other: Period) -> bool:
        return self.start <= other.end and other.start <= self.end


class Operator(_Frozen):
    """The office that runs the program (Dinas Tenaga Kerja, Dinas Sosial, ...)."""

    office: Name
    contact: StrictStr | None = None


class Eligibility(_Frozen):
    """The program's own rules, on top of the national ones (`rules.yaml`)."""

    requires_domicile_in_region: StrictBool = True
    """The address the worker gives must be in the program's regions."""
    requires_ktp_in_region: StrictBool = False
    """The worker's KTP address must be in the regions (asked, never read from the NIK code)."""
    required_documents: tuple[Name, ...] = ()
    excludes: tuple[Excluded, ...] = ()
    already_employed_allowed: StrictBool = True
    """Wage earners (PU) may join. Nationally *unsettled*: True is only the default."""
    min_age: StrictInt | None = Field(default=None, ge=0)
    """Youngest age accepted (inclusive); none by default."""
    max_age: StrictInt | None = Field(default=None, ge=0)
    """Oldest age accepted (inclusive); by default the national limit (under 65)."""

    @model_validator(mode="after")
    def _ages_in_order(self) -> Self:
        if self.min_age is not None and self.max_age is not None and self.max_age < self.min_age:
            raise ValueError(f"max_age {self.max_age} is below min_age {self.min_age}")
        return self

    @property
    def already_employed_is_default(self) -> bool:
        """True when the file does not decide `already_employed_allowed` itself."""
        return "already_employed_allowed" not in self.model_fields_set

    def oldest_age(self, rules: Rules) -> int:
        if self.max_age is not None:
            return self.max_age
        return rules.participant.age_limit.value - 1

    def accepts_age(self, age: int, rules: Rules) -> bool:
        return (self.min_age is None or age >= self.min_age) and age <= self.oldest_age(rules)


class CombinedQuota(_Frozen):
    """One quota shared by several occupations, used when the split is not published."""

    id: Slug
    quota: StrictInt = Field(gt=0)
    occupations: tuple[StrictStr, ...] = Field(min_length=1)


@dataclass(frozen=True)
class Quota:
    """Places funded for some occupations; approvals count against `id` within a program."""

    id: str
    occupations: frozenset[str]
    limit: int
    estimate: bool


class Program(_Frozen):
    """One program file. Build it with :func:`load_program`, which also checks references."""

    id: Slug
    name: Name
    short_name: Name
    regions: tuple[RegencyCode, ...] = Field(min_length=1)
    occupations: dict[StrictStr, Annotated[StrictInt, Field(gt=0)]] = Field(default_factory=dict)
    """Occupation id -> places funded."""
    combined_quotas: tuple[CombinedQuota, ...] = ()
    estimated: tuple[StrictStr, ...] = ()
    """Quota ids (occupation or combined) and fields (`total`, `period`) that are estimates."""
    total: StrictInt | None = Field(default=None, gt=0)
    """The total number of workers announced."""
    total_policy: Literal["error", "warning"] = "error"
    """What a total that differs from the sum of the quotas is: a load error or a warning."""
    funder: Literal["apbd", "apbn"] = "apbd"
    pays: tuple[Literal["jkk", "jkm"], ...] = Field(default=("jkk", "jkm"), min_length=1)
    income_basis: StrictInt | None = Field(default=None, gt=0)
    """Monthly income basis the program pays on; by default the national income floor."""
    period: Period
    operator: Operator
    legal_basis: tuple[Name, ...] = Field(min_length=1)
    eligibility: Eligibility = Field(default_factory=Eligibility)
    sources: tuple[StrictStr, ...] = ()
    notes: StrictStr = ""

    _path: Path | None = PrivateAttr(default=None)
    _warnings: tuple[str, ...] = PrivateAttr(default=())

    @property
    def path(self) -> Path | None:
        """The file it was loaded from."""
        return self._path

    @property
    def warnings(self) -> tuple[str, ...]:
        """``<field>: <problem>`` lines found when loading (empty for a program built in code)."""
        return self._warnings

    @property
    def quotas(self) -> tuple[Quota, ...]:
        own = (
            Quota(occupation, frozenset({occupation}), limit, occupation in self.estimated)
            for occupation, limit in self.occupations.items()
        )
        combined = (
            Quota(q.id, frozenset(q.occupations), q.quota, q.id in self.estimated)
            for q in self.combined_quotas
        )
        return (*own, *combined)

    @property
    def quota_sum(self) -> int:
        return sum(quota.limit for quota in self.quotas)

    @property
    def funded_occupations(self) -> frozenset[str]:
        return frozenset().union(*(quota.occupations for quota in self.quotas))

    def quota_for(self, occupation: str) -> Quota | None:
        """The quota a worker of `occupation` takes a place of, or None if not funded."""
        return next((q for q in self.quotas if occupation in q.occupations), None)

    def funds(self, occupation: str) -> bool:
        return self.quota_for(occupation) is not None

    def covers(self, region_code: str, on: date) -> bool:
        """True if the regency of `region_code` (any level, e.g. a village) is served on `on`."""
        return _regency_of(region_code) in self.regions and self.period.covers(on)

    def basis(self, rules: Rules) -> int:
        """The monthly income basis the program pays contributions on."""
        return self.income_basis or rules.participant.income_floor.value

    def monthly_cost(self, rules: Rules, on: date | None = None) -> int:
        """What the program pays per worker per month (Rp16.800 on the minimum basis)."""
        contribution = monthly_contribution(
            self.basis(rules),
            on or self.period.start,
            "other",  # no discount for APBD/APBN-funded workers, so the sector does not matter
            self.funder,
            False,
            rules,
            government_items=self.pays,
        )
        return contribution.government_pays

    def cost_from(self, rules: Rules, on: date) -> PeriodTotal | None:
        """What the program pays per worker from `on`'s month to the end of its period.

        None when the period's end is only an estimate (`estimated: [period]`) or is past.
        """
        if "period" in self.estimated or on > self.period.end:
            return None
        return period_total(
            self.basis(rules),
            max(on, self.period.start),
            self.period.end,
            "other",  # no discount for APBD/APBN-funded workers, so the sector does not matter
            self.funder,
            False,
            rules,
            government_items=self.pays,
        )


def _regency_of(region_code: str) -> str:
    return ".".join(region_code.split(".")[:2])


# ---------------------------------------------------------------------------- loading


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _field(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(file)"


def _problem(error: ErrorDetails) -> str:
    kind, ctx, value = error["type"], error.get("ctx") or {}, error.get("input")
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    if kind == "greater_than":
        return f"must be greater than {ctx['gt']}, got {value!r}"
    if kind == "greater_than_equal":
        return f"must be at least {ctx['ge']}, got {value!r}"
    if kind == "int_type":
        return f"must be a whole number, got {value!r}"
    if kind == "string_type":
        return f"must be text, got {value!r}"
    if kind == "bool_type":
        return f"must be true or false, got {value!r}"
    if kind in {"too_short", "string_too_short"}:
        return "must not be empty"
    if kind == "literal_error":
        return f"must be one of {ctx['expected']}, got {value!r}"
    if kind == "string_pattern_mismatch":
        return f"{value!r} must be lowercase letters, digits and dashes (like kota-serang-2026)"
    if kind in {"model_type", "dict_type"}:
        return "must be a mapping of fields"
    return str(error["msg"])


def _unknown(occupation: str, known: Collection[str]) -> str:
    near = difflib.get_close_matches(occupation, sorted(known), n=1, cutoff=0.5)
    hint = f' (did you mean "{near[0]}"?)' if near else ""
    return f"unknown occupation {occupation!r}{hint}; ids are in domain/data/occupations.yaml"


def _check(program: Program, known: Collection[str], rules: Rules) -> tuple[list[str], list[str]]:
    """Cross-references the schema cannot see: ``(problems, warnings)`` as field: problem."""
    problems: list[str] = []
    warnings: list[str] = []
    for occupation in program.occupations:
        if occupation not in known:
            problems.append(f"occupations.{occupation}: {_unknown(occupation, known)}")
    owner: dict[str, str] = {occupation: "occupations" for occupation in program.occupations}
    for i, combined in enumerate(program.combined_quotas):
        field = f"combined_quotas[{i}]"
        if combined.id in known or combined.id in owner:
            problems.append(f"{field}.id: {combined.id!r} is already an occupation or quota id")
        for occupation in combined.occupations:
            if occupation not in known:
                problems.append(f"{field}.occupations: {_unknown(occupation, known)}")
            elif occupation in owner:
                where = owner[occupation]
                problems.append(
                    f"{field}.occupations: {occupation!r} already has a quota in {where}"
                )
            owner[occupation] = field
    if not program.quotas:
        problems.append("occupations: no occupation is funded; give occupations or combined_quotas")
    quota_ids = {quota.id for quota in program.quotas}
    for name in program.estimated:
        if name not in quota_ids | {"total", "period"}:
            problems.append(f"estimated: {name!r} is neither a quota id nor total or period")
    for field, values in (("regions", program.regions), ("pays", program.pays)):
        for value in sorted({v for v in values if values.count(v) > 1}):
            problems.append(f"{field}: {value!r} is listed twice")
    if program.total is not None and program.total != program.quota_sum:
        mismatch = (
            f"quotas add up to {program.quota_sum:,} but the announced total is {program.total:,}"
        )
        if program.total_policy == "warning":
            warnings.append(f"occupations: {mismatch}")
        else:
            problems.append(
                f"occupations: {mismatch} (set total_policy: warning to keep both figures)"
            )
    floor = rules.participant.income_floor
    if program.income_basis is not None and program.income_basis < floor.value:
        problems.append(
            f"income_basis: {format_money(program.income_basis)} is below the income floor "
            f"{format_money(floor.value)} ({floor.source})"
        )
    limit = rules.participant.age_limit
    if program.eligibility.max_age is not None and program.eligibility.max_age >= limit.value:
        warnings.append(
            f"eligibility.max_age: {program.eligibility.max_age} is not under the national "
            f"limit of {limit.value} ({limit.source})"
        )
    return problems, warnings


def _read(
    path: Path, known: Collection[str], rules: Rules
) -> tuple[Program | None, list[str], list[str]]:
    name = _display(path)
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        return None, [f"{name}: cannot be read: {exc.strerror or exc}"], []
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" on line {where.line + 1}" if where is not None else ""
        return None, [f"{name}: (file): not valid YAML{line}: {getattr(exc, 'problem', exc)}"], []
    if not isinstance(data, dict):
        return None, [f"{name}: (file): must be a mapping of fields (id: ..., name: ...)"], []
    try:
        program = Program.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        # A list whose only item is wrong is also "too short": report the item alone.
        errors = [
            e
            for e in errors
            if e["type"] != "too_short"
            or not any(o["loc"][: len(e["loc"])] == e["loc"] != o["loc"] for o in errors)
        ]
        problems = [f"{name}: {_field(e['loc'])}: {_problem(e)}" for e in errors]
        return None, problems, []
    problems, warnings = _check(program, known, rules)
    program._path = path
    program._warnings = tuple(warnings)
    return (
        program,
        [f"{name}: {problem}" for problem in problems],
        [f"{name}: {warning}" for warning in warnings],
    )


def _known_occupations(occupations: Collection[str] | None) -> Collection[str]:
    if occupations is not None:
        return occupations
    return frozenset(occupation.id for occupation in load_occupations())


def load_program(
    path: Path | str,
    *,
    rules: Rules | None = None,
    occupations: Collection[str] | None = None,
) -> Program:
    """Load and check one program file; `occupations` defaults to occupations.yaml's ids.

    Raises FlowDefinitionError with one ``file: field: problem`` line per problem.
    """
    program, problems, _ = _read(Path(path), _known_occupations(occupations), rules or load_rules())
    if problems or program is None:
        raise FlowDefinitionError("\n".join(problems))
    return program


def _overlaps(programs: list[Program]) -> list[str]:
    warnings = []
    for a, b in combinations(programs, 2):
        regions = sorted(set(a.regions) & set(b.regions))
        both = sorted(a.funded_occupations & b.funded_occupations)
        if regions and both and a.period.overlaps(b.period):
            start, end = max(a.period.start, b.period.start), min(a.period.end, b.period.end)
            warnings.append(
                f"{a.id} and {b.id} both fund {', '.join(both)} in {', '.join(regions)} "
                f"from {start} to {end}"
            )
    return warnings


def load_programs(
    directory: Path | str | None = None,
    *,
    rules: Rules | None = None,
    occupations: Collection[str] | None = None,
) -> ProgramSet:
    """Load every ``*.yaml``/``*.yml`` file of `directory` (default: the shipped examples).

    Collects the problems of all files (and ids used twice) into one FlowDefinitionError.
    """
    folder = Path(directory) if directory is not None else DEFAULT_PROGRAMS_DIR
    if not folder.is_dir():
        raise FlowDefinitionError(f"{_display(folder)}: (folder): no such folder")
    known, rules = _known_occupations(occupations), rules or load_rules()
    programs: list[Program] = []
    problems: list[str] = []
    warnings: list[str] = []
    seen: dict[str, Path] = {}
    files = sorted(p for p in folder.iterdir() if p.suffix in {".yaml", ".yml"} and p.is_file())
    for path in files:
        program, file_problems, file_warnings = _read(path, known, rules)
        problems += file_problems
        warnings += file_warnings
        if program is None:
            continue
        if program.id in seen:
            first = _display(seen[program.id])
            problems.append(f"{_display(path)}: id: {program.id!r} is already used by {first}")
            continue
        seen[program.id] = path
        programs.append(program)
    if problems:
        raise FlowDefinitionError("\n".join(problems))
    return ProgramSet(programs, warnings + _overlaps(programs))


class ProgramSet:
    """The programs a deployment serves, by id, with the warnings found when loading."""

    def __init__(self, programs: Iterable[Program] = (), warnings: Iterable[str] = ()) -> None:
        self._programs: dict[str, Program] = {}
        for program in programs:
            if program.id in self._programs:
                raise ValueError(f"program id {program.id!r} is used twice")
            self._programs[program.id] = program
        self.warnings: tuple[str, ...] = tuple(warnings)

    def __iter__(self) -> Iterator[Program]:
        return iter(sorted(self._programs.values(), key=lambda program: program.id))

    def __len__(self) -> int:
        return len(self._programs)

    def __contains__(self, program_id: object) -> bool:
        return program_id in self._programs

    def get(self, program_id: str) -> Program | None:
        return self._programs.get(program_id)

    def for_region(self, regency_code: str, on: date) -> list[Program]:
        """Programs serving the regency of `regency_code` (a village code works too) on `on`."""
        return [program for program in self if program.covers(regency_code, on)]

    def regions(self) -> set[str]:
        """Every regency/city code some program serves."""
        return {code for program in self for code in program.regions}


# ---------------------------------------------------------------------------- describing


def _count(n: int) -> str:
    return f"{n:,}"


def describe(program: Program, rules: Rules | None = None) -> str:
    """One plain-text paragraph for ``lindungi programs check``."""
    rules = rules or load_rules()
    e = program.eligibility
    parts = [
        f"{program.id}: {program.name} ({program.short_name}).",
        f"Regions: {', '.join(program.regions)}.",
        f"Period: {program.period.start} to {program.period.end}"
        + (" (estimated)." if "period" in program.estimated else "."),
        f"Run by {program.operator.office}"
        + (f" ({program.operator.contact})." if program.operator.contact else "."),
        f"Pays {' and '.join(item.upper() for item in program.pays)} from "
        f"{program.funder.upper()} on an income basis of {format_money(program.basis(rules))}: "
        f"{format_money(program.monthly_cost(rules))} a month per worker.",
    ]
    quotas = [
        f"{q.id} {_count(q.limit)}"
        + (f" shared by {', '.join(sorted(q.occupations))}" if q.id not in q.occupations else "")
        + (" (estimate)" if q.estimate else "")
        for q in program.quotas
    ]
    parts.append(f"Quotas: {'; '.join(quotas)}. They add up to {_count(program.quota_sum)}.")
    if program.total is not None:
        estimate = " (estimated)" if "total" in program.estimated else ""
        parts.append(f"Announced total: {_count(program.total)}{estimate}.")
    rules_text = [
        "domicile in the region" if e.requires_domicile_in_region else "any domicile",
        "KTP of the region" if e.requires_ktp_in_region else "KTP from anywhere",
    ]
    rules_text += [f"document: {document}" for document in e.required_documents]
    if e.excludes:
        rules_text.append(f"excludes {', '.join(x.upper() for x in e.excludes)}")
    rules_text.append(f"ages {e.min_age or 'any'} to {e.oldest_age(rules)}")
    employed = "allowed" if e.already_employed_allowed else "excluded"
    if e.already_employed_is_default:
        employed += (
            " (default; unsettled nationally, decide with eligibility.already_employed_allowed)"
        )
    rules_text.append(f"already employed (PU) workers {employed}")
    parts.append(f"Eligibility: {'; '.join(rules_text)}.")
    parts.append(f"Legal basis: {'; '.join(program.legal_basis)}.")
    parts += [f"Warning: {warning}." for warning in program.warnings]
    return " ".join(parts)
