"""Officials' second factor: a TOTP secret (RFC 6238, any authenticator app) and recovery codes.

The secret is encrypted like personal data. It counts only once a first code confirmed it;
confirming gives `RECOVERY_CODES` recovery codes, shown once and kept only as SHA-256 digests,
each good for one login. A TOTP code is accepted once: the step it belongs to is recorded with
a conditional UPDATE, so a code seen over a shoulder cannot be used again.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import datetime

import pyotp
from sqlalchemy import delete, or_, update
from sqlmodel import col, select

from storage.errors import NotFoundError
from storage.infra.crypto import Cipher
from storage.infra.db import Database
from storage.models import Official, RecoveryCode, utcnow
from storage.repos import audit

ISSUER = "Lindungi"
RECOVERY_CODES = 10
STEP_SECONDS = 30
# A code of the step before or after is accepted too: phone clocks drift.
DRIFT_STEPS = 1
_CONTEXT = "officials.totp"
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def _digest(code: str) -> str:
    normal = code.strip().lower().replace("-", "").replace(" ", "")
    return hashlib.sha256(b"recovery:" + normal.encode()).hexdigest()


def _recovery_code() -> str:
    raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


async def reencrypt(db: Database, cipher: Cipher) -> int:
    """Rewrite every TOTP secret with the cipher's current key (`storage.repos.rotation`)."""
    done = 0
    async with db.session() as session:
        rows = (
            await session.exec(
                select(Official).where(
                    or_(
                        col(Official.totp_ciphertext).is_not(None),
                        col(Official.totp_pending).is_not(None),
                    )
                )
            )
        ).all()
        for official in rows:
            if official.totp_ciphertext:
                secret = cipher.decrypt_text(official.totp_ciphertext, context=_CONTEXT)
                official.totp_ciphertext = cipher.encrypt_text(secret, context=_CONTEXT)
            if official.totp_pending:
                pending = cipher.decrypt_text(official.totp_pending, context=f"{_CONTEXT}.pending")
                official.totp_pending = cipher.encrypt_text(pending, context=f"{_CONTEXT}.pending")
            session.add(official)
            done += 1
        await session.commit()
    return done


class SecondFactor:
    """Set up, confirm and check an official's second factor."""

    def __init__(
        self, db: Database, cipher: Cipher, clock: Callable[[], datetime] = utcnow
    ) -> None:
        self._db = db
        self._cipher = cipher
        self._clock = clock

    async def begin(self, official_id: int) -> tuple[str, str]:
        """A new secret awaiting confirmation: (the key to type, its otpauth:// URI).

        An earlier second factor keeps working until the new one is confirmed.
        """
        secret = pyotp.random_base32()
        async with self._db.session() as session:
            official = await session.get(Official, official_id)
            if official is None:
                raise NotFoundError(f"no official has the id {official_id}")
            pending = self._cipher.encrypt_text(secret, context=f"{_CONTEXT}.pending")
            official.totp_pending = pending
            session.add(official)
            await session.commit()
            uri = pyotp.TOTP(secret).provisioning_uri(name=official.username, issuer_name=ISSUER)
        return secret, uri

    async def confirm(self, official_id: int, code: str) -> list[str] | None:
        """Switch to the pending secret if `code` matches it; returns new recovery codes."""
        now = self._clock()
        async with self._db.session() as session:
            official = await session.get(Official, official_id, with_for_update=True)
            if official is None or official.totp_pending is None:
                return None
            secret = self._cipher.decrypt_text(official.totp_pending, context=f"{_CONTEXT}.pending")
            step = self._matching_step(secret, code, now)
            if step is None:
                return None
            official.totp_ciphertext = self._cipher.encrypt_text(secret, context=_CONTEXT)
            official.totp_pending = None
            official.totp_enabled_at = now
            official.totp_last_step = step
            session.add(official)
            await session.exec(
                delete(RecoveryCode).where(col(RecoveryCode.official_id) == official_id)
            )
            codes = [_recovery_code() for _ in range(RECOVERY_CODES)]
            for recovery in codes:
                session.add(RecoveryCode(official_id=official_id, code_hash=_digest(recovery)))
            await audit.record(
                session, f"official:{official_id}", "official.totp_enabled", "official", official_id
            )
            await session.commit()
        return codes

    async def check(self, official_id: int, code: str) -> bool:
        """Whether `code` (a TOTP code, or an unused recovery code) proves the second factor.

        Each is accepted once, even when two requests bring it at the same moment.
        """
        now = self._clock()
        async with self._db.session() as session:
            official = await session.get(Official, official_id)
            if official is None or official.totp_ciphertext is None:
                return False
            cleaned = code.strip().replace(" ", "")
            if cleaned.isdigit():
                secret = self._cipher.decrypt_text(official.totp_ciphertext, context=_CONTEXT)
                step = self._matching_step(secret, cleaned, now)
                if step is None:
                    return False
                used = await session.exec(
                    update(Official)
                    .where(
                        col(Official.id) == official_id,
                        or_(
                            col(Official.totp_last_step).is_(None),
                            col(Official.totp_last_step) < step,
                        ),
                    )
                    .values(totp_last_step=step)
                )
            else:
                used = await session.exec(
                    update(RecoveryCode)
                    .where(
                        col(RecoveryCode.official_id) == official_id,
                        col(RecoveryCode.code_hash) == _digest(cleaned),
                        col(RecoveryCode.used_at).is_(None),
                    )
                    .values(used_at=now)
                )
                if used.rowcount == 1:
                    await audit.record(
                        session,
                        f"official:{official_id}",
                        "official.recovery_code_used",
                        "official",
                        official_id,
                    )
            await session.commit()
            return bool(used.rowcount == 1)

    async def remove(self, official_id: int, actor: str) -> None:
        """Forget the official's second factor (they lost their phone); audited."""
        async with self._db.session() as session:
            await session.exec(
                update(Official)
                .where(col(Official.id) == official_id)
                .values(
                    totp_ciphertext=None,
                    totp_pending=None,
                    totp_enabled_at=None,
                    totp_last_step=None,
                )
            )
            await session.exec(
                delete(RecoveryCode).where(col(RecoveryCode.official_id) == official_id)
            )
            await audit.record(session, actor, "official.totp_removed", "official", official_id)
            await session.commit()

    @staticmethod
    def _matching_step(secret: str, code: str, now: datetime) -> int | None:
        totp = pyotp.TOTP(secret, interval=STEP_SECONDS)
        current = int(now.timestamp()) // STEP_SECONDS
        for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
            if secrets.compare_digest(totp.at(step * STEP_SECONDS), code.strip()):
                return step
        return None
