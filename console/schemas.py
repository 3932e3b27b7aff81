"""The JSON API's request and response bodies (they make `/openapi.json` exact).

Registrations appear with the NIK masked, except in the audited single view.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from storage.models import Registration

Status = Literal["pending", "approved", "rejected", "active"]
Gender = Literal["male", "female"]

REGION_PATTERN = r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$"
OCCUPATION_PATTERN = r"^[a-z0-9_]{1,40}$"
PROGRAM_PATTERN = r"^[a-z0-9]+([-_][a-z0-9]+)*$"
# No control characters but tab and line breaks: they cannot be stored or shown safely.
TEXT_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"


def _storable(value: str) -> str:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("the text contains characters that are not valid Unicode") from None
    return value.strip()


class ErrorOut(BaseModel):
    """What every refused request answers."""

    detail: str


class RegistrationOut(BaseModel):
    """A registration as officials see it in lists: the NIK masked."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    reference: str = Field(description="The number the worker was given, like LND-7Q4K-2M.")
    status: Status
    full_name: str
    nik: str = Field(description="The NIK, masked: first and last four digits only.")
    birth_date: date
    gender: Gender
    phone: str = Field(description="E.164, like +6281234567890.")
    occupation: str = Field(description="Occupation id (see the program files).")
    occupation_other: str | None = Field(description="The worker's words when 'other'.")
    region: str = Field(description="Kemendagri code of the village where the worker lives.")
    regency: str = Field(description="Kemendagri code of the regency or city.")
    monthly_income: int = Field(description="Reported monthly income in rupiah.")
    heir_name: str | None
    heir_relation: str | None
    program: str | None = Field(description="Program id, or null for a self-paying member.")
    language: Literal["id", "en"]
    telegram_user_id: int
    created_at: datetime
    decided_at: datetime | None
    decided_by: str | None = Field(description="Username of the official who decided.")
    reason: str | None = Field(description="Why it was rejected.")
    kpj: str | None = Field(description="BPJS Ketenagakerjaan membership number, once issued.")

    @classmethod
    def of(cls, row: Registration, nik: str | None = None) -> Self:
        """This model of a row; `nik` replaces the masked NIK (full view only)."""
        data = {name: getattr(row, name) for name in cls.model_fields if name != "nik"}
        return cls(nik=nik if nik is not None else row.nik_masked, **data)


class RegistrationDetail(RegistrationOut):
    """One registration with the full NIK; each such view is written to the audit log."""

    nik: str = Field(description="The full 16-digit NIK (this view is audited).")


class RegistrationPage(BaseModel):
    items: list[RegistrationOut]
    total: int = Field(description="How many registrations match, over all pages.")


ReasonText = Annotated[
    str,
    Field(min_length=3, max_length=500, pattern=TEXT_PATTERN),
    AfterValidator(_storable),
]


class RejectIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: ReasonText = Field(
        description="Why, in words the worker understands: it is sent to them on Telegram."
    )


class ActivateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kpj: Annotated[
        str,
        Field(min_length=3, max_length=32, pattern=r"^\s*[0-9A-Za-z][0-9A-Za-z .\-/]*\s*$"),
        AfterValidator(_storable),
    ] = Field(description="The membership number (KPJ) BPJS Ketenagakerjaan issued.")


class CountOut(BaseModel):
    key: str | None = Field(description="The value counted (null: none, e.g. no program).")
    label: str | None = Field(description="A readable name of the value, when known.")
    count: int


class DayCountOut(BaseModel):
    day: date = Field(description="Day of registration, Western Indonesia Time (WIB).")
    count: int


class QuotaUseOut(BaseModel):
    program: str
    program_name: str
    quota_id: str
    occupations: list[str]
    limit: int = Field(description="Places the program funds.")
    used: int = Field(description="Places taken by approvals.")
    remaining: int
    estimate: bool = Field(description="The limit is an estimate (see the program file).")


class StatsOut(BaseModel):
    """Counts over the registrations the official may see."""

    total: int
    by_status: dict[str, int]
    by_program: list[CountOut]
    by_occupation: list[CountOut]
    by_region: list[CountOut] = Field(description="By regency or city.")
    per_day: list[DayCountOut] = Field(description="Registrations per day, last `days` days.")
    quotas: list[QuotaUseOut]


class AuditEntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    actor: str = Field(description="official:<id>, worker:<telegram id>, cli or system.")
    action: str
    subject_type: str
    subject_id: str
    detail: dict[str, Any] | None


class AuditPage(BaseModel):
    items: list[AuditEntryOut]
    total: int
