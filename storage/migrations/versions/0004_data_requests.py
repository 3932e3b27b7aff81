"""Workers' data requests (erasure), completed by officials within 3x24 hours.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "data_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=True),
        sa.Column("telegram_user_id", sa.BigInteger(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_by", sa.String(), nullable=True),
        sa.CheckConstraint("kind IN ('erasure')", name=op.f("ck_data_requests_kind")),
        sa.CheckConstraint("state IN ('open', 'done')", name=op.f("ck_data_requests_state")),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registrations.id"],
            name=op.f("fk_data_requests_registration_id_registrations"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_requests")),
    )
    op.create_index(op.f("ix_data_requests_registration_id"), "data_requests", ["registration_id"])
    op.create_index(op.f("ix_data_requests_requested_at"), "data_requests", ["requested_at"])
    op.create_index(op.f("ix_data_requests_state"), "data_requests", ["state"])
    op.create_index(op.f("ix_data_requests_telegram_user_id"), "data_requests", ["telegram_user_id"])


def downgrade() -> None:
    op.drop_table("data_requests")
