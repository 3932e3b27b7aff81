"""Database tables of Lindungi (SQLModel), in their own metadata with named constraints.

Datetimes are timezone-aware UTC in Python on every backend (see `UTCDateTime`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    DateTime,
    Index,
    MetaData,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

REGISTRATION_STATUSES = ("pending", "approved", "rejected", "active")
GENDERS = ("male", "female")
LANGUAGES = ("id", "en")
ROLES = ("admin", "reviewer")
NOTIFICATION_KINDS = ("approved", "rejected", "active")
NOTIFICATION_STATES = ("pending", "sent", "failed")


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """`DateTime(timezone=True)` that refuses naive values and always returns aware UTC.

    SQLite keeps no offset, so values are normalised to UTC before they are written.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("datetimes stored in the database must be timezone-aware")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Base(SQLModel, registry=registry(metadata=MetaData(naming_convention=NAMING_CONVENTION))):
    """Abstract base holding Lindungi's own metadata (kept apart from `SQLModel.metadata`)."""


metadata = Base.metadata


class Registration(Base, table=True):
    """A worker's registration for JKK/JKM cover; the NIK is stored only encrypted and hashed."""

    __tablename__ = "registrations"
    __table_args__ = (
        CheckConstraint(_one_of("status", REGISTRATION_STATUSES), name="status"),
        CheckConstraint(_one_of("gender", GENDERS), name="gender"),
        CheckConstraint(_one_of("language", LANGUAGES), name="language"),
        CheckConstraint("monthly_income >= 0", name="monthly_income"),
    )

    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(unique=True, index=True)
    status: str = Field(default="pending", index=True)
    full_name: str
    nik_ciphertext: str
    nik_hash: str = Field(unique=True, index=True)
    nik_masked: str
    birth_date: date
    gender: str
    phone: str
    occupation: str = Field(index=True)
    occupation_other: str | None = None
    region: str = Field(index=True)
    regency: str = Field(index=True)
    monthly_income: int
    heir_name: str | None = None
    heir_relation: str | None = None
    program: str | None = Field(default=None, index=True)
    telegram_user_id: int = Field(sa_type=BigInteger, index=True)
    telegram_chat_id: int = Field(sa_type=BigInteger)
    language: str = "id"
    submission_key: str = Field(unique=True, index=True)
    registered_by: str | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decided_by: str | None = None
    reason: str | None = None
    kpj: str | None = None


class Consent(Base, table=True):
    """Which consent text (version and hash) a person accepted, when, and for what purpose."""

    __tablename__ = "consents"
    __table_args__ = (CheckConstraint(_one_of("language", LANGUAGES), name="language"),)

    id: int | None = Field(default=None, primary_key=True)
    registration_id: int | None = Field(
        default=None, foreign_key="registrations.id", ondelete="SET NULL", index=True
    )
    telegram_user_id: int = Field(sa_type=BigInteger, index=True)
    purpose: str
    text_version: str
    text_sha256: str
    language: str
    given_at: datetime = Field(sa_type=UTCDateTime)
    withdrawn_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class AuditLog(Base, table=True):
    """Append-only trail of who did what to which subject; `detail` never holds personal data."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_subject_type_subject_id", "subject_type", "subject_id"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    actor: str = Field(index=True)
    action: str = Field(index=True)
    subject_type: str
    subject_id: str
    detail: dict[str, Any] | None = Field(default=None, sa_type=JSON)


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


class Region(Base, table=True):
    """A Kemendagri region: province (level 1) to village (level 4)."""

    __tablename__ = "regions"
    __table_args__ = (CheckConstraint("level BETWEEN 1 AND 4", name="level"),)

    code: str = Field(primary_key=True)
    name: str
    level: int = Field(index=True)
    parent: str | None = Field(default=None, index=True)


class QuotaUsage(Base, table=True):
    """Places of one program quota taken by approvals; raised only by a conditional update."""

    __tablename__ = "quota_usage"
    __table_args__ = (CheckConstraint("used >= 0", name="used"),)

    program: str = Field(primary_key=True)
    quota_id: str = Field(primary_key=True)
    used: int = 0
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Notification(Base, table=True):
    """A Telegram message about a decision, queued in the decision's transaction (outbox)."""

    __tablename__ = "notifications"
    __table_args__ = (
        CheckConstraint(_one_of("kind", NOTIFICATION_KINDS), name="kind"),
        CheckConstraint(_one_of("state", NOTIFICATION_STATES), name="state"),
        CheckConstraint(_one_of("language", LANGUAGES), name="language"),
        Index("ix_notifications_state_next_attempt_at", "state", "next_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    registration_id: int | None = Field(
        default=None, foreign_key="registrations.id", ondelete="SET NULL", index=True
    )
    chat_id: int = Field(sa_type=BigInteger)
    kind: str
    language: str = "id"
    params: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    state: str = "pending"
    attempts: int = 0
    last_error: str | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    failed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


# --- Broadcasts (issue 6) -------------------------------------------------------------------

BROADCAST_STATUSES = ("draft", "scheduled", "running", "done", "cancelled")
RECIPIENT_STATUSES = ("pending", "sending", "sent", "failed", "blocked")


class WorkerChat(Base, table=True):
    """A private chat that started the bot: who to reach, in which language, and whether we may."""

    __tablename__ = "worker_chats"

    chat_id: int = Field(
        sa_type=BigInteger, primary_key=True, sa_column_kwargs={"autoincrement": False}
    )
    user_id: int | None = Field(default=None, sa_type=BigInteger, index=True)
    language: str = "id"
    first_seen: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_seen: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    blocked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    opted_out: bool = False
    opted_out_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Broadcast(Base, table=True):
    """A message (Telegram HTML, optional photo and link button) for a segment of worker chats."""

    __tablename__ = "broadcasts"
    __table_args__ = (CheckConstraint(_one_of("status", BROADCAST_STATUSES), name="status"),)

    id: int | None = Field(default=None, primary_key=True)
    text: str
    photo_url: str | None = None
    button_text: str | None = None
    button_url: str | None = None
    segment: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    status: str = Field(default="draft", index=True)
    scheduled_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    created_by: str | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    total: int = 0
    sent: int = 0
    failed: int = 0
    blocked: int = 0


class BroadcastRecipient(Base, table=True):
    """One chat's delivery of one broadcast; `claimed_by` names the process delivering it."""

    __tablename__ = "broadcast_recipients"
    __table_args__ = (
        CheckConstraint(_one_of("status", RECIPIENT_STATUSES), name="status"),
        UniqueConstraint("broadcast_id", "chat_id"),
        Index("ix_broadcast_recipients_broadcast_id_status", "broadcast_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    broadcast_id: int = Field(foreign_key="broadcasts.id", ondelete="CASCADE")
    chat_id: int = Field(sa_type=BigInteger)
    status: str = "pending"
    attempts: int = 0
    error: str | None = None
    message_id: int | None = Field(default=None, sa_type=BigInteger)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    next_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    claimed_by: str | None = None
    claim_expires: datetime | None = Field(default=None, sa_type=UTCDateTime)


DATA_REQUEST_KINDS = ("erasure",)
DATA_REQUEST_STATES = ("open", "done")


class DataRequest(Base, table=True):
    """A worker's request about their personal data that an official must complete (UU PDP)."""

    __tablename__ = "data_requests"
    __table_args__ = (
        CheckConstraint(_one_of("kind", DATA_REQUEST_KINDS), name="kind"),
        CheckConstraint(_one_of("state", DATA_REQUEST_STATES), name="state"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str
    state: str = Field(default="open", index=True)
    registration_id: int | None = Field(
        default=None, foreign_key="registrations.id", ondelete="SET NULL", index=True
    )
    telegram_user_id: int = Field(sa_type=BigInteger, index=True)
    requested_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    due_at: datetime = Field(sa_type=UTCDateTime)
    completed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    completed_by: str | None = None


class ConsoleSession(Base, table=True):
    """An official signed in to the web console; only the SHA-256 of the cookie's token is kept."""

    __tablename__ = "console_sessions"

    id: str = Field(primary_key=True)
    official_id: int = Field(foreign_key="officials.id", ondelete="CASCADE", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


# --- Questions for the officials (issue 4) --------------------------------------------------

QUESTION_STATES = ("open", "answered")
REPLY_DELIVERY_STATES = ("pending", "sent", "failed")


class Question(Base, table=True):
    """A worker's question for the officials, its answer, and the answer's delivery (outbox).

    Both texts are stored only encrypted; `region`/`regency` come from the worker's latest
    registration (none when they never registered) and decide which reviewers see it.
    """

    __tablename__ = "questions"
    __table_args__ = (
        CheckConstraint(_one_of("state", QUESTION_STATES), name="state"),
        CheckConstraint(_one_of("language", LANGUAGES), name="language"),
        CheckConstraint(_one_of("delivery", REPLY_DELIVERY_STATES), name="delivery"),
        Index("ix_questions_delivery_next_attempt_at", "delivery", "next_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(unique=True, index=True)
    state: str = Field(default="open", index=True)
    telegram_user_id: int = Field(sa_type=BigInteger, index=True)
    chat_id: int = Field(sa_type=BigInteger)
    language: str = "id"
    gender: str | None = None
    region: str | None = None
    regency: str | None = None
    topic: str | None = None
    text_ciphertext: str
    answer_ciphertext: str | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    answered_by: str | None = None
    delivery: str | None = None
    attempts: int = 0
    last_error: str | None = None
    next_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


# --- Flow packs (LINDUNGI_FLOW) -------------------------------------------------------------


class FlowSubmission(Base, table=True):
    """The answers of a flow pack's `submit` step, stored only encrypted (they may hold a NIK).

    `submission_key` (chat and conversation) makes storing idempotent: a redelivered or
    repeated submit finds the row and its reference instead of adding one.
    """

    __tablename__ = "flow_submissions"

    id: int | None = Field(default=None, primary_key=True)
    flow: str = Field(index=True)
    reference: str = Field(unique=True, index=True)
    telegram_user_id: int = Field(sa_type=BigInteger, index=True)
    telegram_chat_id: int = Field(sa_type=BigInteger)
    answers_ciphertext: str
    submission_key: str = Field(unique=True, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
