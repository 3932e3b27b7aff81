"""What the pages show of a registration: codes turned into names, dates in WIB, rupiah.

Pure functions of the stored row and the loaded programs and regions; no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from console.exporting import national_phone
from console.labels import occupation_label, region_name, region_path, relation_label
from console.quotas import program_name
from console.services import ConsoleServices
from console.web.texts import MONTHS, TEXT
from storage.errors import ConflictError, NotFoundError, QuotaFullError
from storage.models import Registration
from storage.repos.stats import WIB


def when(value: datetime | None) -> str:
    """`9 Des 2025 10.00 WIB`, or '' for no time."""
    if value is None:
        return ""
    local = value.astimezone(WIB)
    return f"{local.day} {MONTHS[local.month - 1]} {local.year} {local:%H.%M} WIB"


def day(value: date | None) -> str:
    """`15-05-1990`, the way Indonesian forms write a date."""
    return value.strftime("%d-%m-%Y") if value is not None else ""


def number(value: int) -> str:
    """`21.434`, with the Indonesian thousands separator."""
    return f"{value:,}".replace(",", ".")


def rupiah(amount: int | None) -> str:
    """`Rp1.500.000`."""
    return "" if amount is None else "Rp" + number(amount)


def status_label(status: str) -> str:
    return TEXT.get(f"status_{status}", status)


@dataclass(frozen=True)
class RegistrationView:
    """One registration ready for a template; `nik` is masked unless the full one was asked for."""

    id: int
    reference: str
    status: str
    status_label: str
    full_name: str
    nik: str
    nik_full: bool
    birth_date: str
    gender: str
    phone: str
    occupation: str
    region_code: str
    village: str
    district: str
    regency: str
    province: str
    income: str
    heir: str
    program: str | None
    program_id: str | None
    language: str
    registered_by: str | None
    created_at: str
    decided_at: str
    decided_by: str | None
    reason: str | None
    kpj: str | None

    @property
    def place(self) -> str:
        """Village and regency, the short form lists show."""
        return ", ".join(part for part in (self.village, self.regency) if part) or self.region_code


def view(row: Registration, services: ConsoleServices, nik: str | None = None) -> RegistrationView:
    """The view of `row`; pass `nik` only after the full NIK's view was audited."""
    assert row.id is not None
    village, district, regency, province = region_path(services.regions, row.region)
    heir = row.heir_name or ""
    if heir and row.heir_relation:
        heir = f"{heir} ({relation_label(row.heir_relation)})"
    return RegistrationView(
        id=row.id,
        reference=row.reference,
        status=row.status,
        status_label=status_label(row.status),
        full_name=row.full_name,
        nik=nik if nik is not None else row.nik_masked,
        nik_full=nik is not None,
        birth_date=day(row.birth_date),
        gender=TEXT.get(f"gender_{row.gender}", row.gender),
        phone=national_phone(row.phone),
        occupation=occupation_label(row.occupation, row.occupation_other),
        region_code=row.region,
        village=village,
        district=district,
        regency=regency or region_name(services.regions, row.regency),
        province=province,
        income=rupiah(row.monthly_income),
        heir=heir,
        program=program_name(services.programs, row.program) or row.program,
        program_id=row.program,
        language="English" if row.language == "en" else "Bahasa Indonesia",
        registered_by=row.registered_by,
        created_at=when(row.created_at),
        decided_at=when(row.decided_at),
        decided_by=row.decided_by,
        reason=row.reason,
        kpj=row.kpj,
    )


def refusal(exc: Exception, current: str | None = None) -> str:
    """Why a decision was not applied, in the officials' words; `current` is the status now."""
    if isinstance(exc, QuotaFullError):
        return TEXT["quota_full"].format(quota=exc.quota_id, program=exc.program, limit=exc.limit)
    if isinstance(exc, ConflictError):
        return TEXT["conflict"].format(status=status_label(current or "?").lower())
    if isinstance(exc, NotFoundError):
        return TEXT["not_found"]
    return TEXT["invalid_input"]
