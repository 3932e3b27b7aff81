"""Login throttling per typed username and per client address, with growing lock-outs.

Before a password is checked, the attempt is *claimed* on both keys with one conditional
UPDATE each (`attempts < threshold` and not locked), inside one transaction: of many parallel
guesses only as many as the threshold allows are ever checked, the rest are refused unchecked.
A failure that fills a key's quota locks it for a delay that doubles with each lock-out in a
row. Unknown usernames are counted exactly like real ones, so the answers reveal nothing.

Keys are SHA-256 digests: neither a typed name (maybe a password in the wrong field) nor an
address is stored.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col

from storage.infra.db import Database
from storage.models import LoginThrottle as ThrottleRow
from storage.models import utcnow

# One address may try 5 passwords, one username 10 (from any number of addresses), before a
# lock-out: a single client is stopped before it can lock somebody else's account.
ADDRESS_ATTEMPTS = 5
ACCOUNT_ATTEMPTS = 10
# The first lock-out is short, so that locking an official out costs an attacker effort and
# the official little; each further one in a row doubles it, up to the cap.
FIRST_LOCKOUT = timedelta(minutes=1)
ACCOUNT_MAX_LOCKOUT = timedelta(minutes=15)
ADDRESS_MAX_LOCKOUT = timedelta(hours=1)
# Failures older than this are forgotten, and so are lock-outs after a quiet day.
ATTEMPT_WINDOW = timedelta(minutes=15)
LOCKOUT_MEMORY = timedelta(hours=24)


@dataclass(frozen=True)
class Key:
    """One throttled thing: its stored digest, how many attempts it gets, its longest lock."""

    digest: str
    attempts: int
    max_lockout: timedelta


def account_key(username: str) -> Key:
    digest = hashlib.sha256(b"account:" + username.strip().lower().encode()).hexdigest()
    return Key(digest, ACCOUNT_ATTEMPTS, ACCOUNT_MAX_LOCKOUT)


def address_key(address: str) -> Key:
    digest = hashlib.sha256(b"address:" + address.encode()).hexdigest()
    return Key(digest, ADDRESS_ATTEMPTS, ADDRESS_MAX_LOCKOUT)


def lockout(lockouts: int, cap: timedelta) -> timedelta:
    """The length of the lock-out after `lockouts` earlier ones in a row."""
    return min(FIRST_LOCKOUT * (1 << min(lockouts, 16)), cap)


class LoginThrottle:
    """Claim a login attempt, then report how it went."""

    def __init__(self, db: Database, clock: Callable[[], datetime] = utcnow) -> None:
        self._db = db
        self._clock = clock

    async def claim(self, keys: Sequence[Key]) -> datetime | None:
        """Count one attempt on every key; None when the password may be checked.

        Otherwise nothing is counted and the answer is until when to wait (at least now).
        """
        now = self._clock()
        async with self._db.session() as session:
            connection = await session.connection()
            dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
            for key in keys:
                await session.exec(
                    dialect.insert(ThrottleRow)
                    .values(key=key.digest, attempts=0, lockouts=0, updated_at=now)
                    .on_conflict_do_nothing(index_elements=["key"])
                )
                await session.exec(
                    update(ThrottleRow)
                    .where(
                        col(ThrottleRow.key) == key.digest,
                        col(ThrottleRow.updated_at) < now - ATTEMPT_WINDOW,
                        or_(
                            col(ThrottleRow.locked_until).is_(None),
                            col(ThrottleRow.locked_until) <= now,
                        ),
                    )
                    .values(attempts=0)
                )
                await session.exec(
                    update(ThrottleRow)
                    .where(
                        col(ThrottleRow.key) == key.digest,
                        col(ThrottleRow.updated_at) < now - LOCKOUT_MEMORY,
                    )
                    .values(lockouts=0)
                )
                claimed = await session.exec(
                    update(ThrottleRow)
                    .where(
                        col(ThrottleRow.key) == key.digest,
                        col(ThrottleRow.attempts) < key.attempts,
                        or_(
                            col(ThrottleRow.locked_until).is_(None),
                            col(ThrottleRow.locked_until) <= now,
                        ),
                    )
                    .values(attempts=col(ThrottleRow.attempts) + 1, updated_at=now)
                    .execution_options(synchronize_session=False)
                )
                if claimed.rowcount != 1:
                    rows = [await session.get(ThrottleRow, each.digest) for each in keys]
                    ends = [row.locked_until for row in rows if row and row.locked_until]
                    await session.rollback()
                    return max([end for end in ends if end > now], default=now)
            await session.commit()
        return None

    async def failed(self, keys: Sequence[Key]) -> datetime | None:
        """A claimed attempt had a wrong password: lock the keys whose quota it filled.

        Returns the latest lock's end when this failure locked a key.
        """
        now = self._clock()
        latest: datetime | None = None
        async with self._db.session() as session:
            for key in keys:
                row = await session.get(ThrottleRow, key.digest, with_for_update=True)
                if row is None or row.attempts < key.attempts:
                    continue
                row.locked_until = now + lockout(row.lockouts, key.max_lockout)
                row.lockouts += 1
                row.attempts = 0
                row.updated_at = now
                session.add(row)
                latest = max(latest or row.locked_until, row.locked_until)
            await session.commit()
        return latest

    async def succeeded(self, account: Key, address: Key, claims: int = 1) -> None:
        """Signed in: the account starts afresh; the address gets back the `claims` attempts
        this login took (the password, and the code after it)."""
        async with self._db.session() as session:
            await session.exec(
                update(ThrottleRow)
                .where(col(ThrottleRow.key) == account.digest)
                .values(attempts=0, lockouts=0, locked_until=None)
            )
            await session.exec(
                update(ThrottleRow)
                .where(col(ThrottleRow.key) == address.digest)
                .values(
                    attempts=case(
                        (col(ThrottleRow.attempts) > claims, col(ThrottleRow.attempts) - claims),
                        else_=0,
                    )
                )
            )
            await session.commit()
