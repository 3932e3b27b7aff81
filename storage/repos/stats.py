"""Counts of registrations for the officials' statistics: by status, program, place, and day.

Days are counted in Western Indonesia Time (WIB, UTC+7, no daylight saving), where the programs are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any

from sqlalchemy import ColumnElement, func
from sqlmodel import col, select

from storage.infra.db import Database
from storage.models import Registration

WIB = timezone(timedelta(hours=7), "WIB")


@dataclass(frozen=True)
class RegistrationCounts:
    total: int
    by_status: dict[str, int]
    by_program: dict[str | None, int]
    by_occupation: dict[str, int]
    by_regency: dict[str, int]
    per_day: list[tuple[date, int]]


def _local_day(dialect: str) -> ColumnElement[Any]:
    if dialect == "postgresql":
        return func.date(func.timezone("Asia/Jakarta", col(Registration.created_at)))
    # SQLite keeps UTC text; shift it by WIB's fixed offset.
    return func.date(col(Registration.created_at), "+7 hours")


async def registration_counts(
    db: Database, where: list[ColumnElement[bool]], *, days: int = 30, today: date | None = None
) -> RegistrationCounts:
    """Counts over the registrations matching `where`; `per_day` covers the last `days` days."""
    today = today or datetime.now(WIB).date()
    first = today - timedelta(days=days - 1)
    since = datetime.combine(first, time(), WIB).astimezone(UTC)
    dialect = db.engine.dialect.name
    groups: dict[str, dict[Any, int]] = {}
    async with db.session() as session:
        for name, column in (
            ("status", col(Registration.status)),
            ("program", col(Registration.program)),
            ("occupation", col(Registration.occupation)),
            ("regency", col(Registration.regency)),
        ):
            result = await session.exec(select(column, func.count()).where(*where).group_by(column))
            groups[name] = {key: int(count) for key, count in result.all()}
        day = _local_day(dialect).label("day")
        result = await session.exec(
            select(day, func.count())
            .where(*where, col(Registration.created_at) >= since)
            .group_by(day)
            .order_by(day)
        )
        per_day = [(_as_date(key), int(count)) for key, count in result.all()]
    return RegistrationCounts(
        total=sum(groups["status"].values()),
        by_status=groups["status"],
        by_program=groups["program"],
        by_occupation=groups["occupation"],
        by_regency=groups["regency"],
        per_day=per_day,
    )


def _as_date(value: object) -> date:
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))
