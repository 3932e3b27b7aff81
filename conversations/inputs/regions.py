"""Regions: the regency among those served, then its district and village (paged, searchable)."""

from __future__ import annotations

from conversations.context import Context
from conversations.flow import Step
from conversations.inputs.base import PAGE_SIZE, InputKind, Parsed, Prompt, match_label
from conversations.messages import Button, Reply
from conversations.session import Session
from domain.errors import InputError
from domain.i18n import escape


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


# The answer "I live somewhere else": a place no program of this deployment serves.
OUTSIDE = "outside"


class RegencyInput(InputKind):
    """The regency or city the worker lives in, among those this deployment serves (or
    `OUTSIDE`: known to be elsewhere, which the eligibility check reads as "no program here")."""

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
        if data == OUTSIDE:
            return Parsed(OUTSIDE, branch=OUTSIDE)
        if data.startswith("r:") and data[2:] in {c for _, c in self._options(ctx)}:
            return Parsed(data[2:])
        raise InputError("input.stale_button")

    def typed(self, ctx: Context, step: Step, session: Session, text: str) -> Parsed:
        return Parsed(match_label(text, self._options(ctx), cutoff=75))
