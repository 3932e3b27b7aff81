"""Officials' web console sessions: opened at login, found by the cookie's token, closed at logout.

Only the token's SHA-256 is stored. A session ends after `IDLE` without use, `MAX_AGE` after the
login, at logout, or when its official is deactivated. Logins, failures and logouts are audited.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import delete
from sqlmodel import col, select

from storage.infra.db import Database
from storage.models import ConsoleSession, Official, utcnow
from storage.repos import audit

IDLE = timedelta(minutes=30)
MAX_AGE = timedelta(hours=12)
# Writing last_seen_at on every page view would turn each read into a write.
TOUCH_RESOLUTION = timedelta(minutes=1)


def session_id(token: str) -> str:
    """The stored id of a session token (its SHA-256)."""
    return hashlib.sha256(token.encode()).hexdigest()


class ConsoleSessions:
    """Open, find and close console sessions; record every login attempt in the audit log."""

    def __init__(self, db: Database, *, idle: timedelta = IDLE, max_age: timedelta = MAX_AGE):
        self._db = db
        self.idle = idle
        self.max_age = max_age

    async def open(self, official: Official) -> str:
        """A new session for an official who just gave the right password; returns its token."""
        assert official.id is not None
        token = secrets.token_urlsafe(32)
        now = utcnow()
        async with self._db.session() as session:
            # Sessions that can no longer be valid are of no use to anyone.
            await session.exec(
                delete(ConsoleSession).where(col(ConsoleSession.created_at) < now - self.max_age)
            )
            session.add(
                ConsoleSession(
                    id=session_id(token), official_id=official.id, created_at=now, last_seen_at=now
                )
            )
            await audit.record(
                session,
                f"official:{official.id}",
                "official.login",
                "official",
                official.id,
                {"via": "console"},
            )
            await session.commit()
        return token

    async def find(self, token: str) -> tuple[str, Official] | None:
        """(session id, official) of a live session, or None; marks the session as used."""
        now = utcnow()
        async with self._db.session() as session:
            result = await session.exec(
                select(ConsoleSession, Official)
                .join(Official, col(Official.id) == col(ConsoleSession.official_id))
                .where(
                    col(ConsoleSession.id) == session_id(token),
                    col(ConsoleSession.revoked_at).is_(None),
                    col(Official.active),
                )
            )
            found = result.first()
            if found is None:
                return None
            row, official = found
            if now - row.last_seen_at > self.idle or now - row.created_at > self.max_age:
                return None
            if now - row.last_seen_at > TOUCH_RESOLUTION:
                row.last_seen_at = now
                session.add(row)
                await session.commit()
            return row.id, official

    async def close(self, token: str) -> None:
        """End the session (logout); later requests with its cookie are refused."""
        async with self._db.session() as session:
            row = await session.get(ConsoleSession, session_id(token))
            if row is None or row.revoked_at is not None:
                return
            row.revoked_at = utcnow()
            session.add(row)
            await audit.record(
                session,
                f"official:{row.official_id}",
                "official.logout",
                "official",
                row.official_id,
                {"via": "console"},
            )
            await session.commit()

    async def refused(self, username: str, reason: str) -> None:
        """Record a failed login (`reason`: wrong_password, locked, or wrong_code).

        An unknown username is recorded as such, without what was typed.
        """
        async with self._db.session() as session:
            result = await session.exec(
                select(Official.id).where(col(Official.username) == username.strip().lower())
            )
            official_id = result.first()
            if official_id is None:
                # What was typed may be a password in the wrong field: keep it out of the log.
                subject = "unknown"
                reason = "unknown_user" if reason == "wrong_password" else reason
            else:
                subject = str(official_id)
            detail = {"reason": reason, "via": "console"}
            await audit.record(
                session, "anonymous", "official.login_failed", "official", subject, detail
            )
            await session.commit()
