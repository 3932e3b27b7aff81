"""Create the tables: registrations, consents, audit log, officials, API tokens, regions.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("subject_type", sa.String(), nullable=False),
        sa.Column("subject_id", sa.String(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_action"), "audit_log", ["action"], unique=False)
    op.create_index(op.f("ix_audit_log_actor"), "audit_log", ["actor"], unique=False)
    op.create_index(op.f("ix_audit_log_at"), "audit_log", ["at"], unique=False)
    op.create_table(
        "officials",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("region", sa.String(), nullable=True),
        sa.Column("password_hash", sa.String(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("role IN ('admin', 'reviewer')", name=op.f("ck_officials_role")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_officials")),
    )
    op.create_index(op.f("ix_officials_username"), "officials", ["username"], unique=True)
    op.create_table(
        "regions",
        sa.Column("code", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("parent", sa.String(), nullable=True),
        sa.CheckConstraint("level BETWEEN 1 AND 4", name=op.f("ck_regions_level")),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_regions")),
    )
    op.create_index(op.f("ix_regions_level"), "regions", ["level"], unique=False)
    op.create_index(op.f("ix_regions_parent"), "regions", ["parent"], unique=False)
    op.create_table(
        "registrations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("full_name", sa.String(), nullable=False),
        sa.Column("nik_ciphertext", sa.String(), nullable=False),
        sa.Column("nik_hash", sa.String(), nullable=False),
        sa.Column("nik_masked", sa.String(), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("gender", sa.String(), nullable=False),
        sa.Column("phone", sa.String(), nullable=False),
        sa.Column("occupation", sa.String(), nullable=False),
        sa.Column("occupation_other", sa.String(), nullable=True),
        sa.Column("region", sa.String(), nullable=False),
        sa.Column("regency", sa.String(), nullable=False),
        sa.Column("monthly_income", sa.Integer(), nullable=False),
        sa.Column("heir_name", sa.String(), nullable=True),
        sa.Column("heir_relation", sa.String(), nullable=True),
        sa.Column("program", sa.String(), nullable=True),
        sa.Column("telegram_user_id", sa.BigInteger(), nullable=False),
        sa.Column("telegram_chat_id", sa.BigInteger(), nullable=False),
        sa.Column("language", sa.String(), nullable=False),
        sa.Column("submission_key", sa.String(), nullable=False),
        sa.Column("registered_by", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(), nullable=True),
        sa.Column("reason", sa.String(), nullable=True),
        sa.Column("kpj", sa.String(), nullable=True),
        sa.CheckConstraint("gender IN ('male', 'female')", name=op.f("ck_registrations_gender")),
        sa.CheckConstraint("language IN ('id', 'en')", name=op.f("ck_registrations_language")),
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'rejected', 'active')",
            name=op.f("ck_registrations_status"),
        ),
        sa.CheckConstraint("monthly_income >= 0", name=op.f("ck_registrations_monthly_income")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registrations")),
    )
    op.create_index(
        op.f("ix_registrations_created_at"), "registrations", ["created_at"], unique=False
    )
    op.create_index(op.f("ix_registrations_nik_hash"), "registrations", ["nik_hash"], unique=True)
    op.create_index(
        op.f("ix_registrations_occupation"), "registrations", ["occupation"], unique=False
    )
    op.create_index(op.f("ix_registrations_program"), "registrations", ["program"], unique=False)
    op.create_index(op.f("ix_registrations_reference"), "registrations", ["reference"], unique=True)
    op.create_index(op.f("ix_registrations_regency"), "registrations", ["regency"], unique=False)
    op.create_index(op.f("ix_registrations_region"), "registrations", ["region"], unique=False)
    op.create_index(op.f("ix_registrations_status"), "registrations", ["status"], unique=False)
    op.create_index(
        op.f("ix_registrations_submission_key"), "registrations", ["submission_key"], unique=True
    )
    op.create_index(
        op.f("ix_registrations_telegram_user_id"),
        "registrations",
        ["telegram_user_id"],
        unique=False,
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("official_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["official_id"],
            ["officials.id"],
            name=op.f("fk_api_tokens_official_id_officials"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
    )
    op.create_index(op.f("ix_api_tokens_official_id"), "api_tokens", ["official_id"], unique=False)
    op.create_index(op.f("ix_api_tokens_token_hash"), "api_tokens", ["token_hash"], unique=True)
    op.create_table(
        "consents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=True),
        sa.Column("telegram_user_id", sa.BigInteger(), nullable=False),
        sa.Column("purpose", sa.String(), nullable=False),
        sa.Column("text_version", sa.String(), nullable=False),
        sa.Column("text_sha256", sa.String(), nullable=False),
        sa.Column("language", sa.String(), nullable=False),
        sa.Column("given_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("language IN ('id', 'en')", name=op.f("ck_consents_language")),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registrations.id"],
            name=op.f("fk_consents_registration_id_registrations"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consents")),
    )
    op.create_index(
        op.f("ix_consents_registration_id"), "consents", ["registration_id"], unique=False
    )
    op.create_index(
        op.f("ix_consents_telegram_user_id"), "consents", ["telegram_user_id"], unique=False
    )

def downgrade() -> None:
    op.drop_index(op.f("ix_consents_telegram_user_id"), table_name="consents")
    op.drop_index(op.f("ix_consents_registration_id"), table_name="consents")
    op.drop_table("consents")
    op.drop_index(op.f("ix_api_tokens_token_hash"), table_name="api_tokens")
    op.drop_index(op.f("ix_api_tokens_official_id"), table_name="api_tokens")
    op.drop_table("api_tokens")
    op.drop_index(op.f("ix_registrations_telegram_user_id"), table_name="registrations")
    op.drop_index(op.f("ix_registrations_submission_key"), table_name="registrations")
    op.drop_index(op.f("ix_registrations_status"), table_name="registrations")
    op.drop_index(op.f("ix_registrations_region"), table_name="registrations")
    op.drop_index(op.f("ix_registrations_regency"), table_name="registrations")
    op.drop_index(op.f("ix_registrations_reference"), table_name="registrations")
    op.drop_index(op.f("ix_registrations_program"), table_name="registrations")
    op.drop_index(op.f("ix_registrations_occupation"), table_name="registrations")
    op.drop_index(op.f("ix_registrations_nik_hash"), table_name="registrations")
    op.drop_index(op.f("ix_registrations_created_at"), table_name="registrations")
    op.drop_table("registrations")
    op.drop_index(op.f("ix_regions_parent"), table_name="regions")
    op.drop_index(op.f("ix_regions_level"), table_name="regions")
    op.drop_table("regions")
    op.drop_index(op.f("ix_officials_username"), table_name="officials")
    op.drop_table("officials")
    op.drop_index(op.f("ix_audit_log_at"), table_name="audit_log")
    op.drop_index(op.f("ix_audit_log_actor"), table_name="audit_log")
    op.drop_index(op.f("ix_audit_log_action"), table_name="audit_log")
    op.drop_table("audit_log")
