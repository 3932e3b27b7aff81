"""Registrations read out for BPJS's bulk upload, with the full NIK; every export is audited.

The audit row lists the exported registrations' ids, so a leaked file can be traced to people.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement
from sqlmodel import col, select

from storage.infra.crypto import Cipher
from storage.infra.db import Database
from storage.models import Registration
from storage.repos import audit, volume_alerts
from storage.repos.registrations import NIK_CONTEXT


@dataclass(frozen=True)
class ExportRow:
    registration: Registration
    nik: str


async def export_rows(
    db: Database,
    cipher: Cipher,
    where: list[ColumnElement[bool]],
    *,
    actor: str,
    detail: dict[str, Any],
    reason: str,
) -> list[ExportRow]:
    """The matching registrations in id order, recorded as `registrations.exported` by `actor`.

    `detail` says what was asked (filters, format) and must hold no personal data; `reason` is
    why the official needs the full NIKs, as they wrote it.
    """
    async with db.session() as session:
        result = await session.exec(
            select(Registration).where(*where).order_by(col(Registration.id))
        )
        rows = list(result.all())
        await audit.record(
            session,
            actor,
            "registrations.exported",
            "registrations",
            "export",
            {**detail, "reason": reason, "count": len(rows), "ids": [row.id for row in rows]},
        )
        await volume_alerts.after_export(session, actor, len(rows))
        await session.commit()
    return [
        ExportRow(row, cipher.decrypt_text(row.nik_ciphertext, context=NIK_CONTEXT))
        for row in rows
        if row.nik_ciphertext  # erased registrations have no personal data left to export
    ]
