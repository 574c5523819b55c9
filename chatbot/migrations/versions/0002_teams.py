"""Teams conversation references

Revision ID: 0002_teams
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_teams"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "chat_conversations",
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("conversation_id", sa.String(length=256), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("reference", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("platform", "conversation_id", name=op.f("pk_chat_conversations")),
    )
    op.create_index(
        "ix_chat_conversations_person", "chat_conversations", ["platform", "email"], unique=False
    )
    op.create_index(
        op.f("ix_chat_conversations_updated_at"), "chat_conversations", ["updated_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_chat_conversations_updated_at"), table_name="chat_conversations")
    op.drop_index("ix_chat_conversations_person", table_name="chat_conversations")
    op.drop_table("chat_conversations")
