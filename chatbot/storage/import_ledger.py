"""The imports' ledger on SQLAlchemy: every account read at once (locked, so nothing changes
them while the import decides), accounts added and updated with one executemany per chunk."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, bindparam, select, update

from chatbot.storage.models import Account, RequestRow
from chatbot.storage.nudge_ledger import SqlNudgeLedger
from chatbot.storage.routing import chunked
from chatbot.storage.upsert import insert_unless_present
from flows.accounts import AccountStatus, HmisAccount
from flows.imports.ports import AccountUpdate, ListedAccount


class SqlImportLedger(SqlNudgeLedger):
    def accounts_for_import(self) -> list[HmisAccount]:
        """Read with Core, not the ORM, so later bulk updates leave no stale objects behind;
        ``FOR UPDATE`` (PostgreSQL; SQLite's write transaction already excludes others)
        holds off sweeps and clicks on these accounts until the import commits."""
        rows = self._session.connection().execute(
            select(Account.__table__).order_by(Account.id).with_for_update()
        )
        return [_account(row) for row in rows]

    def create_accounts(self, accounts: Sequence[ListedAccount]) -> list[HmisAccount]:
        if not accounts:
            return []
        now = self.now()
        rows = [
            {
                "email": a.email,
                "name": a.name,
                "agency_id": a.agency_id,
                "access_role_id": a.access_role_id,
                "status": a.status.value,
                "created_at": now,
                "activated_at": a.last_login_at,
                "last_login_at": a.last_login_at,
                "version": 1,
            }
            for a in accounts
        ]
        connection = self._session.connection()
        connection.execute(insert_unless_present(self._session, Account), rows)
        ids = self._ids([a.email for a in accounts], now)
        return [
            HmisAccount(
                id=ids[a.email],
                version=1,
                email=a.email,
                name=a.name,
                agency_id=a.agency_id,
                status=a.status,
                last_login_at=a.last_login_at,
                access_role_id=a.access_role_id,
            )
            for a in accounts
            if a.email in ids
        ]

    def _ids(self, emails: Sequence[str], created_at: datetime) -> dict[str, int]:
        """The ids of the accounts just added (a plain executemany, without RETURNING: on
        PostgreSQL that is one prepared statement pipelined, where RETURNING would build and
        parse statements of thousands of parameters)."""
        found: dict[str, int] = {}
        for chunk in chunked(sorted(emails)):
            rows = self._session.connection().execute(
                select(Account.email, Account.id).where(
                    Account.email.in_(chunk), Account.created_at == created_at
                )
            )
            found |= dict(rows.all())
        return found

    def update_accounts(self, updates: Sequence[AccountUpdate]) -> list[AccountUpdate]:
        if not updates:
            return []
        result = self._session.connection().execute(_UPDATE, [_update_row(u) for u in updates])
        if result.rowcount == len(updates):
            return list(updates)
        return self._written(updates)  # pragma: no cover - the accounts are locked

    def _written(self, updates: Sequence[AccountUpdate]) -> list[AccountUpdate]:
        """Those updates whose account now reads as written (when the driver cannot tell)."""
        by_id = {u.after.id: u for u in updates}
        rows = self._session.connection().execute(
            select(Account.__table__).where(Account.id.in_(list(by_id)))
        )
        return [by_id[row.id] for row in rows if _account(row) == by_id[row.id].after]

    def subjects_with_open_requests(self, emails: Collection[str]) -> set[str]:
        found: set[str] = set()
        for chunk in chunked(sorted(emails)):
            found.update(
                self._session.scalars(
                    select(RequestRow.subject_email)
                    .where(RequestRow.subject_email.in_(chunk), RequestRow.open_key.is_not(None))
                    .distinct()
                )
            )
        return found


_UPDATE = (
    update(Account)
    .where(Account.id == bindparam("b_id"), Account.version == bindparam("b_version"))
    .values(
        name=bindparam("b_name"),
        agency_id=bindparam("b_agency"),
        access_role_id=bindparam("b_role"),
        status=bindparam("b_status"),
        disabled_by=bindparam("b_disabled_by"),
        disabled_at=bindparam("b_disabled_at"),
        version=Account.version + 1,
    )
)


def _update_row(change: AccountUpdate) -> dict[str, Any]:
    after = change.after
    return {
        "b_id": after.id,
        "b_version": change.before.version,
        "b_name": after.name,
        "b_agency": after.agency_id,
        "b_role": after.access_role_id,
        "b_status": after.status.value,
        "b_disabled_by": after.disabled_by,
        "b_disabled_at": after.disabled_at,
    }


def _account(row: Row[Any]) -> HmisAccount:
    return HmisAccount(
        id=row.id,
        version=row.version,
        email=row.email,
        name=row.name,
        agency_id=row.agency_id,
        status=AccountStatus(row.status),
        last_login_at=row.last_login_at,
        access_role_id=row.access_role_id,
        first_login_due=row.first_login_due,
        disabled_by=row.disabled_by,
        disabled_at=row.disabled_at,
    )
