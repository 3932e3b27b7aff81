"""Officials' review of registrations: find them, show one, and decide on it.

A decision changes the status with one conditional UPDATE (so a second approval changes nothing),
and in the same transaction takes a quota place, queues the worker's notification and audits it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, func, or_
from sqlmodel import col, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.errors import ConflictError, NotFoundError, QuotaFullError
from storage.infra.crypto import Cipher
from storage.infra.db import Database
from storage.models import Registration, utcnow
from storage.repos import audit, notifications, quotas, volume_alerts
from storage.repos.registrations import NIK_CONTEXT
from storage.repos.scope import RegionScope, region_under

T = TypeVar("T")

TRANSITIONS: dict[str, tuple[str, ...]] = {
    "approved": ("pending",),
    "rejected": ("pending",),
    "active": ("approved",),
}
"""The status a decision leads to, and the statuses it may start from."""

QuotaLookup = Callable[[str, str], quotas.QuotaPlace | None]
"""(program id, occupation) -> the quota an approval takes a place of, or None."""

_NOT_DIGIT = re.compile(r"[\s\-.()+]")


@dataclass(frozen=True)
class RegistrationFilter:
    """What officials filter the queue by; every field is optional."""

    status: str | None = None
    region: str | None = None
    occupation: str | None = None
    program: str | None = None
    q: str | None = None
    """A name (any part, any case), a phone number (08… or +62…), a reference or a full NIK."""


@dataclass
class Page(Generic[T]):
    items: list[T]
    total: int


@dataclass(frozen=True)
class Decision:
    """A decision on one registration, with what the worker is told.

    `actor` is the audit log's (`official:<id>`), `by` the name kept as `decided_by`.
    """

    status: str
    actor: str
    by: str
    reason: str | None = None
    kpj: str | None = None
    notice: Mapping[str, Any] = field(default_factory=dict)
    """Extra parameters of the worker's message (for example the program's name)."""


class Review:
    """Queries behind the officials' API and pages; each method is one transaction."""

    def __init__(self, db: Database, cipher: Cipher) -> None:
        self._db = db
        self._cipher = cipher

    def conditions(
        self, wanted: RegistrationFilter, scope: RegionScope
    ) -> list[ColumnElement[bool]]:
        """SQL conditions for a filter within a scope (shared with exports and statistics)."""
        found: list[ColumnElement[bool]] = [scope.condition()]
        if wanted.status:
            found.append(col(Registration.status) == wanted.status)
        if wanted.region:
            found.append(region_under(wanted.region))
        if wanted.occupation:
            found.append(col(Registration.occupation) == wanted.occupation)
        if wanted.program:
            found.append(col(Registration.program) == wanted.program)
        if wanted.q and wanted.q.strip():
            found.append(self._search(wanted.q.strip()))
        return found

    def _search(self, q: str) -> ColumnElement[bool]:
        name = func.lower(col(Registration.full_name)).contains(q.lower(), autoescape=True)
        options = [name, func.upper(col(Registration.reference)) == q.upper()]
        digits = _NOT_DIGIT.sub("", q)
        if digits.isdigit():
            if len(digits) == 16:
                hashes = self._cipher.keyed_hashes(digits)
                options.append(col(Registration.nik_hash).in_(hashes))
            if len(digits) >= 4:
                # Phones are stored as +62…; a worker reads theirs out as 08….
                national = "62" + digits[1:] if digits.startswith("0") else digits
                options.append(col(Registration.phone).contains(national, autoescape=True))
        return or_(*options)

    async def search(
        self,
        wanted: RegistrationFilter,
        scope: RegionScope,
        *,
        limit: int = 50,
        offset: int = 0,
    ) -> Page[Registration]:
        """One page of matching registrations, oldest first (the order of the queue)."""
        where = self.conditions(wanted, scope)
        async with self._db.session() as session:
            total = (
                await session.exec(select(func.count()).select_from(Registration).where(*where))
            ).one()
            rows = await session.exec(
                select(Registration)
                .where(*where)
                .order_by(col(Registration.created_at), col(Registration.id))
                .limit(limit)
                .offset(offset)
            )
            return Page(list(rows.all()), int(total))

    async def get(self, registration_id: int) -> Registration | None:
        async with self._db.session() as session:
            return await session.get(Registration, registration_id)

    async def reveal_nik(self, row: Registration, actor: str, reason: str | None = None) -> str:
        """The full NIK, shown only once the view (and why, when given) is in the audit log."""
        assert row.id is not None
        detail = {"reason": reason} if reason else None
        async with self._db.session() as session:
            await audit.record(session, actor, "nik.viewed", "registration", row.id, detail)
            await volume_alerts.after_nik_view(session, actor)
            await session.commit()
        if not row.nik_ciphertext:  # erased at the worker's request (storage.repos.data_rights)
            return row.nik_masked
        return self._cipher.decrypt_text(row.nik_ciphertext, context=NIK_CONTEXT)

    async def decide(
        self, registration_id: int, decision: Decision, *, quota: QuotaLookup | None = None
    ) -> Registration:
        """Apply `decision`; raises NotFoundError, ConflictError (wrong status) or QuotaFullError.

        An approval takes a place of the quota `quota` names for the registration's program
        and occupation; nothing is changed when any step fails.
        """
        starts = TRANSITIONS.get(decision.status)
        if starts is None:
            raise ValueError(f"no decision leads to the status {decision.status!r}")
        async with self._db.session() as session:
            # The UPDATE comes first: it is the race's referee, and on SQLite it takes the
            # write lock before anything is read.
            row = await self._transition(session, registration_id, starts, decision)
            if row is None:
                raise await self._why_not(session, registration_id, decision.status, starts)
            place = None
            if decision.status == "approved" and quota is not None and row.program:
                place = quota(row.program, row.occupation)
                if place is not None and not await quotas.take_place(session, place):
                    raise QuotaFullError(place.program, place.quota_id, place.limit)
            notifications.enqueue(
                session,
                row,
                decision.status,
                {
                    "reference": row.reference,
                    "gender": row.gender,
                    "reason": row.reason,
                    "kpj": row.kpj,
                    **decision.notice,
                },
            )
            detail: dict[str, Any] = {"status": decision.status, "program": row.program}
            if place is not None:
                detail["quota"] = place.quota_id
            await audit.record(
                session,
                decision.actor,
                f"registration.{decision.status}",
                "registration",
                registration_id,
                detail,
            )
            await session.commit()
        return row

    async def _transition(
        self,
        session: AsyncSession,
        registration_id: int,
        starts: tuple[str, ...],
        decision: Decision,
    ) -> Registration | None:
        now = utcnow()
        values: dict[str, Any] = {"status": decision.status, "updated_at": now}
        if decision.status == "active":
            values["kpj"] = decision.kpj
        else:
            values |= {"decided_at": now, "decided_by": decision.by, "reason": decision.reason}
        result = await session.exec(
            update(Registration)
            .where(
                col(Registration.id) == registration_id,
                col(Registration.status).in_(starts),
            )
            .values(**values)
            .returning(Registration)
            .execution_options(synchronize_session=False)
        )
        return result.scalars().first()

    async def _why_not(
        self, session: AsyncSession, registration_id: int, status: str, starts: tuple[str, ...]
    ) -> Exception:
        row = await session.get(Registration, registration_id)
        if row is None:
            return NotFoundError(f"no registration {registration_id}")
        return ConflictError(
            f"the registration is {row.status}; only a {' or '.join(starts)} registration "
            f"can become {status}"
        )
