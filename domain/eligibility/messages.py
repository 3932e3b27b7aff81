"""The eligibility flow's catalogue keys and the verdict as one message.

Texts live in ``locales/<lang>.eligibility.yaml`` under ``elig.``; :data:`MESSAGE_PARAMS`
lists the placeholders each key receives.
"""

from __future__ import annotations

from collections.abc import Mapping

from domain.eligibility.verdict import Verdict
from domain.i18n import Catalog

__all__ = ["MESSAGE_PARAMS", "verdict_message"]

# Every catalogue key of the eligibility flow and the placeholders its text may use, besides
# the address (`sapaan`, `sapa`) that Context.t always adds. A test checks both languages.
MESSAGE_PARAMS: Mapping[str, frozenset[str]] = {
    # questions the flow asks (rendered by the engine; `program` from PendingQuestion.params)
    "elig.intro": frozenset(),
    "elig.ask.civil_servant": frozenset({"program"}),
    "elig.ask.has_local_ktp": frozenset({"program"}),
    "elig.ask.already_employed": frozenset({"program"}),
    "elig.ask.occupations_count": frozenset(),
    "elig.button.yes": frozenset(),
    "elig.button.no": frozenset(),
    "elig.button.jobs_one": frozenset(),
    "elig.button.jobs_two": frozenset(),
    "elig.button.jobs_more": frozenset(),
    "elig.button.register": frozenset(),
    "elig.button.register_self": frozenset(),
    "elig.button.talk": frozenset(),
    "elig.ask.register": frozenset(),
    # verdict headlines (rendered by verdict_message)
    "elig.verdict.funded": frozenset({"program", "amount", "end", "total"}),
    "elig.verdict.funded_estimate": frozenset({"program", "amount", "end"}),
    "elig.verdict.self_paying": frozenset({"amount"}),
    "elig.verdict.self_paying_discount": frozenset({"amount", "normal_amount", "discount_end"}),
    "elig.verdict.not_eligible": frozenset(),
    # reasons
    "elig.reason.too_old": frozenset({"age", "limit"}),
    "elig.reason.too_many_jobs": frozenset({"count", "max"}),
    "elig.reason.funded": frozenset({"program", "occupation"}),
    "elig.reason.outside_region": frozenset(),
    "elig.reason.domicile_unknown": frozenset(),
    "elig.reason.program_not_running": frozenset({"program", "start", "end"}),
    "elig.reason.occupation_not_funded": frozenset({"program", "occupation"}),
    "elig.reason.occupation_unknown": frozenset({"program"}),
    "elig.reason.program_age": frozenset({"program", "age"}),
    "elig.reason.civil_servant": frozenset({"program"}),
    "elig.reason.no_local_ktp": frozenset({"program"}),
    "elig.reason.already_employed": frozenset({"program"}),
    "elig.reason.quota_full": frozenset({"program", "occupation"}),
    "elig.reason.income_floor": frozenset({"income", "floor"}),
    "elig.reason.income_unknown": frozenset({"floor"}),
    # next steps
    "elig.next.register_funded": frozenset({"office"}),
    "elig.next.documents": frozenset({"documents"}),
    "elig.next.register_self": frozenset(),
    "elig.next.join_elsewhere": frozenset(),
    "elig.next.discount_soon": frozenset({"discount_start", "discount_amount"}),
    "elig.next.year_total": frozenset({"year_total"}),
    "elig.next.ask_official": frozenset(),
    "elig.next.civil_servant": frozenset(),
    "elig.next.employer": frozenset(),
    "elig.next.family": frozenset({"limit"}),
    "elig.next.choose_jobs": frozenset({"max"}),
}


def verdict_message(
    verdict: Verdict, catalog: Catalog, lang: str, address: Mapping[str, str]
) -> str:
    """The verdict as one message: headline, reasons, then next steps, one per line."""
    params = {**verdict.message_params(lang), **address}
    keys = (verdict.headline, *verdict.reasons, *verdict.next_steps)
    headline, *rest = (catalog.text(lang, key, **params) for key in keys)
    return "\n\n".join([headline, "\n".join(f"• {line}" for line in rest)])
