"""Officials' own Telegram chat (for test broadcasts), linked with a one-time code.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("officials", sa.Column("telegram_chat_id", sa.BigInteger(), nullable=True))
    op.add_column(
        "officials", sa.Column("telegram_linked_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column("officials", sa.Column("telegram_code_hash", sa.String(), nullable=True))
    op.add_column(
        "officials", sa.Column("telegram_code_expires", sa.DateTime(timezone=True), nullable=True)
    )
    op.create_index(
        op.f("ix_officials_telegram_code_hash"), "officials", ["telegram_code_hash"], unique=True
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_officials_telegram_code_hash"), table_name="officials")
    with op.batch_alter_table("officials") as batch:
        batch.drop_column("telegram_code_expires")
        batch.drop_column("telegram_code_hash")
        batch.drop_column("telegram_linked_at")
        batch.drop_column("telegram_chat_id")
