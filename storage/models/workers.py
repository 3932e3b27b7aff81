"""Workers' records: registrations, consents, the audit trail, regions, quotas, notifications,
data requests, questions and flow answers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Index,
)
from sqlmodel import Field

from storage.models.base import (
    GENDERS,
    LANGUAGES,
    NOTIFICATION_KINDS,
    NOTIFICATION_STATES,
    REGISTRATION_STATUSES,
    Base,
    UTCDateTime,
    _one_of,
    utcnow,
)


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
