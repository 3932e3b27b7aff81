"""Re-encrypt stored personal data with the current key (after `LINDUNGI_ENCRYPTION_KEY` changed).

The cipher reads with the current key or any previous one, and writes with the current one;
NIK hashes are recomputed with the current key so that look-ups find them again (until then,
look-ups try the previous keys' hashes too: `Cipher.keyed_hashes`).

Resumable: each batch commits on its own and rows already under the current key are left as
they are, so a rotation stopped half-way (a crash, Ctrl-C) is finished by running it again.
Two rows of one NIK (left by an earlier release that looked NIKs up under the new key only)
cannot both carry the new hash: the second keeps its old one and is reported, not fatal.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from storage.infra.crypto import Cipher
from storage.infra.db import Database
from storage.models import FlowSubmission, Question, Registration
from storage.repos import audit, second_factor
from storage.repos.flow_submissions import ANSWERS_CONTEXT
from storage.repos.questions import ANSWER_CONTEXT, TEXT_CONTEXT
from storage.repos.registrations import NIK_CONTEXT

BATCH = 500


@dataclass(frozen=True)
class Rotated:
    registrations: int
    questions: int
    flow_submissions: int = 0
    # Registrations whose NIK another registration already has (ids): an official decides.
    duplicate_niks: tuple[int, ...] = ()


async def rotate(db: Database, cipher: Cipher, actor: str = "cli") -> Rotated:
    """Rewrite every encrypted column and NIK hash with the cipher's current key."""
    registrations, duplicates = await _registrations(db, cipher)
    questions, _ = await _questions(db, cipher)
    submissions, _ = await _flow_submissions(db, cipher)
    second_factors = await second_factor.reencrypt(db, cipher)
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
                "second_factors": second_factors,
                "duplicate_niks": list(duplicates),
            },
        )
        await session.commit()
    return Rotated(registrations, questions, submissions, duplicates)


async def _in_batches(
    db: Database,
    model: type[Registration] | type[Question] | type[FlowSubmission],
    rewrite: Callable[[Any], bool],
) -> tuple[int, tuple[int, ...]]:
    """Apply `rewrite` to every row, BATCH rows a transaction.

    Returns how many rows it rewrote, and the ids of rows a unique index refused (left as
    they were): a refused batch is done again a row at a time.
    """
    done, last = 0, 0
    refused: list[int] = []
    while True:
        async with db.session() as session:
            rows = (
                await session.exec(
                    select(model).where(col(model.id) > last).order_by(col(model.id)).limit(BATCH)
                )
            ).all()
            if not rows:
                return done, tuple(refused)
            ids = [int(getattr(row, "id", 0) or 0) for row in rows]
            last = max(ids)
            changed = [row for row in rows if rewrite(row)]
            session.add_all(changed)
            try:
                await session.commit()
                done += len(changed)
                continue
            except IntegrityError:
                await session.rollback()
        for row_id in ids:
            async with db.session() as session:
                row = await session.get(model, row_id)
                if row is None or not rewrite(row):
                    continue
                session.add(row)
                try:
                    await session.commit()
                    done += 1
                except IntegrityError:
                    await session.rollback()
                    refused.append(row_id)


async def _registrations(db: Database, cipher: Cipher) -> tuple[int, tuple[int, ...]]:
    def rewrite(row: Registration) -> bool:
        if not row.nik_ciphertext:  # erased
            return False
        nik = cipher.decrypt_text(row.nik_ciphertext, context=NIK_CONTEXT)
        current = cipher.keyed_hash(nik)
        if row.nik_hash == current and cipher.is_current(row.nik_ciphertext, NIK_CONTEXT):
            return False  # rotated already (a rotation run again after stopping)
        row.nik_ciphertext = cipher.encrypt_text(nik, context=NIK_CONTEXT)
        row.nik_hash = current
        return True

    return await _in_batches(db, Registration, rewrite)


def _again(cipher: Cipher, token: str, context: str) -> str:
    """`token` decrypted (with any key `cipher` knows) and encrypted with its current key."""
    return cipher.encrypt_text(cipher.decrypt_text(token, context), context)


async def _questions(db: Database, cipher: Cipher) -> tuple[int, tuple[int, ...]]:
    def rewrite(row: Question) -> bool:
        if cipher.is_current(row.text_ciphertext, TEXT_CONTEXT) and (
            not row.answer_ciphertext or cipher.is_current(row.answer_ciphertext, ANSWER_CONTEXT)
        ):
            return False
        row.text_ciphertext = _again(cipher, row.text_ciphertext, TEXT_CONTEXT)
        if row.answer_ciphertext:
            row.answer_ciphertext = _again(cipher, row.answer_ciphertext, ANSWER_CONTEXT)
        return True

    return await _in_batches(db, Question, rewrite)


async def _flow_submissions(db: Database, cipher: Cipher) -> tuple[int, tuple[int, ...]]:
    def rewrite(row: FlowSubmission) -> bool:
        if cipher.is_current(row.answers_ciphertext, ANSWERS_CONTEXT):
            return False
        row.answers_ciphertext = _again(cipher, row.answers_ciphertext, ANSWERS_CONTEXT)
        return True

    return await _in_batches(db, FlowSubmission, rewrite)
