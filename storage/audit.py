"""The audit trail: rows are only ever added, inside the transaction of the change they record.

There is deliberately no function that updates or deletes an audit row.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import Database
from storage.models import AuditLog, utcnow


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
