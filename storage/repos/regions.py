"""The Kemendagri region list: reading its CSV (`kode,nama`) and loading it into the database.

A code's level is its number of dotted parts; its parent is the code without the last part.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any

from sqlalchemy import Table, func
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select

from storage.infra.db import Database
from storage.models import Region

REGION_CODE = re.compile(r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$")
HEADER = ["kode", "nama"]
BATCH = 5_000


def read_region_csv(path: str | Path) -> Iterator[tuple[str, str]]:
    """Yield `(code, name)` rows; raise ValueError naming the line of the first bad row."""
    with Path(path).open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None or [cell.strip().lower() for cell in header] != HEADER:
            raise ValueError(f"{path}, line 1: the header must be 'kode,nama', found {header!r}")
        for row in reader:
            line = reader.line_num
            if not row:
                continue
            if len(row) != 2:
                raise ValueError(f"{path}, line {line}: expected 2 columns, found {len(row)}")
            code, name = row[0].strip(), row[1].strip()
            if not REGION_CODE.match(code):
                raise ValueError(
                    f"{path}, line {line}: {code!r} is not a Kemendagri code like 36.04.01.2001"
                )
            if not name:
                raise ValueError(f"{path}, line {line}: the region {code} has no name")
            yield code, name


def _values(code: str, name: str) -> dict[str, Any]:
    if not REGION_CODE.match(code):
        raise ValueError(f"{code!r} is not a Kemendagri code like 36.04.01.2001")
    parts = code.split(".")
    parent = ".".join(parts[:-1]) or None
    return {"code": code, "name": name, "level": len(parts), "parent": parent}


async def import_regions(db: Database, rows: Iterable[tuple[str, str]]) -> int:
    """Insert or update regions in one transaction; returns how many rows were given."""
    table: Table = Region.__table__  # type: ignore[attr-defined]
    dialect = sqlite if db.is_sqlite else postgresql
    statement = dialect.insert(table)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.code],
        set_={
            "name": statement.excluded.name,
            "level": statement.excluded.level,
            "parent": statement.excluded.parent,
        },
    )
    count = 0
    iterator = iter(rows)
    async with db.engine.begin() as connection:
        while batch := [_values(code, name) for code, name in islice(iterator, BATCH)]:
            await connection.execute(statement, batch)
            count += len(batch)
    return count


async def count_regions(db: Database) -> int:
    async with db.session() as session:
        result = await session.exec(select(func.count()).select_from(Region))
        return result.one()


async def load_regions(db: Database) -> list[tuple[str, str]]:
    """All `(code, name)` pairs, ordered by code."""
    async with db.session() as session:
        result = await session.exec(select(Region.code, Region.name).order_by(col(Region.code)))
        return [(code, name) for code, name in result.all()]
