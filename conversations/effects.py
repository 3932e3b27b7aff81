"""What the engine asks the host to do (a database look-up or write), and what it gets back.

Each effect is a frozen dataclass whose `kind` names it in logs and transcripts and whose
fields are its parameters; `result_type` is the typed answer the host gives
(`Engine.resume(session, effect, result)`). A result may be None where the host found nothing
(no registration, no such link code). `result_from` builds a result from its dict form, whose
keys are the result's field names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar

__all__ = [
    "EFFECTS",
    "AskOfficial",
    "Correct",
    "Corrected",
    "DataRecord",
    "Effect",
    "Erase",
    "ErasureRequested",
    "FlowReceipt",
    "FlowSubmit",
    "LinkOfficial",
    "MyData",
    "MyStatus",
    "NikStatus",
    "OfficialLinked",
    "QuestionSent",
    "Quotas",
    "QuotasLeft",
    "RegistrationStatus",
    "Result",
    "Submit",
    "Submitted",
    "result_from",
]


class Result:
    """Base of the host's answers: built from a dict whose keys are the field names."""

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Any:
        known = {f.name for f in fields(cls)}  # type: ignore[arg-type]
        unknown = set(data) - known
        if unknown:
            raise TypeError(f"{cls.__name__}: unknown field(s) {', '.join(sorted(unknown))}")
        return cls(**data)


@dataclass(frozen=True)
class RegistrationStatus(Result):
    """A stored registration as a worker may see it."""

    reference: str = ""
    status: str = "pending"
    program: str | None = None
    program_name: str | None = None
    kpj: str | None = None
    reason: str | None = None
    created_at: str | None = None
    # Whether the asking chat made this registration. Only then are its reference, date and
    # status shown: anyone may type a NIK, and a NIK must not reveal another person's data.
    own: bool = True


@dataclass(frozen=True)
class Submitted(RegistrationStatus):
    """A registration sent: `created`, `existing` (the same one again) or `duplicate_nik`."""

    outcome: str = "created"


@dataclass(frozen=True)
class FlowReceipt(Result):
    """A flow pack's answers stored under a reference."""

    reference: str
    outcome: str = "created"
    created_at: str | None = None


@dataclass(frozen=True)
class DataRecord(Result):
    """Everything stored about a worker's latest registration (NIK masked)."""

    reference: str
    status: str
    full_name: str
    nik_masked: str
    birth_date: str
    gender: str
    phone: str
    occupation: str
    region: str
    regency: str
    monthly_income: int
    created_at: str
    occupation_other: str | None = None
    heir_name: str | None = None
    heir_relation: str | None = None
    program: str | None = None
    consent_at: str | None = None
    consent_withdrawn: bool = False
    erasure_requested: bool = False


@dataclass(frozen=True)
class Corrected(Result):
    """A correction applied; `back_to_review` when a decided registration is reviewed again."""

    reference: str
    back_to_review: bool = False


@dataclass(frozen=True)
class ErasureRequested(Result):
    """An erasure request recorded; `due_at` is an ISO timestamp."""

    due_at: str


@dataclass(frozen=True)
class QuotasLeft(Result):
    """Places left per `program:quota`; its dict form is that mapping itself."""

    places: Mapping[str, int] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> QuotasLeft:
        return cls({str(k): int(v) for k, v in data.items()})


@dataclass(frozen=True)
class QuestionSent(Result):
    """A question in the officials' inbox."""

    reference: str


@dataclass(frozen=True)
class OfficialLinked(Result):
    """An official's console account linked to this chat."""

    name: str


@dataclass(frozen=True)
class Effect:
    """Base of the effects; subclasses are frozen dataclasses."""

    kind: ClassVar[str]
    result_type: ClassVar[type[Result]]


@dataclass(frozen=True)
class NikStatus(Effect):
    """Is this NIK registered already?  Result: RegistrationStatus or None."""

    kind: ClassVar[str] = "nik_status"
    result_type: ClassVar[type[Result]] = RegistrationStatus
    nik: str


@dataclass(frozen=True)
class Submit(Effect):
    """Store a registration.  Result: Submitted."""

    kind: ClassVar[str] = "submit"
    result_type: ClassVar[type[Result]] = Submitted
    full_name: str
    nik: str
    birth_date: str
    gender: str
    phone: str
    occupation: str
    regency: str
    district: str | None
    region: str
    monthly_income: int
    heir_name: str | None
    consent: Mapping[str, str]
    program: str | None
    key: str
    language: str
    occupation_other: str | None = None
    heir_relation: str | None = None


@dataclass(frozen=True)
class FlowSubmit(Effect):
    """Store a flow pack's answers.  Result: FlowReceipt."""

    kind: ClassVar[str] = "flow_submit"
    result_type: ClassVar[type[Result]] = FlowReceipt
    flow: str
    key: str
    answers: Mapping[str, Any]
    button: str = ""


@dataclass(frozen=True)
class MyStatus(Effect):
    """The worker's latest registration.  Result: RegistrationStatus or None."""

    kind: ClassVar[str] = "my_status"
    result_type: ClassVar[type[Result]] = RegistrationStatus


@dataclass(frozen=True)
class MyData(Effect):
    """Everything stored about the worker.  Result: DataRecord or None."""

    kind: ClassVar[str] = "my_data"
    result_type: ClassVar[type[Result]] = DataRecord


@dataclass(frozen=True)
class Correct(Effect):
    """Change fields of the worker's registration.  Result: Corrected.

    `changes` holds only the fields corrected (a field set to None is cleared), so it cannot
    be spread over fixed fields: which fields are present is the information.
    """

    kind: ClassVar[str] = "correct"
    result_type: ClassVar[type[Result]] = Corrected
    changes: Mapping[str, Any]


@dataclass(frozen=True)
class Erase(Effect):
    """Ask for the worker's data to be erased.  Result: ErasureRequested, None if no data."""

    kind: ClassVar[str] = "erase"
    result_type: ClassVar[type[Result]] = ErasureRequested


@dataclass(frozen=True)
class Quotas(Effect):
    """Places left in the programs serving a regency.  Result: QuotasLeft."""

    kind: ClassVar[str] = "quotas"
    result_type: ClassVar[type[Result]] = QuotasLeft
    regency: str | None


@dataclass(frozen=True)
class AskOfficial(Effect):
    """Put a question in the officials' inbox.  Result: QuestionSent."""

    kind: ClassVar[str] = "ask_official"
    result_type: ClassVar[type[Result]] = QuestionSent
    text: str
    topic: str | None
    language: str


@dataclass(frozen=True)
class LinkOfficial(Effect):
    """Link an official's console account to this chat.  Result: OfficialLinked, None if the
    code is unknown or expired."""

    kind: ClassVar[str] = "link_official"
    result_type: ClassVar[type[Result]] = OfficialLinked
    code: str


EFFECTS: tuple[type[Effect], ...] = (
    NikStatus,
    Submit,
    FlowSubmit,
    MyStatus,
    MyData,
    Correct,
    Erase,
    Quotas,
    AskOfficial,
    LinkOfficial,
)


def result_from(effect_type: type[Effect], data: Mapping[str, Any] | None) -> Any:
    """The typed result of `effect_type` from its dict form (None stays None)."""
    if data is None:
        return None
    return effect_type.result_type.from_dict(data)
