"""Officials' accounts: officials, API tokens, second factors, login throttling, console
sessions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
)
from sqlmodel import Field

from storage.models.base import ROLES, Base, UTCDateTime, _one_of, utcnow


class Official(Base, table=True):
    """A person at the local government or BPJS office who reviews registrations."""

    __tablename__ = "officials"
    __table_args__ = (CheckConstraint(_one_of("role", ROLES), name="role"),)

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(unique=True, index=True)
    name: str
    role: str
    region: str | None = None
    password_hash: str
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # Offboarding and their own password (`storage.repos.accounts`).
    deactivated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    password_changed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The second factor (`storage.repos.second_factor`): the TOTP secret, encrypted; a new one
    # waits in `totp_pending` until a first code confirms it.
    totp_ciphertext: str | None = None
    totp_pending: str | None = None
    totp_enabled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    totp_last_step: int | None = None  # the 30-second step of the last code used: no replays
    # Their own Telegram chat, for test broadcasts (`storage.repos.official_telegram`): linked by
    # sending the bot a one-time code, kept only as its SHA-256 until it is used or expires.
    telegram_chat_id: int | None = Field(default=None, sa_type=BigInteger)
    telegram_linked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    telegram_code_hash: str | None = Field(default=None, unique=True, index=True)
    telegram_code_expires: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ApiToken(Base, table=True):
    """An official's API token, kept only as its SHA-256."""

    __tablename__ = "api_tokens"

    id: int | None = Field(default=None, primary_key=True)
    official_id: int = Field(foreign_key="officials.id", ondelete="CASCADE", index=True)
    token_hash: str = Field(unique=True, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # None: never expires (tokens made before expiry existed). A read-only token may only GET.
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    read_only: bool = False


class RecoveryCode(Base, table=True):
    """A single-use code that stands in for a TOTP code, kept only as its SHA-256."""

    __tablename__ = "recovery_codes"

    id: int | None = Field(default=None, primary_key=True)
    official_id: int = Field(foreign_key="officials.id", ondelete="CASCADE", index=True)
    code_hash: str = Field(unique=True)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class LoginThrottle(Base, table=True):
    """Recent failed logins of one key (a typed username's hash, or a client address's).

    `attempts` counts checks claimed since the last lock-out; `lockouts` how many lock-outs
    in a row, which makes the next one longer (`storage.repos.login_throttle`).
    """

    __tablename__ = "login_throttle"

    key: str = Field(primary_key=True)
    attempts: int = 0
    lockouts: int = 0
    locked_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ConsoleSession(Base, table=True):
    """An official signed in to the web console; only the SHA-256 of the cookie's token is kept."""

    __tablename__ = "console_sessions"

    id: str = Field(primary_key=True)
    official_id: int = Field(foreign_key="officials.id", ondelete="CASCADE", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
