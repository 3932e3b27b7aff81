"""`lindungi export`: registrations for BPJS bulk upload, written to a CSV or XLSX file.

The file holds full NIKs: it is created readable by its owner only, and the export is audited.
"""

from __future__ import annotations

import asyncio
import getpass
import os
from pathlib import Path

from bot.services import load_region_directory
from bot.settings import Settings
from console.exporting import FORMATS, render
from storage.infra.crypto import Cipher
from storage.infra.db import Database
from storage.models import REGISTRATION_STATUSES
from storage.repos.audit import MIN_REASON
from storage.repos.exports import export_rows
from storage.repos.review import RegistrationFilter, Review
from storage.repos.scope import RegionScope


def _who() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no user name in a bare container
        return "cli"


async def export_to_file(
    settings: Settings, status: str, format: str, output: Path, reason: str
) -> int:
    """Write the registrations with `status` (or `all`) to `output`; returns how many.

    `reason` (why the full NIKs are needed) is required and kept in the audit log.
    """
    if len(reason.strip()) < MIN_REASON:
        raise ValueError(
            f"Give a reason with --reason (at least {MIN_REASON} characters): why the full "
            "NIKs are needed. It is kept in the audit log."
        )
    if format not in FORMATS:
        raise ValueError(f"The format must be csv or xlsx, not {format!r}.")
    if status not in (*REGISTRATION_STATUSES, "all"):
        raise ValueError(
            f"The status must be one of {', '.join(REGISTRATION_STATUSES)} or all, not {status!r}."
        )
    if not output.parent.is_dir():
        raise ValueError(f"The folder {output.parent} does not exist.")
    db = Database.from_url(settings.resolved_database_url())
    try:
        cipher = Cipher(*settings.cipher_keys())
        wanted = RegistrationFilter(status=None if status == "all" else status)
        rows = await export_rows(
            db,
            cipher,
            Review(db, cipher).conditions(wanted, RegionScope.everything()),
            actor=_who(),
            detail={"format": format, "status": status, "via": "cli"},
            reason=reason.strip(),
        )
        content = await asyncio.to_thread(render, format, rows, await load_region_directory(db))
    finally:
        await db.dispose()
    await asyncio.to_thread(_write_private, output, content)
    return len(rows)


def _write_private(path: Path, content: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as file:
        file.write(content)
    tmp.replace(path)
