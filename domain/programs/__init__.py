"""Local-government programs: one YAML file each (`programs/`), checked when loaded.

Every problem is reported as ``<file>: <field>: <problem>``; loading a folder collects the
problems of all its files before raising one :class:`FlowDefinitionError`. Things that are
suspicious but allowed (a total the file accepts as announced, two programs funding the same
people) become warnings, shown by ``lindungi programs check``.

The package: :mod:`.model` (what a file says), :mod:`.loading` (reading and checking files),
:mod:`.describe` (the plain-text summary).
"""

from domain.programs.describe import describe
from domain.programs.loading import DEFAULT_PROGRAMS_DIR, load_program, load_programs
from domain.programs.model import (
    CombinedQuota,
    Eligibility,
    Operator,
    Period,
    Program,
    ProgramSet,
    Quota,
)

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
