"""Re-encrypt stored personal data with the current key (after `LINDUNGI_ENCRYPTION_KEY` changed).

The cipher reads with the current key or any previous one, and writes with the current one;
NIK hashes are recomputed with the current key so that look-ups find them again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlmodel import col, select

from storage.infra.crypto import Cipher
from storage.infra.db import Database
from storage.models import FlowSubmission, Question, Registration
from storage.repos import audit
from storage.repos.flow_submissions import ANSWERS_CONTEXT
from storage.repos.questions import ANSWER_CONTEXT, TEXT_CONTEXT
from storage.repos.registrations import NIK_CONTEXT

BATCH = 500


@dataclass(frozen=True)
class Rotated:
    registrations: int
    questions: int
    flow_submissions: int = 0


async def rotate(db: Database, cipher: Cipher, actor: str = "cli") -> Rotated:
    """Rewrite every encrypted column and NIK hash with the cipher's current key."""
    registrations = await _registrations(db, cipher)
    questions = await _questions(db, cipher)
    submissions = await _flow_submissions(db, cipher)
    async with db.session() as session:
        await audit.record(
            session,
            actor,
            "keys.rotated",
            "system",
            "encryption",
            {
                "registrations": registrations,
                "questions": questions,
                "flow_submissions": submissions,
            },
        )
        await session.commit()
    return Rotated(registrations, questions, submissions)


async def _in_batches(
    db: Database,
    model: type[Registration] | type[Question] | type[FlowSubmission],
    rewrite: Callable[[Any], bool],
) -> int:
    """Apply `rewrite` to every row, BATCH rows a transaction; counts rows it rewrote."""
    done, last = 0, 0
    while True:
        async with db.session() as session:
            rows = (
                await session.exec(
                    select(model).where(col(model.id) > last).order_by(col(model.id)).limit(BATCH)
                )
            ).all()
            if not rows:
                return done
            for row in rows:
                last = getattr(row, "id", None) or last
                if rewrite(row):
                    session.add(row)
                    done += 1
            await session.commit()


async def _registrations(db: Database, cipher: Cipher) -> int:
    def rewrite(row: Registration) -> bool:
        if not row.nik_ciphertext:  # erased
            return False
        nik = cipher.decrypt_text(row.nik_ciphertext, context=NIK_CONTEXT)
        row.nik_ciphertext = cipher.encrypt_text(nik, context=NIK_CONTEXT)
        row.nik_hash = cipher.keyed_hash(nik)
        return True

    return await _in_batches(db, Registration, rewrite)


def _again(cipher: Cipher, token: str, context: str) -> str:
    """`token` decrypted (with any key `cipher` knows) and encrypted with its current key."""
    return cipher.encrypt_text(cipher.decrypt_text(token, context), context)


async def _questions(db: Database, cipher: Cipher) -> int:
    def rewrite(row: Question) -> bool:
        row.text_ciphertext = _again(cipher, row.text_ciphertext, TEXT_CONTEXT)
        if row.answer_ciphertext:
            row.answer_ciphertext = _again(cipher, row.answer_ciphertext, ANSWER_CONTEXT)
        return True

    return await _in_batches(db, Question, rewrite)


async def _flow_submissions(db: Database, cipher: Cipher) -> int:
    def rewrite(row: FlowSubmission) -> bool:
        row.answers_ciphertext = _again(cipher, row.answers_ciphertext, ANSWERS_CONTEXT)
        return True

    return await _in_batches(db, FlowSubmission, rewrite)
