"""Officials' accounts: creation with a random password and API token, and their checks.

Passwords are argon2 hashes and API tokens only their SHA-256: a database leak shows neither.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from storage.errors import ConflictError
from storage.infra.db import Database
from storage.models import ROLES, ApiToken, Official, utcnow
from storage.repos import audit
from storage.repos.regions import REGION_CODE

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,63}$")
TOKEN_PREFIX = "lnd_"  # noqa: S105 - a marker for secret scanners, not a secret
# Writing last_used_at on every API call would turn each read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)
# A new API token works this long unless another lifetime is asked for (`new_token`).
TOKEN_LIFETIME = timedelta(days=90)


def new_token_secret() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_row(
    official_id: int, token: str, *, read_only: bool = False, lifetime: timedelta | None = None
) -> ApiToken:
    """The row of a new token; `lifetime` defaults to `TOKEN_LIFETIME`."""
    return ApiToken(
        official_id=official_id,
        token_hash=hash_token(token),
        read_only=read_only,
        expires_at=utcnow() + (lifetime or TOKEN_LIFETIME),
    )


@dataclass(frozen=True)
class TokenOwner:
    """The official behind an API token, and whether the token may only read."""

    official: Official
    read_only: bool


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_official(username: str, role: str, region: str | None) -> None:
    """Raise ValueError with one clear sentence when a field of a new official is invalid."""
    if not _USERNAME.match(username):
        raise ValueError(
            f"The username {username!r} is not valid: use 2 to 64 lowercase letters, digits, "
            "'.', '_', '@' or '-', starting with a letter or digit."
        )
    if role not in ROLES:
        raise ValueError(f"The role {role!r} is not valid: it must be 'admin' or 'reviewer'.")
    if region is not None and not REGION_CODE.match(region):
        raise ValueError(
            f"The region {region!r} is not a Kemendagri code: write it like 36.04 "
            "(regency) or 36.04.01.2001 (village)."
        )


class Officials:
    """Create officials and check their passwords and API tokens."""

    def __init__(self, db: Database, hasher: PasswordHasher | None = None) -> None:
        self._db = db
        self._hasher = hasher or PasswordHasher()
        self._dummy_hash: str | None = None

    async def create(
        self, username: str, name: str, role: str, region: str | None = None
    ) -> tuple[Official, str, str]:
        """Create an official; returns it with its new password and API token (shown once)."""
        username = username.strip().lower()
        check_official(username, role, region)
        if not name.strip():
            raise ValueError("The official's name cannot be empty.")
        password = secrets.token_urlsafe(15)
        token = new_token_secret()
        password_hash = await asyncio.to_thread(self._hasher.hash, password)
        official = Official(
            username=username,
            name=name.strip(),
            role=role,
            region=region,
            password_hash=password_hash,
        )
        try:
            async with self._db.session() as session:
                session.add(official)
                await session.flush()
                assert official.id is not None
                session.add(token_row(official.id, token))
                await audit.record(
                    session,
                    actor="system",
                    action="official.created",
                    subject_type="official",
                    subject_id=official.id,
                    detail={"role": role, "region": region},
                )
                await session.commit()
        except IntegrityError as exc:
            raise ConflictError(f"an official with the username {username!r} exists") from exc
        return official, password, token

    async def get(self, official_id: int) -> Official | None:
        async with self._db.session() as session:
            return await session.get(Official, official_id)

    async def authenticate_token(self, token: str) -> Official | None:
        """The active official owning this unrevoked, unexpired token, or None."""
        owner = await self.authenticate(token)
        return owner.official if owner is not None else None

    async def authenticate(self, token: str) -> TokenOwner | None:
        """The active official owning this unrevoked, unexpired token, and its kind; or None."""
        now = utcnow()
        async with self._db.session() as session:
            result = await session.exec(
                select(ApiToken, Official)
                .join(Official, col(Official.id) == col(ApiToken.official_id))
                .where(
                    col(ApiToken.token_hash) == hash_token(token),
                    col(ApiToken.revoked_at).is_(None),
                    or_(col(ApiToken.expires_at).is_(None), col(ApiToken.expires_at) > now),
                    col(Official.active),
                )
            )
            found = result.first()
            if found is None:
                return None
            api_token, official = found
            if (
                api_token.last_used_at is None
                or now - api_token.last_used_at > LAST_USED_RESOLUTION
            ):
                api_token.last_used_at = now
                await session.commit()
            return TokenOwner(official, api_token.read_only)

    async def verify_password(self, username: str, password: str) -> Official | None:
        """The active official with this username and password, or None.

        Unknown and deactivated usernames cost one argon2 verification too (against a dummy
        hash), so the time of the answer does not tell which accounts exist. Throttling is the
        caller's (`storage.repos.login_throttle`).
        """
        dummy = await self._dummy()  # made before the look-up, so no first answer is slower
        async with self._db.session() as session:
            result = await session.exec(
                select(Official).where(
                    col(Official.username) == username.strip().lower(),
                    col(Official.active),
                )
            )
            official = result.first()
            if official is None:
                await asyncio.to_thread(self._matches, dummy, password)
                return None
            if not await asyncio.to_thread(self._matches, official.password_hash, password):
                return None
            if self._hasher.check_needs_rehash(official.password_hash):
                official.password_hash = await asyncio.to_thread(self._hasher.hash, password)
                await session.commit()
            return official

    async def find(self, username: str) -> Official | None:
        """The official with this username, active or not."""
        async with self._db.session() as session:
            result = await session.exec(
                select(Official).where(col(Official.username) == username.strip().lower())
            )
            return result.first()

    def _matches(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    async def _dummy(self) -> str:
        if self._dummy_hash is None:
            self._dummy_hash = await asyncio.to_thread(self._hasher.hash, secrets.token_hex(8))
        return self._dummy_hash
