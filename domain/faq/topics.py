"""Topics rendered for a worker: every number filled from the rules and the programs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from domain.contributions import monthly_contribution
from domain.faq.content import Topic
from domain.i18n import Catalog, format_day, format_money
from domain.programs import ProgramSet
from domain.rules import Rules


def _percent(value: object) -> str:
    return f"{value}%"


def _join(names: Sequence[str], lang: str) -> str:
    if len(names) <= 1:
        return "".join(names)
    word = " and " if lang == "en" else " dan "
    return ", ".join(names[:-1]) + word + names[-1]


def topic_params(rules: Rules, programs: ProgramSet, lang: str) -> dict[str, str]:
    """The values of every topic placeholder except the address, from rules and programs."""
    p, c, b, d = rules.participant, rules.contributions, rules.benefits, rules.discount
    floor = p.income_floor.value
    windows = {"transport": d.window_for("transport"), "other": d.window_for("other")}
    other = windows["other"]
    discounted = c.minimum_jkk_jkm.value
    if other is not None:  # the lowest contribution on the first day of the discount
        discounted = monthly_contribution(floor, other.start, "other", "self", False, rules).total
    params = {
        "age_limit": str(p.age_limit.value),
        "max_occupations": str(p.max_occupations.value),
        "income_floor": format_money(floor),
        "inactive_months": str(p.inactive_after_unpaid_months.value),
        "jkk_rate": _percent(c.jkk_rate.value),
        "jkm": format_money(c.jkm.value),
        "jht_rate": _percent(c.jht_rate.value),
        "minimum": format_money(c.minimum_jkk_jkm.value),
        "minimum_with_jht": format_money(c.minimum_with_jht.value),
        "minimum_discounted": format_money(discounted),
        "discount_rate": _percent(d.rate.value),
        "jkm_total": format_money(b.jkm.total.value),
        "death_benefit": format_money(b.jkm.death_benefit.value),
        "periodic_benefit": format_money(b.jkm.periodic_benefit.value),
        "funeral": format_money(b.jkm.funeral.value),
        "jkm_min_months": str(b.jkm.min_paid_months.value),
        "scholarship_children": str(b.scholarship.max_children.value),
        "scholarship_total": format_money(b.scholarship.max_total.value),
        "scholarship_years": str(b.scholarship.min_contribution_years.value),
        "income_full_months": str(b.jkk.income_replacement_full_months.value),
        "income_full_percent": _percent(b.jkk.income_replacement_full_percent.value),
        "income_after_percent": _percent(b.jkk.income_replacement_after_percent.value),
        "disability_multiple": str(b.jkk.total_disability_multiple.value),
        "work_death_multiple": str(b.jkk.work_death_multiple.value),
        "claim_lapse_years": str(b.claim_lapse_years.value),
        "programs": _join([program.short_name for program in programs], lang),
    }
    for sector, window in windows.items():
        start = format_day(window.start, lang) if window else "-"
        end = format_day(window.end, lang) if window else "-"
        params[f"discount_{sector}_start"], params[f"discount_{sector}_end"] = start, end
    return params


def topic_message(topic: Topic, catalog: Catalog, lang: str, params: Mapping[str, str]) -> str:
    """The topic as a message (``info.topic``): bold title, then the body filled in.

    `params` are :func:`topic_params` plus the address (`sapaan`, `sapa`).
    """
    body = topic.body(lang).format_map(params)
    return catalog.text(lang, "info.topic", title=topic.title(lang), body=body)
