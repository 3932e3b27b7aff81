"""The latest broadcasts, newest first, for the console's broadcasts page."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, select

from storage.infra.db import Database
from storage.models import Broadcast


async def list_recent(db: Database, limit: int = 50) -> Sequence[Broadcast]:
    """Up to `limit` broadcasts, the most recently created first."""
    query = select(Broadcast).order_by(col(Broadcast.id).desc()).limit(limit)
    async with db.session() as session:
        return list((await session.exec(query)).all())
