"""Who may join, and who pays: the eligibility verdict for one applicant on one date.

:func:`assess` is pure: the national rules (`rules.yaml`), the program files and the quota
counts come in as arguments. The region is decided by where the worker says they live
(`domicile_regency`), never by the region code inside the NIK (regions split, people move).
Texts live in ``locales/<lang>.eligibility.yaml`` under ``elig.``; :data:`MESSAGE_PARAMS`
lists the placeholders each key receives.

The package: :mod:`.verdict` (the applicant and the verdict), :mod:`.assess` (the rules),
:mod:`.messages` (catalogue keys and the verdict as text).
"""

from domain.eligibility.assess import QuotaLeft, assess, pending_questions
from domain.eligibility.messages import MESSAGE_PARAMS, verdict_message
from domain.eligibility.verdict import Applicant, PendingQuestion, Verdict, VerdictKind, age_on

__all__ = [
    "MESSAGE_PARAMS",
    "Applicant",
    "PendingQuestion",
    "QuotaLeft",
    "Verdict",
    "VerdictKind",
    "age_on",
    "assess",
    "pending_questions",
    "verdict_message",
]
