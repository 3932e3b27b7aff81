"""Loading program files: every problem as ``<file>: <field>: <problem>``.

Loading a folder collects the problems of all its files before raising one
:class:`FlowDefinitionError`. Things that are suspicious but allowed (a total the file accepts
as announced, two programs funding the same people) become warnings.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Mapping
from itertools import combinations
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from domain.errors import FlowDefinitionError
from domain.i18n import format_money
from domain.occupations import load_occupations
from domain.programs.model import Program, ProgramSet
from domain.rules import Rules, load_rules

DEFAULT_PROGRAMS_DIR = Path(__file__).resolve().parents[2] / "programs"
"""The example programs shipped with the project."""


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


# What a pydantic error type means in a program file; `{value}` is the value given, the other
# names are the error's context (pydantic's `ctx`).
_PROBLEMS: Mapping[str, str] = {
    "missing": "required field is missing",
    "extra_forbidden": "unknown field",
    "greater_than": "must be greater than {gt}, got {value!r}",
    "greater_than_equal": "must be at least {ge}, got {value!r}",
    "int_type": "must be a whole number, got {value!r}",
    "string_type": "must be text, got {value!r}",
    "bool_type": "must be true or false, got {value!r}",
    "too_short": "must not be empty",
    "string_too_short": "must not be empty",
    "literal_error": "must be one of {expected}, got {value!r}",
    "string_pattern_mismatch": (
        "{value!r} must be lowercase letters, digits and dashes (like kota-serang-2026)"
    ),
    "model_type": "must be a mapping of fields",
    "dict_type": "must be a mapping of fields",
}


def _problem(error: ErrorDetails) -> str:
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    template = _PROBLEMS.get(kind)
    if template is None:
        return str(error["msg"])
    return template.format_map({**ctx, "value": error.get("input")})


def _unknown(occupation: str, known: Collection[str]) -> str:
    near = difflib.get_close_matches(occupation, sorted(known), n=1, cutoff=0.5)
    hint = f' (did you mean "{near[0]}"?)' if near else ""
    return f"unknown occupation {occupation!r}{hint}; ids are in domain/data/occupations.yaml"


def _quota_problems(program: Program, known: Collection[str]) -> list[str]:
    """Occupations that are unknown or funded twice, and estimates that name no quota."""
    problems = [
        f"occupations.{occupation}: {_unknown(occupation, known)}"
        for occupation in program.occupations
        if occupation not in known
    ]
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
    problems += [
        f"estimated: {name!r} is neither a quota id nor total or period"
        for name in program.estimated
        if name not in quota_ids | {"total", "period"}
    ]
    return problems


def _figure_checks(program: Program, rules: Rules) -> tuple[list[str], list[str]]:
    """The announced total, the income basis and the oldest age against the national rules."""
    problems: list[str] = []
    warnings: list[str] = []
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


def _check(program: Program, known: Collection[str], rules: Rules) -> tuple[list[str], list[str]]:
    """Cross-references the schema cannot see: ``(problems, warnings)`` as field: problem."""
    problems = _quota_problems(program, known)
    for field, values in (("regions", program.regions), ("pays", program.pays)):
        problems += [
            f"{field}: {value!r} is listed twice"
            for value in sorted({v for v in values if values.count(v) > 1})
        ]
    figure_problems, warnings = _figure_checks(program, rules)
    return problems + figure_problems, warnings


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
