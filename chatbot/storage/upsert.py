"""``INSERT ... ON CONFLICT DO NOTHING`` on SQLite and PostgreSQL alike."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from chatbot.storage.models import Base


def insert_unless_present(
    session: Session, model: type[Base], values: dict[str, Any]
) -> postgresql.Insert | sqlite.Insert:
    """An insert that skips a row whose unique key is already there. On PostgreSQL a
    concurrent transaction inserting the same key is waited for, then skipped if it commits,
    so two replicas never both succeed."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(model).values(values).on_conflict_do_nothing()
    return sqlite.insert(model).values(values).on_conflict_do_nothing()
