"""inbound deliveries: Slack requests and Teams activities already acted on, for replays

Revision ID: 0007_inbound_deliveries
Revises: 0006_imports
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_inbound_deliveries"
down_revision: str | Sequence[str] | None = "0006_imports"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "inbound_deliveries",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_inbound_deliveries")),
    )
    op.create_index(
        op.f("ix_inbound_deliveries_received_at"), "inbound_deliveries", ["received_at"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_inbound_deliveries_received_at"), table_name="inbound_deliveries")
    op.drop_table("inbound_deliveries")
