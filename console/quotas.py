"""Program quotas seen from the console: the place an approval takes, and how full each quota is."""

from __future__ import annotations

from console.schemas import QuotaUseOut
from domain.programs import ProgramSet
from storage.repos.quotas import QuotaPlace
from storage.repos.review import QuotaLookup
from storage.repos.scope import RegionScope


def quota_lookup(programs: ProgramSet) -> QuotaLookup:
    """(program id, occupation) -> the quota place an approval takes, from the program files.

    A program no longer loaded, or an occupation it does not fund, takes no place.
    """

    def lookup(program_id: str, occupation: str) -> QuotaPlace | None:
        program = programs.get(program_id)
        quota = program.quota_for(occupation) if program is not None else None
        if program is None or quota is None:
            return None
        return QuotaPlace(program.id, quota.id, quota.limit)

    return lookup


def program_name(programs: ProgramSet, program_id: str | None) -> str | None:
    """The short name workers know a program by, or None."""
    program = programs.get(program_id) if program_id else None
    return program.short_name if program is not None else None


def quota_use(
    programs: ProgramSet, used: dict[tuple[str, str], int], scope: RegionScope
) -> list[QuotaUseOut]:
    """Every quota of the programs serving the scope, with the places taken."""
    rows: list[QuotaUseOut] = []
    for program in programs:
        if not any(scope.overlaps(code) for code in program.regions):
            continue
        for quota in program.quotas:
            taken = used.get((program.id, quota.id), 0)
            rows.append(
                QuotaUseOut(
                    program=program.id,
                    program_name=program.short_name,
                    quota_id=quota.id,
                    occupations=sorted(quota.occupations),
                    limit=quota.limit,
                    used=taken,
                    remaining=max(quota.limit - taken, 0),
                    estimate=quota.estimate,
                )
            )
    return rows
