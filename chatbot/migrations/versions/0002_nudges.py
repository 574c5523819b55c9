"""scheduled nudges: nudge records, the scheduler lease, last logins and sweep indexes

Revision ID: 0002_nudges
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_nudges"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "nudges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=200), nullable=False),
        sa.Column("subject_kind", sa.String(length=32), nullable=False),
        sa.Column("subject_id", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("occurrence", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stage", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nudges")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_nudges_dedupe_key")),
    )
    op.create_index(
        "ix_nudges_series",
        "nudges",
        ["subject_kind", "subject_id", "kind", "occurrence", "stage"],
        unique=False,
    )
    op.create_table(
        "scheduler_leases",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("holder", sa.String(length=128), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_scheduler_leases")),
    )
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))
        batch_op.add_column(sa.Column("disabled_by", sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_accounts_inactivity", ["status", "last_login_at"], unique=False)
        batch_op.create_index("ix_accounts_request_id", ["request_id"], unique=False)
    # Accounts activated before logins were tracked count their inactivity from activation.
    op.execute(
        "UPDATE accounts SET last_login_at = activated_at "
        "WHERE last_login_at IS NULL AND activated_at IS NOT NULL"
    )
    with op.batch_alter_table("access_requests", schema=None) as batch_op:
        batch_op.create_index(
            "ix_access_requests_verification_due", ["state", "verification_due"], unique=False
        )
        batch_op.create_index(
            "ix_access_requests_training_due", ["state", "training_due"], unique=False
        )
        batch_op.create_index(
            "ix_access_requests_state_entered", ["state", "updated_at"], unique=False
        )
        batch_op.create_index(
            "ix_access_requests_first_login_due", ["state", "first_login_due"], unique=False
        )
    with op.batch_alter_table("training_reports", schema=None) as batch_op:
        batch_op.create_index(
            "ix_training_reports_renewal", ["training_id", "reported_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("training_reports", schema=None) as batch_op:
        batch_op.drop_index("ix_training_reports_renewal")
    with op.batch_alter_table("access_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_access_requests_first_login_due")
        batch_op.drop_index("ix_access_requests_state_entered")
        batch_op.drop_index("ix_access_requests_training_due")
        batch_op.drop_index("ix_access_requests_verification_due")
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_index("ix_accounts_request_id")
        batch_op.drop_index("ix_accounts_inactivity")
        batch_op.drop_column("disabled_at")
        batch_op.drop_column("disabled_by")
        batch_op.drop_column("version")
        batch_op.drop_column("last_login_at")
    op.drop_table("scheduler_leases")
    op.drop_index("ix_nudges_series", table_name="nudges")
    op.drop_table("nudges")
