"""What the bot stored, read back for end-to-end assertions on any platform."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from chatbot.storage.database import Database
from chatbot.storage.ledger import SqlLedger
from chatbot.storage.models import AuditEventRow, RequestRow
from flows.accounts import HmisAccount
from flows.ports import NewAccount


def seed_account(
    database: Database, email: str, name: str, agency_id: str = "river-house", role: str = "dss"
) -> None:
    """An active HMIS account the bot knows, as if created or imported earlier."""
    with database.transaction() as session:
        ledger = SqlLedger(session, lambda: datetime.now(UTC), ())
        ledger.open_account(NewAccount(email, name, agency_id, role, None, None))
        ledger.activate_account(email)


def account_of(database: Database, email: str) -> HmisAccount:
    with database.transaction() as session:
        account = SqlLedger(session, lambda: datetime.now(UTC), ()).account_by_email(email)
    assert account is not None
    return account


def stored_states(database: Database) -> list[str]:
    with database.transaction() as session:
        return list(session.scalars(select(RequestRow.state).order_by(RequestRow.id)))


def refused(database: Database) -> list[tuple[str, dict[str, Any]]]:
    """(action, details) of every refused attempt, oldest first."""
    with database.transaction() as session:
        query = select(AuditEventRow).where(AuditEventRow.outcome == "refused")
        return [(r.action, r.details) for r in session.scalars(query.order_by(AuditEventRow.id))]
