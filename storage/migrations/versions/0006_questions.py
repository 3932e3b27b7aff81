"""Workers' questions for the officials, with the answer and its delivery to Telegram.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("telegram_user_id", sa.BigInteger(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("language", sa.String(), nullable=False),
        sa.Column("gender", sa.String(), nullable=True),
        sa.Column("region", sa.String(), nullable=True),
        sa.Column("regency", sa.String(), nullable=True),
        sa.Column("topic", sa.String(), nullable=True),
        sa.Column("text_ciphertext", sa.String(), nullable=False),
        sa.Column("answer_ciphertext", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered_by", sa.String(), nullable=True),
        sa.Column("delivery", sa.String(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(), nullable=True),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("state IN ('open', 'answered')", name=op.f("ck_questions_state")),
        sa.CheckConstraint("language IN ('id', 'en')", name=op.f("ck_questions_language")),
        sa.CheckConstraint(
            "delivery IN ('pending', 'sent', 'failed')", name=op.f("ck_questions_delivery")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questions")),
    )
    op.create_index(op.f("ix_questions_reference"), "questions", ["reference"], unique=True)
    op.create_index(op.f("ix_questions_state"), "questions", ["state"])
    op.create_index(op.f("ix_questions_telegram_user_id"), "questions", ["telegram_user_id"])
    op.create_index(op.f("ix_questions_created_at"), "questions", ["created_at"])
    op.create_index(
        "ix_questions_delivery_next_attempt_at", "questions", ["delivery", "next_attempt_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_questions_delivery_next_attempt_at", table_name="questions")
    op.drop_index(op.f("ix_questions_created_at"), table_name="questions")
    op.drop_index(op.f("ix_questions_telegram_user_id"), table_name="questions")
    op.drop_index(op.f("ix_questions_state"), table_name="questions")
    op.drop_index(op.f("ix_questions_reference"), table_name="questions")
    op.drop_table("questions")
