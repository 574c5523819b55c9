"""The audit log is append-only in the database itself, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, update
from sqlalchemy.exc import DBAPIError

from chatbot.storage.database import Database
from chatbot.storage.models import AuditEventRow
from tests.conftest import START


def test_audit_events_cannot_be_changed_or_removed(database: Database) -> None:
    with database.transaction() as session:
        session.add(
            AuditEventRow(
                at=START, actor_email="a@b.org", action="new_user.file", outcome="ok", details={}
            )
        )
    for statement in (update(AuditEventRow).values(outcome="refused"), delete(AuditEventRow)):
        with pytest.raises(DBAPIError, match="append-only"), database.transaction() as session:
            session.execute(statement)
