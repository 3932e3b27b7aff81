"""Program quota places: taken by approvals exactly once, even when officials approve at once.

A place is taken by one conditional `UPDATE ... SET used = used + 1 WHERE used < limit` inside
the approval's transaction, so a full quota or a lost race simply updates no row. A place is
given back, in the transaction that sends an approved registration back to review, to the quota
named by the approval's audit row (written in the transaction that took it).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.infra.db import Database
from storage.models import AuditLog, QuotaUsage, utcnow

HOLDING = frozenset({"approved", "active"})
"""Statuses of a registration that holds the quota place its approval took."""


@dataclass(frozen=True)
class QuotaPlace:
    """The quota an approval takes a place of: program id, quota id, and its number of places."""

    program: str
    quota_id: str
    limit: int


async def take_place(session: AsyncSession, place: QuotaPlace) -> bool:
    """Take one place in the caller's transaction; False when the quota is full."""
    connection = await session.connection()
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    values = {"program": place.program, "quota_id": place.quota_id, "used": 0}
    await session.exec(
        dialect.insert(QuotaUsage)
        .values(**values, updated_at=utcnow())
        .on_conflict_do_nothing(index_elements=["program", "quota_id"])
    )
    result = await session.exec(
        update(QuotaUsage)
        .where(
            col(QuotaUsage.program) == place.program,
            col(QuotaUsage.quota_id) == place.quota_id,
            col(QuotaUsage.used) < place.limit,
        )
        .values(used=col(QuotaUsage.used) + 1, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


async def release_place(session: AsyncSession, registration_id: int) -> tuple[str, str] | None:
    """Give back the place the registration's latest approval took, in the caller's transaction.

    Call it only when the registration leaves a `HOLDING` status (in the same transaction as
    that change). Returns (program id, quota id) of the place given back, or None when the
    approval took no place.
    """
    approval = (
        await session.exec(
            select(AuditLog)
            .where(
                col(AuditLog.subject_type) == "registration",
                col(AuditLog.subject_id) == str(registration_id),
                col(AuditLog.action) == "registration.approved",
            )
            .order_by(col(AuditLog.id).desc())
            .limit(1)
        )
    ).first()
    detail = approval.detail if approval is not None else None
    if not detail or not detail.get("quota") or not detail.get("program"):
        return None
    program, quota_id = str(detail["program"]), str(detail["quota"])
    await session.exec(
        update(QuotaUsage)
        .where(
            col(QuotaUsage.program) == program,
            col(QuotaUsage.quota_id) == quota_id,
            col(QuotaUsage.used) > 0,
        )
        .values(used=col(QuotaUsage.used) - 1, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return program, quota_id


async def used_places(db: Database) -> dict[tuple[str, str], int]:
    """Places taken, by (program id, quota id)."""
    async with db.session() as session:
        result = await session.exec(select(QuotaUsage))
        return {(row.program, row.quota_id): row.used for row in result.all()}
