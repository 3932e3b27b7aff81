"""Broadcasts: the worker chats that can be reached, the broadcasts and their recipients."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Index,
    UniqueConstraint,
)
from sqlmodel import Field

from storage.models.base import Base, UTCDateTime, _one_of, utcnow

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
