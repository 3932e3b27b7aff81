"""Workers' questions for the officials and the officials' answers, delivered through an outbox.

Both texts are stored only encrypted: workers paste NIKs and phone numbers into questions.

Scope: a question takes the region of the worker's latest registration. Admins see every
question; a reviewer sees those of their region and those with no region (asked by workers who
never registered: nobody else could answer them when no admin watches the inbox); a reviewer
without a region sees none. The answer's delivery state lives on the question's row; senders
claim due rows with a lease (`storage.infra.outbox`), as for notifications.

Asking is idempotent by a key (the chat and the Telegram update that carried the question): the
reference is derived from the key with the keyed hash, so a question stored before a crash is
found again, by its unique reference, when Telegram delivers the same update once more.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, Protocol

from sqlalchemy import ColumnElement, false, func, or_, true
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select, update

from storage.errors import ConflictError, CryptoError, NotFoundError
from storage.infra.crypto import Cipher
from storage.infra.db import Database
from storage.infra.outbox import LeasedOutbox, OutboxColumns, OutboxRecords
from storage.models import LANGUAGES, Question, Registration, utcnow
from storage.repos import audit
from storage.repos.registrations import REFERENCE_ALPHABET
from storage.repos.scope import RegionScope, covers

LEASE = timedelta(minutes=5)
"""How long a claimed reply is reserved for its sender before another may take it."""
MAX_QUESTION = 4096  # Telegram's longest message
TEXT_CONTEXT = "question"
ANSWER_CONTEXT = "question.answer"
_ATTEMPTS = 8
DELIVERY = OutboxColumns(state="delivery", sent_at="delivered_at")
"""Where a question keeps its answer's delivery state (`storage.infra.outbox`)."""

StateFilter = Literal["open", "answered", "all"]


def new_reference() -> str:
    """A short random reference like `T-7Q4K` (no 0/O or 1/I)."""
    return "T-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(4))


def keyed_reference(cipher: Cipher, key: str, attempt: int) -> str:
    """The reference a question asked with `key` gets at `attempt` (0, 1, …: when it is taken)."""
    digest = int(cipher.keyed_hash(f"question:{attempt}:{key}"), 16)
    chars = []
    for _ in range(4):
        digest, index = divmod(digest, len(REFERENCE_ALPHABET))
        chars.append(REFERENCE_ALPHABET[index])
    return "T-" + "".join(chars)


@dataclass(frozen=True)
class AskedQuestion:
    """What the worker is told: the reference to quote."""

    reference: str
    id: int


@dataclass(frozen=True)
class _Asked:
    """A question being stored (the text already trimmed)."""

    user_id: int
    chat_id: int
    language: str
    text: str
    topic: str | None


@dataclass(frozen=True)
class QuestionView:
    """A question as officials see it, the texts decrypted."""

    id: int
    reference: str
    state: str
    text: str
    language: str
    topic: str | None
    region: str | None
    regency: str | None
    created_at: datetime
    answered_at: datetime | None
    answered_by: str | None
    answer: str | None
    delivery: str | None

    def visible_to(self, scope: RegionScope) -> bool:
        """True when an official with `scope` may see and answer it (see the module doc)."""
        if scope.closed:
            return False
        if scope.code is None or self.region is None:
            return True
        return covers(scope.code, self.region) or covers(scope.code, self.regency or "")


@dataclass(frozen=True)
class ReplyToSend:
    """A claimed answer to deliver, with what its message needs."""

    id: int
    attempts: int
    chat_id: int
    language: str
    gender: str | None
    question: str
    answer: str


class Replier(Protocol):
    """The official answering: `audit_name` for the audit log, `username` to show."""

    @property
    def audit_name(self) -> str: ...

    @property
    def username(self) -> str: ...


def in_scope(scope: RegionScope) -> ColumnElement[bool]:
    """SQL condition: the questions an official with `scope` may see."""
    if scope.closed:
        return false()
    if scope.code is None:
        return true()
    parts: list[ColumnElement[bool]] = [col(Question.region).is_(None)]
    for column in (col(Question.region), col(Question.regency)):
        parts.append(column == scope.code)
        parts.append(column.startswith(scope.code + ".", autoescape=True))
    return or_(*parts)


class Questions(OutboxRecords):
    """The officials' inbox of questions; each method runs in its own transaction."""

    def __init__(self, db: Database, cipher: Cipher) -> None:
        self._db = db
        self._cipher = cipher
        self._outbox = LeasedOutbox(db, Question, DELIVERY, lease=LEASE)

    async def ask(
        self,
        telegram_user_id: int,
        chat_id: int,
        language: str,
        text: str,
        topic_guess: str | None = None,
        *,
        key: str | None = None,
    ) -> AskedQuestion:
        """Put a worker's question in the inbox; raises ValueError for an empty text.

        With `key`, asking again with the same key, chat and text stores nothing and returns
        the question stored the first time.
        """
        text = text.strip()[:MAX_QUESTION]
        if not text:
            raise ValueError("the question is empty")
        if language not in LANGUAGES:
            raise ValueError(f"language must be one of {', '.join(LANGUAGES)}")
        asked = _Asked(telegram_user_id, chat_id, language, text, (topic_guess or "")[:80] or None)
        for attempt in range(_ATTEMPTS):
            reference = (
                new_reference() if key is None else keyed_reference(self._cipher, key, attempt)
            )
            try:
                return await self._insert(asked, reference)
            except IntegrityError:
                if key is not None:
                    found = await self._asked_before(asked, reference)
                    if found is not None:  # a redelivery, or a twin that won the race
                        return found
                if attempt == _ATTEMPTS - 1:  # the reference was taken every time
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    async def _asked_before(self, asked: _Asked, reference: str) -> AskedQuestion | None:
        """The question stored under `reference` if it is this one, else None."""
        async with self._db.session() as session:
            row = (
                await session.exec(select(Question).where(col(Question.reference) == reference))
            ).first()
        if row is None or row.id is None:
            return None
        if (row.telegram_user_id, row.chat_id) != (asked.user_id, asked.chat_id):
            return None
        try:
            same = self._cipher.decrypt_text(row.text_ciphertext, TEXT_CONTEXT) == asked.text
        except CryptoError:
            return None
        return AskedQuestion(row.reference, row.id) if same else None

    async def _insert(self, asked: _Asked, reference: str) -> AskedQuestion:
        async with self._db.session() as session:
            latest = (
                await session.exec(
                    select(Registration.region, Registration.regency, Registration.gender)
                    .where(col(Registration.telegram_user_id) == asked.user_id)
                    .order_by(col(Registration.created_at).desc(), col(Registration.id).desc())
                    .limit(1)
                )
            ).first()
            region, regency, gender = latest if latest is not None else (None, None, None)
            row = Question(
                reference=reference,
                telegram_user_id=asked.user_id,
                chat_id=asked.chat_id,
                language=asked.language,
                gender=gender,
                region=region,
                regency=regency,
                topic=asked.topic,
                text_ciphertext=self._cipher.encrypt_text(asked.text, context=TEXT_CONTEXT),
            )
            session.add(row)
            await session.flush()
            assert row.id is not None
            detail = {"reference": row.reference, "topic": asked.topic, "language": asked.language}
            await audit.record(
                session, f"worker:{asked.user_id}", "question.asked", "question", row.id, detail
            )
            await session.commit()
        return AskedQuestion(row.reference, row.id)

    async def list(
        self, scope: RegionScope, state: StateFilter = "open", *, limit: int = 50, offset: int = 0
    ) -> tuple[Sequence[QuestionView], int]:
        """One page of questions in `scope` and how many match in all.

        Open questions come oldest first (a queue); answered ones newest answer first; all of
        them newest first.
        """
        where = [in_scope(scope)]
        if state != "all":
            where.append(col(Question.state) == state)
        order = {
            "open": (col(Question.created_at), col(Question.id)),
            "answered": (col(Question.answered_at).desc(), col(Question.id).desc()),
            "all": (col(Question.created_at).desc(), col(Question.id).desc()),
        }[state]
        async with self._db.session() as session:
            total = (
                await session.exec(select(func.count()).select_from(Question).where(*where))
            ).one()
            rows = await session.exec(
                select(Question).where(*where).order_by(*order).limit(limit).offset(offset)
            )
            return [self._view(row) for row in rows.all()], int(total)

    async def count_open(self, scope: RegionScope) -> int:
        """How many open questions an official with `scope` sees (one COUNT, for navigation)."""
        if scope.closed:
            return 0
        async with self._db.session() as session:
            total = await session.exec(
                select(func.count())
                .select_from(Question)
                .where(col(Question.state) == "open", in_scope(scope))
            )
            return int(total.one())

    async def get(self, question_id: int) -> QuestionView | None:
        """One question, whatever its region (check `QuestionView.visible_to`)."""
        async with self._db.session() as session:
            row = await session.get(Question, question_id)
        return None if row is None else self._view(row)

    async def reply(self, question_id: int, official: Replier, text: str) -> QuestionView:
        """Answer an open question and queue the answer for the worker, in one transaction.

        Raises NotFoundError, or ConflictError when the question was answered already.
        """
        text = text.strip()
        if not text:
            raise ValueError("the answer is empty")
        now = utcnow()
        async with self._db.session() as session:
            # The conditional UPDATE decides a race between two officials answering at once.
            result = await session.exec(
                update(Question)
                .where(col(Question.id) == question_id, col(Question.state) == "open")
                .values(
                    state="answered",
                    answer_ciphertext=self._cipher.encrypt_text(text, context=ANSWER_CONTEXT),
                    answered_at=now,
                    answered_by=official.username,
                    delivery="pending",
                    next_attempt_at=now,
                )
                .returning(Question)
                .execution_options(synchronize_session=False)
            )
            row = result.scalars().first()
            if row is None:
                if await session.get(Question, question_id) is None:
                    raise NotFoundError(f"no question {question_id}")
                raise ConflictError("the question has been answered already")
            detail = {"reference": row.reference}
            await audit.record(
                session, official.audit_name, "question.answered", "question", question_id, detail
            )
            await session.commit()
        return self._view(row)

    async def claim_due(
        self, limit: int = 50, now: datetime | None = None
    ) -> Sequence[ReplyToSend]:
        """Reserve up to `limit` answers due for delivery (oldest first) for `LEASE`."""
        claimed: list[ReplyToSend] = []
        for row in await self._outbox.claim(limit, now):
            assert row.id is not None and row.answer_ciphertext is not None
            try:
                question = self._cipher.decrypt_text(row.text_ciphertext, TEXT_CONTEXT)
                answer = self._cipher.decrypt_text(row.answer_ciphertext, ANSWER_CONTEXT)
            except CryptoError:  # cannot ever be sent; do not let it hold the batch up
                await self._outbox.fail(row.id, "CryptoError")
                continue
            claimed.append(
                ReplyToSend(
                    row.id, row.attempts, row.chat_id, row.language, row.gender, question, answer
                )
            )
        return claimed

    def _view(self, row: Question) -> QuestionView:
        assert row.id is not None
        answer = row.answer_ciphertext
        return QuestionView(
            id=row.id,
            reference=row.reference,
            state=row.state,
            text=self._cipher.decrypt_text(row.text_ciphertext, TEXT_CONTEXT),
            language=row.language,
            topic=row.topic,
            region=row.region,
            regency=row.regency,
            created_at=row.created_at,
            answered_at=row.answered_at,
            answered_by=row.answered_by,
            answer=None if answer is None else self._cipher.decrypt_text(answer, ANSWER_CONTEXT),
            delivery=row.delivery,
        )
