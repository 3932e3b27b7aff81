"""The audit trail: rows are only ever added, inside the transaction of the change they record.

There is deliberately no function here that updates or deletes an audit row. The one change
ever made to rows already written is an erasure's (`storage.repos.erasure`): the actor
`worker:<id>` becomes `erased:<request id>`; action, time and subject stay.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.infra.db import Database
from storage.models import AuditLog, utcnow

# The shortest reason accepted for a sensitive action (a full NIK, an export, a broadcast).
MIN_REASON = 5


def entry(
    actor: str,
    action: str,
    subject_type: str,
    subject_id: str | int,
    detail: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The values of an audit row, for a plain INSERT in the caller's transaction."""
    return {
        "at": utcnow(),
        "actor": actor,
        "action": action,
        "subject_type": subject_type,
        "subject_id": str(subject_id),
        "detail": detail,
    }


async def record(
    session: AsyncSession,
    actor: str,
    action: str,
    subject_type: str,
    subject_id: str | int,
    detail: dict[str, Any] | None = None,
) -> AuditLog:
    """Add an audit row to `session`; it is written when the caller commits.

    `actor` is like `official:3`, `worker:12345` or `system`; `detail` must hold no personal data.
    """
    row = AuditLog(
        at=utcnow(),
        actor=actor,
        action=action,
        subject_type=subject_type,
        subject_id=str(subject_id),
        detail=detail,
    )
    session.add(row)
    return row


async def recent(db: Database, limit: int = 100) -> list[AuditLog]:
    """The newest audit rows first."""
    async with db.session() as session:
        result = await session.exec(select(AuditLog).order_by(col(AuditLog.id).desc()).limit(limit))
        return list(result.all())


async def page(
    db: Database, *, limit: int = 50, offset: int = 0, action: str | None = None
) -> tuple[list[AuditLog], int]:
    """One page of the trail, newest first, and how many rows match in all."""
    where = [col(AuditLog.action) == action] if action else []
    async with db.session() as session:
        total = (await session.exec(select(func.count()).select_from(AuditLog).where(*where))).one()
        result = await session.exec(
            select(AuditLog)
            .where(*where)
            .order_by(col(AuditLog.id).desc())
            .limit(limit)
            .offset(offset)
        )
        return list(result.all()), int(total)


async def history(db: Database, subject_type: str, subject_id: str | int) -> list[AuditLog]:
    """Everything recorded about one subject (a registration, say), oldest first."""
    async with db.session() as session:
        result = await session.exec(
            select(AuditLog)
            .where(
                col(AuditLog.subject_type) == subject_type,
                col(AuditLog.subject_id) == str(subject_id),
            )
            .order_by(col(AuditLog.id))
        )
        return list(result.all())
