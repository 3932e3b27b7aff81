"""What an erasure removes from the database, and what it keeps (docs/erasure.md).

A worker is found by their Telegram account: every registration of it (not only the one the
request names), their questions, flow submissions, consents, decision messages, broadcast
deliveries and the chat directory. Personal values are overwritten in place (no row a count
needs is deleted), the chat directory row is deleted, and audit rows naming the worker as
``worker:<id>`` name ``erased:<request id>`` instead. On SQLite the write-ahead log is then
folded into the file, whose freed space `secure_delete` has zeroed.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, String, cast, delete, literal, or_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.infra.crypto import Cipher
from storage.models import (
    AuditLog,
    BroadcastRecipient,
    Consent,
    DataRequest,
    FlowSubmission,
    Notification,
    Question,
    Registration,
    WorkerChat,
    utcnow,
)
from storage.repos.flow_submissions import ANSWERS_CONTEXT as FLOW_ANSWERS_CONTEXT
from storage.repos.questions import ANSWER_CONTEXT
from storage.repos.questions import TEXT_CONTEXT as QUESTION_CONTEXT

ERASED_NAME = "[dihapus]"
CONSENT_WITHDRAWN = "consent withdrawn"
"""The error of a broadcast delivery that stopped because the worker withdrew consent."""


def _erased_key(id_column: Any) -> Any:
    """``'erased:' || id``: a unique value for a unique column that held a chat id."""
    return literal("erased:").concat(cast(id_column, String))


async def worker_chats(session: AsyncSession, telegram_user_id: int) -> set[int]:
    """Every chat the worker used with us (a private chat's id is the user's id)."""
    chats = {telegram_user_id}
    for model, chat_column in (
        (Registration, Registration.telegram_chat_id),
        (Question, Question.chat_id),
        (FlowSubmission, FlowSubmission.telegram_chat_id),
    ):
        user_column = getattr(model, "telegram_user_id")  # noqa: B009
        rows = await session.exec(
            select(chat_column).where(col(user_column) == telegram_user_id).distinct()
        )
        chats.update(rows.all())
    rows = await session.exec(
        select(WorkerChat.chat_id).where(col(WorkerChat.user_id) == telegram_user_id)
    )
    chats.update(rows.all())
    chats.discard(0)
    return chats


async def stop_broadcasts(session: AsyncSession, chats: Collection[int]) -> None:
    """No broadcast reaches these chats any more: opted out, and pending deliveries stopped."""
    if not chats:
        return
    now = utcnow()
    # An upsert: a directory entry written later (they are written in the background) finds
    # the chat opted out and leaves it so.
    insert = sqlite_insert if session.get_bind().dialect.name == "sqlite" else pg_insert
    opted_out = {"opted_out": True, "opted_out_at": now}
    statement = insert(WorkerChat).values(
        [{"chat_id": c, "first_seen": now, "last_seen": now, **opted_out} for c in sorted(chats)]
    )
    await session.exec(statement.on_conflict_do_update(index_elements=["chat_id"], set_=opted_out))
    await session.exec(
        update(BroadcastRecipient)
        .where(col(BroadcastRecipient.chat_id).in_(chats))
        .where(col(BroadcastRecipient.status) == "pending")
        .values(status="failed", error=CONSENT_WITHDRAWN, claimed_by=None, claim_expires=None)
    )


class Eraser:
    """Overwrites one worker's personal data inside the caller's transaction."""

    def __init__(self, session: AsyncSession, cipher: Cipher) -> None:
        self.session = session
        self.cipher = cipher

    async def erase(self, request: DataRequest) -> set[int]:
        """Erase what `request` covers; returns the worker's chats (to forget their state)."""
        assert request.id is not None
        user = request.telegram_user_id
        chats = await worker_chats(self.session, user) if user else set()
        registrations = await self._registrations(request)
        for row in registrations:
            chats.add(row.telegram_chat_id)
            self._erase_registration(row)
        chats.discard(0)
        ids = [row.id for row in registrations if row.id is not None]
        await self._erase_links(ids, user)
        if user:
            await self._erase_questions(user)
            await self._erase_flow_submissions(user)
        await stop_broadcasts(self.session, chats)
        await self._erase_chats(chats)
        if user:
            await self.session.exec(
                update(AuditLog)
                .where(col(AuditLog.actor) == f"worker:{user}")
                .values(actor=f"erased:{request.id}")
            )
            await self.session.exec(
                update(DataRequest)
                .where(col(DataRequest.telegram_user_id) == user)
                .values(telegram_user_id=0)
            )
        return chats

    async def _registrations(self, request: DataRequest) -> list[Registration]:
        wanted: list[ColumnElement[bool]] = [col(Registration.id) == request.registration_id]
        if request.telegram_user_id:
            wanted.append(col(Registration.telegram_user_id) == request.telegram_user_id)
        rows = await self.session.exec(select(Registration).where(or_(*wanted)))
        return list(rows.all())

    def _erase_registration(self, row: Registration) -> None:
        row.full_name = ERASED_NAME
        row.nik_ciphertext = ""
        row.nik_hash = f"erased:{row.id}"
        row.nik_masked = "•" * 16
        row.birth_date = date(row.birth_date.year, 1, 1)
        row.phone = ""
        row.occupation_other = None
        row.heir_name = None
        row.heir_relation = None
        row.telegram_user_id = 0
        row.telegram_chat_id = 0
        row.submission_key = f"erased:{row.id}"
        row.kpj = None
        row.reason = None
        row.updated_at = utcnow()
        self.session.add(row)

    async def _erase_links(self, registration_ids: list[int], user: int) -> None:
        """Consents and queued decision messages (chat id, reference, reason, KPJ)."""
        consents: list[ColumnElement[bool]] = [col(Consent.registration_id).in_(registration_ids)]
        if user:
            consents.append(col(Consent.telegram_user_id) == user)
        await self.session.exec(update(Consent).where(or_(*consents)).values(telegram_user_id=0))
        notifications = col(Notification.registration_id).in_(registration_ids)
        await self.session.exec(
            update(Notification)
            .where(notifications, col(Notification.state) == "pending")
            .values(state="failed", failed_at=utcnow(), last_error=CONSENT_WITHDRAWN)
        )
        await self.session.exec(
            update(Notification).where(notifications).values(chat_id=0, params={})
        )

    async def _erase_questions(self, user: int) -> None:
        """The worker's questions to officials (and their answers) go too."""
        erased = self.cipher.encrypt_text(ERASED_NAME, context=QUESTION_CONTEXT)
        rows = await self.session.exec(
            select(Question).where(col(Question.telegram_user_id) == user)
        )
        for question in rows.all():
            question.text_ciphertext = erased
            if question.answer_ciphertext:
                question.answer_ciphertext = self.cipher.encrypt_text(
                    ERASED_NAME, context=ANSWER_CONTEXT
                )
            question.telegram_user_id = 0
            question.chat_id = 0
            question.gender = None
            if question.delivery == "pending":
                question.delivery = "failed"
            self.session.add(question)

    async def _erase_flow_submissions(self, user: int) -> None:
        """A flow pack's stored answers (they may hold a NIK) go; the row stays as a count."""
        await self.session.exec(
            update(FlowSubmission)
            .where(col(FlowSubmission.telegram_user_id) == user)
            .values(
                answers_ciphertext=self.cipher.encrypt_text("{}", context=FLOW_ANSWERS_CONTEXT),
                telegram_user_id=0,
                telegram_chat_id=0,
                submission_key=_erased_key(col(FlowSubmission.id)),
            )
        )

    async def _erase_chats(self, chats: set[int]) -> None:
        """The directory row goes; broadcast deliveries keep their outcome, not the chat.

        A delivery's chat id becomes minus the row's id: unique within its broadcast, and no
        private chat has a negative id (the row is no longer pending, so nothing is sent).
        """
        if not chats:
            return
        await self.session.exec(delete(WorkerChat).where(col(WorkerChat.chat_id).in_(chats)))
        await self.session.exec(
            update(BroadcastRecipient)
            .where(col(BroadcastRecipient.chat_id).in_(chats))
            .values(chat_id=-col(BroadcastRecipient.id), message_id=None)
        )
