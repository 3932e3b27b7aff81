"""Officials' own Telegram chats, for test broadcasts: one-time link codes, and the link itself.

An official asks for a code (console or API) and sends `/start <code>` to the bot, or opens
the bot's `t.me/<bot>?start=<code>` link: that chat becomes theirs. A code works once and for
`CODE_TTL`; only its SHA-256 is stored, and asking again replaces it. Linking and unlinking are
audited (the chat id is not written to the audit trail).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import col, select, update

from storage.errors import NotFoundError
from storage.infra.db import Database
from storage.models import Official, utcnow
from storage.repos import audit

CODE_PREFIX = "link-"
"""Link codes start with this; the conversation engine knows a `/start` payload by it."""
CODE_TTL = timedelta(minutes=15)
# Letters and digits that cannot be mistaken for each other when typed (no 0/O, 1/I/L, U/V).
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"
_LENGTH = 10
_CODE = re.compile(rf"^{CODE_PREFIX}[{_ALPHABET}]{{{_LENGTH}}}$")


@dataclass(frozen=True)
class LinkCode:
    """A new code, to show once; valid until `expires_at` (UTC)."""

    code: str
    expires_at: datetime


@dataclass(frozen=True)
class LinkedChat:
    """An official's own chat and since when it is linked."""

    chat_id: int
    linked_at: datetime | None


@dataclass(frozen=True)
class Linked:
    """The official whose console account a chat was just linked to."""

    official_id: int
    name: str


def normalize(code: str) -> str | None:
    """The code as issued (its letters in capitals), or None when it cannot be one."""
    code = code.strip()
    if code[: len(CODE_PREFIX)].lower() != CODE_PREFIX:
        return None
    code = CODE_PREFIX + code[len(CODE_PREFIX) :].upper()
    return code if _CODE.match(code) else None


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


class OfficialTelegram:
    """Link codes and linked chats of officials."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def new_code(self, official_id: int, now: datetime | None = None) -> LinkCode:
        """A fresh one-time code for this official (an earlier unused one stops working)."""
        expires = (now or utcnow()) + CODE_TTL
        code = CODE_PREFIX + "".join(secrets.choice(_ALPHABET) for _ in range(_LENGTH))
        async with self.db.session() as session:
            result = await session.exec(
                update(Official)
                .where(col(Official.id) == official_id)
                .values(telegram_code_hash=_hash(code), telegram_code_expires=expires)
            )
            if result.rowcount != 1:
                raise NotFoundError(f"no official {official_id}")
            await session.commit()
        return LinkCode(code, expires)

    async def link(self, code: str, chat_id: int, now: datetime | None = None) -> Linked | None:
        """Link `chat_id` to the active official whose unexpired code this is; None otherwise.

        The code is used up: of two chats sending it at once, only one is linked.
        """
        issued = normalize(code)
        if issued is None:
            return None
        now = now or utcnow()
        digest = _hash(issued)
        async with self.db.session() as session:
            found = (
                await session.exec(
                    select(Official).where(
                        col(Official.telegram_code_hash) == digest,
                        col(Official.telegram_code_expires) > now,
                        col(Official.active),
                    )
                )
            ).first()
            if found is None or found.id is None:
                return None
            used = await session.exec(
                update(Official)
                .where(col(Official.id) == found.id, col(Official.telegram_code_hash) == digest)
                .values(
                    telegram_chat_id=chat_id,
                    telegram_linked_at=now,
                    telegram_code_hash=None,
                    telegram_code_expires=None,
                )
            )
            if used.rowcount != 1:
                return None
            await audit.record(
                session, f"official:{found.id}", "official.telegram_linked", "official", found.id
            )
            await session.commit()
            return Linked(found.id, found.name)

    async def unlink(self, official_id: int) -> bool:
        """Forget this official's chat; False when none was linked."""
        async with self.db.session() as session:
            result = await session.exec(
                update(Official)
                .where(col(Official.id) == official_id, col(Official.telegram_chat_id).is_not(None))
                .values(telegram_chat_id=None, telegram_linked_at=None)
            )
            if result.rowcount != 1:
                return False
            await audit.record(
                session,
                f"official:{official_id}",
                "official.telegram_unlinked",
                "official",
                official_id,
            )
            await session.commit()
            return True

    async def linked(self, official_id: int) -> LinkedChat | None:
        """The official's linked chat, or None."""
        async with self.db.session() as session:
            result = await session.exec(
                select(Official.telegram_chat_id, Official.telegram_linked_at).where(
                    col(Official.id) == official_id
                )
            )
            found = result.first()
        if found is None or found[0] is None:
            return None
        return LinkedChat(found[0], found[1])
