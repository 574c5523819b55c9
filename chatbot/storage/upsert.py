"""``INSERT ... ON CONFLICT DO NOTHING`` on SQLite and PostgreSQL alike."""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from chatbot.storage.models import Base


def insert_unless_present(session: Session, model: type[Base]) -> postgresql.Insert | sqlite.Insert:
    """An insert that skips a row whose unique key is already there; execute it with one row's
    values, or a list of rows to insert them all in one statement (executemany). On
    PostgreSQL a concurrent transaction inserting the same key is waited for, then skipped if
    it commits, so two replicas never both succeed."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(model).on_conflict_do_nothing()
    return sqlite.insert(model).on_conflict_do_nothing()
