"""Storing and finding workers' registrations; a submission is idempotent by its key.

The NIK is kept encrypted (AES-GCM) with a keyed hash for look-ups and a masked copy to show.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.errors import DuplicateNikError, StorageError
from storage.infra.crypto import Cipher
from storage.infra.db import Database
from storage.models import GENDERS, LANGUAGES, Consent, Registration, utcnow
from storage.repos import audit

# No 0/O or 1/I, so a reference read aloud or copied by hand survives.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
NIK_CONTEXT = "nik"
_NIK = re.compile(r"^\d{16}$")
_ATTEMPTS = 5


@dataclass(frozen=True)
class NewRegistration:
    """Everything the conversation collected, plus the consent the worker gave."""

    submission_key: str
    full_name: str
    nik: str
    birth_date: date
    gender: str
    phone: str
    occupation: str
    occupation_other: str | None
    region: str
    regency: str
    monthly_income: int
    heir_name: str | None
    heir_relation: str | None
    program: str | None
    telegram_user_id: int
    telegram_chat_id: int
    language: str
    consent_purpose: str
    consent_version: str
    consent_text_sha256: str
    consent_at: datetime
    registered_by: str | None = None


@dataclass(frozen=True)
class RegistrationSummary:
    """What a worker may be shown about their own registration (the NIK only masked)."""

    id: int
    reference: str
    status: str
    full_name: str
    nik_masked: str
    program: str | None
    occupation: str
    region: str
    kpj: str | None
    reason: str | None
    created_at: datetime
    decided_at: datetime | None
    # Who registered it on Telegram (None: listed by an office, or erased).
    telegram_user_id: int | None = None

    @classmethod
    def of(cls, row: Registration) -> RegistrationSummary:
        assert row.id is not None
        return cls(
            id=row.id,
            reference=row.reference,
            status=row.status,
            full_name=row.full_name,
            nik_masked=row.nik_masked,
            program=row.program,
            occupation=row.occupation,
            region=row.region,
            kpj=row.kpj,
            reason=row.reason,
            created_at=row.created_at,
            decided_at=row.decided_at,
            telegram_user_id=row.telegram_user_id,
        )


def new_reference() -> str:
    """A random reference like `LND-7Q4K-2M`."""
    chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))
    return f"LND-{chars[:4]}-{chars[4:]}"


def mask_nik(nik: str) -> str:
    """`3604••••••••0001`: the first and last four digits only."""
    return f"{nik[:4]}{'•' * 8}{nik[-4:]}"


def _check(new: NewRegistration) -> None:
    if not _NIK.match(new.nik):
        raise ValueError("the NIK must be 16 digits")
    if new.gender not in GENDERS:
        raise ValueError(f"gender must be one of {', '.join(GENDERS)}")
    if new.language not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}")
    if new.monthly_income < 0:
        raise ValueError("the monthly income cannot be negative")
    if new.consent_at.tzinfo is None:
        raise ValueError("the consent time must be timezone-aware")


class Registrations:
    """Queries on registrations; each method runs in its own transaction."""

    def __init__(self, db: Database, cipher: Cipher) -> None:
        self._db = db
        self._cipher = cipher

    async def submit(self, new: NewRegistration) -> tuple[RegistrationSummary, bool]:
        """Store a registration with its consent and an audit row, in one transaction.

        Returns `(summary, True)` when stored, `(existing, False)` when this submission key was
        stored before. Raises `DuplicateNikError` when another registration has this NIK.
        """
        _check(new)
        nik_hash = self._cipher.keyed_hash(new.nik)
        known = self._cipher.keyed_hashes(new.nik)
        for attempt in range(_ATTEMPTS):
            existing = await self._previous(new.submission_key, known)
            if existing is not None:
                return existing, False
            try:
                return await self._insert(new, nik_hash), True
            except IntegrityError:
                # A concurrent submission won the unique index (or, rarely, the reference
                # was taken): the next round reads what is there now.
                if attempt == _ATTEMPTS - 1:
                    raise
        raise StorageError("the registration could not be stored")  # pragma: no cover

    async def _previous(
        self, submission_key: str, nik_hashes: list[str]
    ) -> RegistrationSummary | None:
        # One statement, so a concurrent commit cannot fall between the two look-ups.
        async with self._db.session() as session:
            result = await session.exec(
                select(Registration).where(
                    or_(
                        col(Registration.submission_key) == submission_key,
                        col(Registration.nik_hash).in_(nik_hashes),
                    )
                )
            )
            rows = result.all()
        for row in rows:
            if row.submission_key == submission_key:
                return RegistrationSummary.of(row)
        if rows:
            raise DuplicateNikError(RegistrationSummary.of(rows[0]))
        return None

    async def _insert(self, new: NewRegistration, nik_hash: str) -> RegistrationSummary:
        now = utcnow()
        row = Registration(
            reference=new_reference(),
            status="pending",
            full_name=new.full_name,
            nik_ciphertext=self._cipher.encrypt_text(new.nik, context=NIK_CONTEXT),
            nik_hash=nik_hash,
            nik_masked=mask_nik(new.nik),
            birth_date=new.birth_date,
            gender=new.gender,
            phone=new.phone,
            occupation=new.occupation,
            occupation_other=new.occupation_other,
            region=new.region,
            regency=new.regency,
            monthly_income=new.monthly_income,
            heir_name=new.heir_name,
            heir_relation=new.heir_relation,
            program=new.program,
            telegram_user_id=new.telegram_user_id,
            telegram_chat_id=new.telegram_chat_id,
            language=new.language,
            submission_key=new.submission_key,
            registered_by=new.registered_by,
            created_at=now,
            updated_at=now,
        )
        async with self._db.session() as session:
            session.add(row)
            await session.flush()
            assert row.id is not None
            session.add(
                Consent(
                    registration_id=row.id,
                    telegram_user_id=new.telegram_user_id,
                    purpose=new.consent_purpose,
                    text_version=new.consent_version,
                    text_sha256=new.consent_text_sha256,
                    language=new.language,
                    given_at=new.consent_at,
                )
            )
            await audit.record(
                session,
                actor=f"worker:{new.telegram_user_id}",
                action="registration.submitted",
                subject_type="registration",
                subject_id=row.id,
                detail={"reference": row.reference, "program": new.program},
            )
            await session.commit()
        return RegistrationSummary.of(row)

    async def find_by_nik(self, nik: str) -> RegistrationSummary | None:
        async with self._db.session() as session:
            hashes = self._cipher.keyed_hashes(nik)
            row = await _one(session, col(Registration.nik_hash).in_(hashes))
        return None if row is None else RegistrationSummary.of(row)

    async def latest_for_telegram_user(self, telegram_user_id: int) -> RegistrationSummary | None:
        async with self._db.session() as session:
            result = await session.exec(
                select(Registration)
                .where(col(Registration.telegram_user_id) == telegram_user_id)
                .order_by(col(Registration.created_at).desc(), col(Registration.id).desc())
                .limit(1)
            )
            row = result.first()
        return None if row is None else RegistrationSummary.of(row)

    async def get(self, registration_id: int) -> Registration | None:
        async with self._db.session() as session:
            return await session.get(Registration, registration_id)

    def reveal_nik(self, row: Registration) -> str:
        """Decrypt the full NIK; callers record `nik.viewed` in the audit log."""
        if not row.nik_ciphertext:  # erased
            return row.nik_masked
        return self._cipher.decrypt_text(row.nik_ciphertext, context=NIK_CONTEXT)


async def _one(session: AsyncSession, condition: ColumnElement[bool]) -> Registration | None:
    result = await session.exec(select(Registration).where(condition))
    return result.first()
