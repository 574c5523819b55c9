"""training completions imported from the LMS, per person and training

Revision ID: 0006_imports
Revises: 0005_identity_names
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_imports"
down_revision: str | Sequence[str] | None = "0005_identity_names"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "training_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("training_id", sa.String(length=64), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_records")),
        sa.UniqueConstraint("email", "training_id", name=op.f("uq_training_records_email")),
    )
    op.create_index(
        "ix_training_records_renewal", "training_records", ["training_id", "completed_at"]
    )


def downgrade() -> None:
    op.drop_table("training_records")
