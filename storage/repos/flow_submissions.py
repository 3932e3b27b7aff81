"""Storing the answers of a flow pack's `submit` step (see `LINDUNGI_FLOW`), idempotently.

The answers are kept as JSON encrypted with the project's cipher: a pack may ask for a NIK.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from storage.errors import StorageError
from storage.infra.crypto import Cipher
from storage.infra.db import Database
from storage.models import AuditLog, FlowSubmission, utcnow
from storage.repos import audit
from storage.repos.registrations import REFERENCE_ALPHABET

ANSWERS_CONTEXT = "flow_submission"
REFERENCE_PREFIX = "REG-"
_ATTEMPTS = 5
# Built once; each submission only binds its values.
_INSERT_SUBMISSION = insert(FlowSubmission)
_INSERT_AUDIT = insert(AuditLog)


def new_reference() -> str:
    """Like ``REG-7Q4K2MXA``: 8 characters that survive being read aloud."""
    return REFERENCE_PREFIX + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))


@dataclass(frozen=True)
class StoredSubmission:
    reference: str
    created: bool
    created_at: datetime


class FlowSubmissions:
    """The `flow_submissions` table: one row per submission key."""

    def __init__(self, db: Database, cipher: Cipher) -> None:
        self._db = db
        self._cipher = cipher

    async def submit(
        self,
        flow: str,
        submission_key: str,
        telegram_user_id: int,
        telegram_chat_id: int,
        answers: dict[str, Any],
    ) -> StoredSubmission:
        """Store the answers once; the same key again returns the first row's reference."""
        plain = orjson.dumps(answers).decode()
        for _ in range(_ATTEMPTS):
            created_at = utcnow()
            reference = new_reference()
            row = {
                "flow": flow,
                "reference": reference,
                "telegram_user_id": telegram_user_id,
                "telegram_chat_id": telegram_chat_id,
                "answers_ciphertext": self._cipher.encrypt_text(plain, context=ANSWERS_CONTEXT),
                "submission_key": submission_key,
                "created_at": created_at,
            }
            entry = audit.entry(
                actor=f"worker:{telegram_user_id}",
                action="flow.submitted",
                subject_type="flow_submission",
                subject_id=reference,
                detail={"flow": flow},
            )
            try:
                # Two plain INSERTs in one transaction (no ORM unit of work on this hot path).
                async with self._db.engine.begin() as conn:
                    await conn.execute(_INSERT_SUBMISSION, row)
                    await conn.execute(_INSERT_AUDIT, entry)
                return StoredSubmission(reference, True, created_at)
            except IntegrityError:
                # The key was stored before (a redelivery), or, rarely, the reference is taken.
                existing = await self.find(submission_key)
                if existing is not None:
                    return StoredSubmission(existing.reference, False, existing.created_at)
        raise StorageError("the submission could not be stored")

    async def find(self, submission_key: str) -> FlowSubmission | None:
        async with self._db.session() as session:
            result = await session.exec(
                select(FlowSubmission).where(col(FlowSubmission.submission_key) == submission_key)
            )
            return result.first()

    def answers(self, row: FlowSubmission) -> dict[str, Any]:
        """The decrypted answers of a stored row."""
        value = orjson.loads(self._cipher.decrypt_text(row.answers_ciphertext, ANSWERS_CONTEXT))
        assert isinstance(value, dict)
        return value
