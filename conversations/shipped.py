"""The engine as the server runs it: shipped texts, rules and FAQ over the given programs.

Pure (no I/O beyond reading the shipped data files), so that the server's wiring and the
conversation tests build the very same engine.
"""

from __future__ import annotations

from conversations.context import Context, ProgramSetChooser
from conversations.engine import Engine
from conversations.packs import FlowPack
from domain.faq import FaqIndex
from domain.i18n import Catalog
from domain.programs import ProgramSet
from domain.regions import RegionDirectory
from domain.rules import load_rules


def build_engine(
    regions: RegionDirectory, programs: ProgramSet, pack: FlowPack | None = None
) -> Engine:
    """The shipped flows (plus `pack`'s, when given) over these regions and programs."""
    rules = load_rules()
    ctx = Context(
        catalog=Catalog.load_shipped(),
        regions=regions,
        programs=ProgramSetChooser(programs),
        max_age=rules.participant.age_limit.value,
        program_set=programs,
        rules=rules,
        faq=FaqIndex.shipped(),
    )
    return Engine.with_pack(ctx, pack) if pack is not None else Engine(ctx)
