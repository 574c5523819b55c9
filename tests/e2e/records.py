"""What the bot stored, read back for end-to-end assertions on any platform."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from chatbot.storage.database import Database
from chatbot.storage.models import AuditEventRow, RequestRow


def stored_states(database: Database) -> list[str]:
    with database.transaction() as session:
        return list(session.scalars(select(RequestRow.state).order_by(RequestRow.id)))


def refused(database: Database) -> list[tuple[str, dict[str, Any]]]:
    """(action, details) of every refused attempt, oldest first."""
    with database.transaction() as session:
        query = select(AuditEventRow).where(AuditEventRow.outcome == "refused")
        return [(r.action, r.details) for r in session.scalars(query.order_by(AuditEventRow.id))]
