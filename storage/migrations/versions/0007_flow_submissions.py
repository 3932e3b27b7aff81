"""Answers of a flow pack's `submit` step (see `LINDUNGI_FLOW`), stored only encrypted.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "flow_submissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("flow", sa.String(), nullable=False),
        sa.Column("reference", sa.String(), nullable=False),
        sa.Column("telegram_user_id", sa.BigInteger(), nullable=False),
        sa.Column("telegram_chat_id", sa.BigInteger(), nullable=False),
        sa.Column("answers_ciphertext", sa.String(), nullable=False),
        sa.Column("submission_key", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_flow_submissions")),
    )
    op.create_index(
        op.f("ix_flow_submissions_reference"), "flow_submissions", ["reference"], unique=True
    )
    op.create_index(
        op.f("ix_flow_submissions_submission_key"),
        "flow_submissions",
        ["submission_key"],
        unique=True,
    )
    op.create_index(op.f("ix_flow_submissions_flow"), "flow_submissions", ["flow"])
    op.create_index(
        op.f("ix_flow_submissions_telegram_user_id"), "flow_submissions", ["telegram_user_id"]
    )
    op.create_index(op.f("ix_flow_submissions_created_at"), "flow_submissions", ["created_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_flow_submissions_created_at"), table_name="flow_submissions")
    op.drop_index(op.f("ix_flow_submissions_telegram_user_id"), table_name="flow_submissions")
    op.drop_index(op.f("ix_flow_submissions_flow"), table_name="flow_submissions")
    op.drop_index(op.f("ix_flow_submissions_submission_key"), table_name="flow_submissions")
    op.drop_index(op.f("ix_flow_submissions_reference"), table_name="flow_submissions")
    op.drop_table("flow_submissions")
