"""the bot's changes to the community file's directory; grants beside an account's role

Revision ID: 0004_agency_changes
Revises: 0003_request_kinds
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_agency_changes"
down_revision: str | Sequence[str] | None = "0003_request_kinds"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "agency_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.String(length=64), nullable=False),
        sa.Column("field", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=254), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"], ["requests.id"], name=op.f("fk_agency_changes_request_id_requests")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agency_changes")),
    )

    op.create_table(
        "account_grants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("value", sa.String(length=64), nullable=False),
        sa.Column("active_key", sa.String(length=360), nullable=True),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_by", sa.String(length=254), nullable=True),
        sa.ForeignKeyConstraint(
            ["request_id"], ["requests.id"], name=op.f("fk_account_grants_request_id_requests")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_grants")),
        sa.UniqueConstraint("active_key", name=op.f("uq_account_grants_active_key")),
    )
    op.create_index("ix_account_grants_email", "account_grants", ["email"])
    op.create_index(op.f("ix_account_grants_expires_at"), "account_grants", ["expires_at"])


def downgrade() -> None:
    op.drop_table("account_grants")
    op.drop_table("agency_changes")
