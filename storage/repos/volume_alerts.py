"""Alerts on unusual volumes of sensitive reads: one official showing many full NIKs, or
exporting many rows, within an hour.

Crossing a limit writes one warning to the log (the actor's audit name, never personal data)
and counts one in `lindungi_sensitive_volume_alerts_total{kind}`, which `/metrics` shows, so a
monitoring rule can page someone. Counting reads the audit log, the same rows an auditor sees.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from prometheus_client import CollectorRegistry, Counter
from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import AuditLog, utcnow

log = logging.getLogger(__name__)

WINDOW = timedelta(hours=1)
# More full NIKs shown to one official in an hour than a reviewer's busy day needs.
MAX_NIK_VIEWS_PER_HOUR = 50
# Exports are for BPJS's bulk upload: a regency's approved list is a few thousand rows.
MAX_EXPORTED_ROWS_PER_HOUR = 5000

REGISTRY = CollectorRegistry()
ALERTS = Counter(
    "lindungi_sensitive_volume_alerts_total",
    "Officials who crossed a limit of full NIKs shown or rows exported in an hour",
    ["kind"],
    registry=REGISTRY,
)


def _alert(kind: str, actor: str, total: int, limit: int) -> None:
    ALERTS.labels(kind).inc()
    log.warning(
        "unusual volume: %s by %s reached %d in the last hour (limit %d)",
        kind,
        actor,
        total,
        limit,
    )


async def after_nik_view(session: AsyncSession, actor: str) -> None:
    """Call after recording a `nik.viewed` row (in its transaction): alert on the crossing."""
    since = utcnow() - WINDOW
    result = await session.exec(
        select(func.count())
        .select_from(AuditLog)
        .where(
            col(AuditLog.action) == "nik.viewed",
            col(AuditLog.actor) == actor,
            col(AuditLog.at) >= since,
        )
    )
    total = int(result.one())
    if total == MAX_NIK_VIEWS_PER_HOUR + 1:
        _alert("nik_views", actor, total, MAX_NIK_VIEWS_PER_HOUR)


async def after_export(session: AsyncSession, actor: str, rows: int) -> None:
    """Call after recording a `registrations.exported` row of `rows` rows (in its transaction)."""
    since = utcnow() - WINDOW
    result = await session.exec(
        select(AuditLog.detail).where(
            col(AuditLog.action) == "registrations.exported",
            col(AuditLog.actor) == actor,
            col(AuditLog.at) >= since,
        )
    )
    total = sum(int((detail or {}).get("count", 0)) for detail in result.all())
    if total - rows <= MAX_EXPORTED_ROWS_PER_HOUR < total:
        _alert("exported_rows", actor, total, MAX_EXPORTED_ROWS_PER_HOUR)
