"""A worker's rights over their data (UU 27/2022): see it, correct it, withdraw consent, erase it.

Erasure is requested by the worker (consent is withdrawn and broadcasts stop at once) and
completed by an official within 3x24 hours: personal values are overwritten, while anonymous
facts (status, occupation, region, program, dates) and an audit trail that no longer names the
worker stay for the counts. What exactly goes and stays: docs/erasure.md, `storage.repos.erasure`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import col, select

from storage.errors import ConflictError, NotFoundError
from storage.infra.crypto import Cipher
from storage.infra.db import Database
from storage.models import Consent, DataRequest, Registration, utcnow
from storage.repos import audit, quotas
from storage.repos.erasure import ERASED_NAME, Eraser, stop_broadcasts, worker_chats

ERASURE_DEADLINE = timedelta(hours=72)
CORRECTABLE = frozenset(
    {
        "full_name",
        "phone",
        "occupation",
        "occupation_other",
        "region",
        "regency",
        "monthly_income",
        "heir_name",
        "heir_relation",
    }
)
# A correction of an already decided registration sends it back to the officials.
BACK_TO_REVIEW = frozenset({"approved", "active", "rejected"})
_CORRECTION_ATTEMPTS = 3


class DataRights:
    """What a worker can do with their own registration, and the officials' erasure duty."""

    def __init__(self, db: Database, cipher: Cipher) -> None:
        self.db = db
        self.cipher = cipher

    async def _latest(self, telegram_user_id: int) -> Registration | None:
        async with self.db.session() as session:
            result = await session.exec(
                select(Registration)
                .where(Registration.telegram_user_id == telegram_user_id)
                .where(Registration.full_name != ERASED_NAME)
                .order_by(col(Registration.created_at).desc(), col(Registration.id).desc())
                .limit(1)
            )
            return result.first()

    async def my_data(self, telegram_user_id: int) -> dict[str, Any] | None:
        """Everything stored about the worker's latest registration (NIK masked)."""
        row = await self._latest(telegram_user_id)
        if row is None:
            return None
        async with self.db.session() as session:
            consent = (
                await session.exec(
                    select(Consent)
                    .where(Consent.registration_id == row.id)
                    .order_by(col(Consent.given_at).desc())
                )
            ).first()
            pending = (
                await session.exec(
                    select(DataRequest)
                    .where(DataRequest.registration_id == row.id)
                    .where(DataRequest.state == "open")
                )
            ).first()
        return {
            "reference": row.reference,
            "status": row.status,
            "full_name": row.full_name,
            "nik_masked": row.nik_masked,
            "birth_date": row.birth_date.isoformat(),
            "gender": row.gender,
            "phone": row.phone,
            "occupation": row.occupation,
            "occupation_other": row.occupation_other,
            "region": row.region,
            "regency": row.regency,
            "monthly_income": row.monthly_income,
            "heir_name": row.heir_name,
            "heir_relation": row.heir_relation,
            "program": row.program,
            "created_at": row.created_at.isoformat(),
            "consent_at": consent.given_at.isoformat() if consent else None,
            "consent_withdrawn": bool(consent and consent.withdrawn_at),
            "erasure_requested": pending is not None,
        }

    async def correct(self, telegram_user_id: int, changes: dict[str, Any]) -> tuple[str, bool]:
        """Apply the worker's corrections; returns (reference, sent back to review).

        A registration sent back to review gives its quota place back in the same transaction,
        so that approving it again takes one again.
        """
        unknown = set(changes) - CORRECTABLE
        if unknown:
            raise ValueError(f"these fields cannot be corrected here: {sorted(unknown)}")
        for _ in range(_CORRECTION_ATTEMPTS):
            row = await self._latest(telegram_user_id)
            if row is None:
                raise NotFoundError("no registration from this Telegram account")
            assert row.id is not None
            if await self._apply(telegram_user_id, row, changes):
                return row.reference, row.status in BACK_TO_REVIEW
        raise ConflictError("the registration kept changing while it was being corrected")

    async def _apply(
        self, telegram_user_id: int, row: Registration, changes: dict[str, Any]
    ) -> bool:
        """Apply `changes` if the registration still has the status it was read with."""
        back = row.status in BACK_TO_REVIEW
        values: dict[str, Any] = {**changes, "updated_at": utcnow()}
        if back:
            values.update(status="pending", decided_at=None, decided_by=None, reason=None)
        async with self.db.session() as session:
            # The conditional UPDATE comes first: an official's decision in between makes it
            # change nothing (and we read again), and on SQLite it takes the write lock.
            result = await session.exec(
                update(Registration)
                .where(col(Registration.id) == row.id, col(Registration.status) == row.status)
                .values(**values)
                .execution_options(synchronize_session=False)
            )
            if result.rowcount != 1:
                return False
            detail: dict[str, Any] = {
                "fields": sorted(changes),
                "back_to_review": back,
                "was": row.status,
            }
            if row.status in quotas.HOLDING:
                assert row.id is not None
                released = await quotas.release_place(session, row.id)
                if released is not None:
                    detail["program"], detail["released_quota"] = released
            await audit.record(
                session,
                f"worker:{telegram_user_id}",
                "registration.corrected",
                "registration",
                str(row.id),
                detail,
            )
            await session.commit()
        return True

    async def request_erasure(self, telegram_user_id: int) -> DataRequest:
        """Withdraw consent now and open an erasure request due within 3x24 hours."""
        row = await self._latest(telegram_user_id)
        if row is None:
            raise NotFoundError("no registration from this Telegram account")
        now = utcnow()
        async with self.db.session() as session:
            existing = (
                await session.exec(
                    select(DataRequest)
                    .where(DataRequest.registration_id == row.id)
                    .where(DataRequest.state == "open")
                )
            ).first()
            if existing is not None:
                return existing
            await session.exec(
                update(Consent)
                .where(col(Consent.registration_id) == row.id)
                .where(col(Consent.withdrawn_at).is_(None))
                .values(withdrawn_at=now)
            )
            request = DataRequest(
                kind="erasure",
                registration_id=row.id,
                telegram_user_id=telegram_user_id,
                requested_at=now,
                due_at=now + ERASURE_DEADLINE,
            )
            session.add(request)
            await session.flush()
            # Consent is gone: no broadcast may reach the worker from now on.
            chats = await worker_chats(session, telegram_user_id)
            chats.add(row.telegram_chat_id)
            await stop_broadcasts(session, chats)
            await audit.record(
                session,
                f"worker:{telegram_user_id}",
                "consent.withdrawn",
                "registration",
                str(row.id),
                {"erasure_request": request.id},
            )
            await session.commit()
            return request

    async def open_requests(self) -> list[DataRequest]:
        """Requests still to complete, the most urgent first."""
        async with self.db.session() as session:
            result = await session.exec(
                select(DataRequest)
                .where(DataRequest.state == "open")
                .order_by(col(DataRequest.due_at))
            )
            return list(result.all())

    async def erasure_chats(self, request_id: int) -> set[int]:
        """The chats an open request's erasure will cover (to hold them while it runs)."""
        async with self.db.session() as session:
            request = await session.get(DataRequest, request_id)
            if request is None or request.state != "open":
                return set()
            chats = await worker_chats(session, request.telegram_user_id)
            if request.registration_id is not None:
                row = await session.get(Registration, request.registration_id)
                if row is not None:
                    chats.add(row.telegram_chat_id)
            chats.discard(0)
            return chats

    async def complete_erasure(self, request_id: int, actor: str) -> set[int]:
        """Overwrite the worker's personal data (docs/erasure.md); keep anonymous facts.

        Returns the worker's chats: their conversation state is not in the database, and
        whoever completes the erasure forgets it too (`console.erasure`).
        """
        async with self.db.session() as session:
            request = await session.get(DataRequest, request_id)
            if request is None:
                raise NotFoundError(f"no data request {request_id}")
            if request.state != "open":
                raise ConflictError("this request is already completed")
            chats = await Eraser(session, self.cipher).erase(request)
            request.state = "done"
            request.completed_at = utcnow()
            request.completed_by = actor
            request.telegram_user_id = 0
            session.add(request)
            await audit.record(
                session, actor, "registration.erased", "data_request", str(request_id), None
            )
            await session.commit()
        # The old values may still sit in SQLite's write-ahead log: fold it into the file.
        await self.db.checkpoint()
        return chats
