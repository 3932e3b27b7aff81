"""Managing officials' accounts: offboarding, roles and regions, passwords, API tokens.

Every change is written to the audit log with who made it. Deactivating an official ends their
console sessions and revokes their API tokens in the same transaction: nothing they hold keeps
working after the call returns.
"""

from __future__ import annotations

import asyncio
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.passwords import password_problem
from storage.errors import NotFoundError
from storage.infra.db import Database
from storage.models import ApiToken, ConsoleSession, Official, utcnow
from storage.repos import audit
from storage.repos.officials import check_official, new_token_secret, token_row


class PasswordRejected(ValueError):
    """A new password breaks a rule; `problem` names which (see `domain.passwords`)."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


class Accounts:
    """Change officials' accounts; `actor` is who does it, as written in the audit log."""

    def __init__(self, db: Database, hasher: PasswordHasher | None = None) -> None:
        self._db = db
        self._hasher = hasher or PasswordHasher()

    async def all(self) -> list[Official]:
        """Every official, active ones first, by username."""
        async with self._db.session() as session:
            result = await session.exec(
                select(Official).order_by(col(Official.active).desc(), col(Official.username))
            )
            return list(result.all())

    async def id_of(self, username: str) -> int:
        """The id of the official with this username; NotFoundError otherwise."""
        async with self._db.session() as session:
            result = await session.exec(
                select(Official.id).where(col(Official.username) == username.strip().lower())
            )
            found = result.first()
        if found is None:
            raise NotFoundError(f"no official has the username {username!r}")
        return found

    async def deactivate(self, official_id: int, actor: str) -> None:
        """The official can no longer sign in; their sessions and tokens stop working now."""
        async with self._db.session() as session:
            official = await self._get(session, official_id)
            now = utcnow()
            official.active = False
            official.deactivated_at = now
            session.add(official)
            sessions = await _end_sessions(session, official_id)
            tokens = await _revoke_tokens(session, official_id)
            await audit.record(
                session,
                actor,
                "official.deactivated",
                "official",
                official_id,
                {"sessions_ended": sessions, "tokens_revoked": tokens},
            )
            await session.commit()

    async def revoke_tokens(self, official_id: int, actor: str) -> int:
        """Revoke every API token of the official; returns how many were live."""
        async with self._db.session() as session:
            await self._get(session, official_id)
            count = await _revoke_tokens(session, official_id)
            await audit.record(
                session, actor, "official.tokens_revoked", "official", official_id, {"count": count}
            )
            await session.commit()
        return count

    async def new_token(
        self,
        official_id: int,
        actor: str,
        *,
        read_only: bool = False,
        lifetime: timedelta | None = None,
    ) -> str:
        """A new API token for the official (shown once); earlier tokens keep working."""
        token = new_token_secret()
        async with self._db.session() as session:
            official = await self._get(session, official_id)
            if not official.active:
                raise ValueError("A deactivated official cannot get an API token.")
            row = token_row(official_id, token, read_only=read_only, lifetime=lifetime)
            session.add(row)
            await audit.record(
                session,
                actor,
                "official.token_created",
                "official",
                official_id,
                {"read_only": read_only, "expires_at": row.expires_at.isoformat()}
                if row.expires_at
                else {"read_only": read_only},
            )
            await session.commit()
        return token

    async def reset_password(self, official_id: int, actor: str) -> str:
        """A new random password (shown once); the official's console sessions end."""
        password = secrets.token_urlsafe(15)
        password_hash = await asyncio.to_thread(self._hasher.hash, password)
        async with self._db.session() as session:
            official = await self._get(session, official_id)
            official.password_hash = password_hash
            official.password_changed_at = None  # they should choose their own again
            session.add(official)
            await _end_sessions(session, official_id)
            await audit.record(session, actor, "official.password_reset", "official", official_id)
            await session.commit()
        return password

    async def set_role(self, official_id: int, role: str, actor: str) -> None:
        await self._change(official_id, actor, role=role)

    async def set_region(self, official_id: int, region: str | None, actor: str) -> None:
        await self._change(official_id, actor, region=region)

    async def change_password(self, official_id: int, current: str, new: str) -> None:
        """The official's own change; PasswordRejected names the rule a bad one breaks."""
        async with self._db.session() as session:
            official = await self._get(session, official_id)
            if not await asyncio.to_thread(self._matches, official.password_hash, current):
                raise PasswordRejected("password_current_wrong")
            problem = password_problem(new, official.username)
            if problem is not None:
                raise PasswordRejected(problem)
            official.password_hash = await asyncio.to_thread(self._hasher.hash, new)
            official.password_changed_at = utcnow()
            session.add(official)
            await audit.record(
                session,
                f"official:{official_id}",
                "official.password_changed",
                "official",
                official_id,
            )
            await session.commit()

    async def _change(self, official_id: int, actor: str, **fields: str | None) -> None:
        async with self._db.session() as session:
            official = await self._get(session, official_id)
            role = fields.get("role", official.role) or official.role
            region = fields.get("region", official.region)
            check_official(official.username, role, region)
            before = {name: getattr(official, name) for name in fields}
            for name, value in fields.items():
                setattr(official, name, value)
            session.add(official)
            await audit.record(
                session,
                actor,
                "official.changed",
                "official",
                official_id,
                {"before": before, "after": fields},
            )
            await session.commit()

    def _matches(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except Exception:
            return False

    @staticmethod
    async def _get(session: AsyncSession, official_id: int) -> Official:
        official = await session.get(Official, official_id, with_for_update=True)
        if official is None:
            raise NotFoundError(f"no official has the id {official_id}")
        return official


async def _end_sessions(session: AsyncSession, official_id: int) -> int:
    result = await session.exec(
        update(ConsoleSession)
        .where(
            col(ConsoleSession.official_id) == official_id,
            col(ConsoleSession.revoked_at).is_(None),
        )
        .values(revoked_at=utcnow())
    )
    return int(result.rowcount)


async def _revoke_tokens(session: AsyncSession, official_id: int) -> int:
    result = await session.exec(
        update(ApiToken)
        .where(col(ApiToken.official_id) == official_id, col(ApiToken.revoked_at).is_(None))
        .values(revoked_at=utcnow())
    )
    return int(result.rowcount)
