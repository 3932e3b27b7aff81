"""One program in plain text, as ``lindungi programs check`` prints it."""

from __future__ import annotations

from domain.i18n import format_money
from domain.programs.model import Program
from domain.rules import Rules, load_rules


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
