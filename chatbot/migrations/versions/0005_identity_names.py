"""The name a chat profile shows, kept with the resolved identity

Revision ID: 0005_identity_names
Revises: 0004_agency_changes
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_identity_names"
down_revision: str | None = "0004_agency_changes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("chat_identities") as batch:
        batch.add_column(sa.Column("name", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("chat_identities") as batch:
        batch.drop_column("name")
