"""one requests table for every request kind; audit events keyed by subject

Moves every New User Access Request from ``access_requests`` (new-user columns) into
``requests`` (the columns every kind has, plus the kind's details as JSON) with the same ids,
so transitions, training reports, accounts, outbox rows and audit events keep pointing at
them. Accounts get their first-login deadline; audit events get (subject kind, subject id)
instead of a request id. Joins the two earlier branches into one head.

Revision ID: 0003_request_kinds
Revises: 0002_nudges, 0002_teams
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0003_request_kinds"
down_revision: str | Sequence[str] | None = ("0002_nudges", "0002_teams")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN_STATES = ("submitted", "awaiting_verification", "training", "awaiting_approval", "approved")
DUE_COLUMN = {
    "awaiting_verification": "verification_due",
    "training": "training_due",
    "account_created": "first_login_due",
}
MOMENTS = (
    "filed_at",
    "updated_at",
    "verification_due",
    "training_due",
    "first_login_due",
    "decided_at",
    "account_created_at",
)
DETAIL_COLUMNS = (
    "requester_role",
    "directly_supervises",
    "supervisor_name",
    "supervisor_email",
    "coc_id",
    "access_role_id",
    "monitors_contracts",
    "additional_agency_ids",
    "background_check_attested",
    "verified_by",
    "account_created_by",
)
DETAIL_MOMENTS = ("verification_due", "training_due", "first_login_due", "account_created_at")
MOVED_FOREIGN_KEYS = ("request_transitions", "training_reports", "accounts")


def upgrade() -> None:
    _create_requests()
    old = _old_requests()
    _copy_requests(old)
    _repoint_foreign_keys()
    _first_login_on_accounts(old)
    op.drop_table("access_requests")
    _audit_by_subject()


def downgrade() -> None:
    raise NotImplementedError("the move to one requests table is not reversible; restore a backup")


def _create_requests() -> None:
    moment = sa.DateTime(timezone=True)
    op.create_table(
        "requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("requester_email", sa.String(length=254), nullable=False),
        sa.Column("subject_email", sa.String(length=254), nullable=False),
        sa.Column("subject_name", sa.String(length=200), nullable=False),
        sa.Column("agency_id", sa.String(length=64), nullable=False),
        sa.Column("open_key", sa.String(length=320), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("filed_at", moment, nullable=False),
        sa.Column("updated_at", moment, nullable=False),
        sa.Column("state_entered_at", moment, nullable=False),
        sa.Column("due_at", moment, nullable=True),
        sa.Column("decided_by", sa.String(length=254), nullable=True),
        sa.Column("decided_at", moment, nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_requests")),
        sa.UniqueConstraint("kind", "open_key", name=op.f("uq_requests_kind")),
    )
    op.create_index("ix_requests_subject_email", "requests", ["subject_email"])
    op.create_index("ix_requests_due", "requests", ["kind", "state", "due_at"])
    op.create_index("ix_requests_state_entered", "requests", ["kind", "state", "state_entered_at"])
    op.create_table(
        "request_parties",
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"], ["requests.id"], name=op.f("fk_request_parties_request_id_requests")
        ),
        sa.PrimaryKeyConstraint("request_id", "role", name=op.f("pk_request_parties")),
    )
    op.create_index(op.f("ix_request_parties_email"), "request_parties", ["email"])


def _old_requests() -> list[dict[str, Any]]:
    plain = [c for c in ("id", "version", "state", *DETAIL_COLUMNS) if c != "additional_agency_ids"]
    columns: list[sa.ColumnClause[Any]] = [sa.column(name) for name in plain]
    columns.append(sa.column("additional_agency_ids", sa.JSON()))
    columns += [sa.column(name, sa.DateTime(timezone=True)) for name in MOMENTS]
    columns += [sa.column(name) for name in ("requester_email", "agency_id")]
    columns += [sa.column(name) for name in ("trainee_name", "trainee_email", "decision_reason")]
    columns += [sa.column("decided_by")]
    table = sa.table("access_requests", *columns)
    rows = op.get_bind().execute(sa.select(table).order_by(table.c.id))
    return [{key: _utc(value) for key, value in row._mapping.items()} for row in rows]


def _utc(value: Any) -> Any:
    """SQLite hands back naive UTC datetimes; make every moment aware UTC."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value


def _copy_requests(old: list[dict[str, Any]]) -> None:
    if not old:
        return
    moment = sa.DateTime(timezone=True)
    requests = sa.table(
        "requests",
        *(sa.column(c) for c in ("id", "kind", "version", "state", "requester_email")),
        *(sa.column(c) for c in ("subject_email", "subject_name", "agency_id", "open_key")),
        sa.column("details", sa.JSON()),
        *(sa.column(c, moment) for c in ("filed_at", "updated_at", "state_entered_at", "due_at")),
        sa.column("decided_by"),
        sa.column("decided_at", moment),
        sa.column("decision_reason"),
    )
    parties = sa.table("request_parties", *(sa.column(c) for c in ("request_id", "role", "email")))
    bind = op.get_bind()
    bind.execute(sa.insert(requests), [_request_row(row) for row in old])
    bind.execute(sa.insert(parties), [p for row in old for p in _party_rows(row)])
    if bind.dialect.name == "postgresql":
        op.execute(
            "SELECT setval(pg_get_serial_sequence('requests', 'id'), "
            "(SELECT COALESCE(MAX(id), 1) FROM requests))"
        )


def _request_row(row: dict[str, Any]) -> dict[str, Any]:
    details = {name: row[name] for name in DETAIL_COLUMNS}
    details["additional_agency_ids"] = list(row["additional_agency_ids"] or [])
    for name in DETAIL_MOMENTS:
        details[name] = row[name].isoformat() if row[name] else None
    due_column = DUE_COLUMN.get(row["state"])
    return {
        "id": row["id"],
        "kind": "new_user",
        "version": row["version"],
        "state": row["state"],
        "requester_email": row["requester_email"],
        "subject_email": row["trainee_email"],
        "subject_name": row["trainee_name"],
        "agency_id": row["agency_id"],
        "open_key": row["trainee_email"] if row["state"] in OPEN_STATES else None,
        "details": details,
        "filed_at": row["filed_at"],
        "updated_at": row["updated_at"],
        "state_entered_at": row["updated_at"],
        "due_at": row[due_column] if due_column else None,
        "decided_by": row["decided_by"],
        "decided_at": row["decided_at"],
        "decision_reason": row["decision_reason"],
    }


def _party_rows(row: dict[str, Any]) -> list[dict[str, Any]]:
    roles = {
        "requester": row["requester_email"],
        "supervisor": row["supervisor_email"],
        "trainee": row["trainee_email"],
    }
    return [{"request_id": row["id"], "role": role, "email": e} for role, e in roles.items()]


def _repoint_foreign_keys() -> None:
    """Each table that referenced ``access_requests`` references ``requests`` now (same ids)."""
    for table in MOVED_FOREIGN_KEYS:
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(f"fk_{table}_request_id_access_requests", type_="foreignkey")
            batch.create_foreign_key(
                f"fk_{table}_request_id_requests", "requests", ["request_id"], ["id"]
            )


def _first_login_on_accounts(old: list[dict[str, Any]]) -> None:
    """The first-login deadline moves from the request to the account it created."""
    op.add_column("accounts", sa.Column("first_login_due", sa.DateTime(timezone=True)))
    op.create_index("ix_accounts_first_login", "accounts", ["status", "first_login_due"])
    op.create_index("ix_accounts_agency", "accounts", ["agency_id", "status"])
    accounts = sa.table(
        "accounts",
        sa.column("request_id"),
        sa.column("first_login_due", sa.DateTime(timezone=True)),
    )
    due = [(row["id"], row["first_login_due"]) for row in old if row["first_login_due"]]
    for request_id, moment in due:
        op.get_bind().execute(
            sa.update(accounts)
            .where(accounts.c.request_id == request_id)
            .values(first_login_due=moment)
        )


def _audit_by_subject() -> None:
    """Audit events say what they are about as (subject kind, subject id); the database's
    append-only guard is lifted only for this backfill, then restored."""
    postgres = op.get_bind().dialect.name == "postgresql"
    with op.batch_alter_table("audit_events") as batch:
        batch.add_column(sa.Column("subject_kind", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("subject_id", sa.String(length=128), nullable=True))
    if postgres:
        op.execute("ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only")
    else:
        op.execute("DROP TRIGGER audit_events_no_update")
        op.execute("DROP TRIGGER audit_events_no_delete")
    _backfill_audit_subjects()
    with op.batch_alter_table("audit_events") as batch:
        batch.drop_index("ix_audit_events_request_id")
        batch.drop_column("request_id")
        batch.create_index("ix_audit_events_subject", ["subject_kind", "subject_id"])
    if postgres:
        op.execute("ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only")
        return
    for event in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER audit_events_no_{event.lower()} BEFORE {event} ON audit_events "
            "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END"
        )


def _backfill_audit_subjects() -> None:
    events = sa.table(
        "audit_events",
        sa.column("id"),
        sa.column("action"),
        sa.column("request_id"),
        sa.column("details", sa.JSON()),
        sa.column("subject_kind"),
        sa.column("subject_id"),
    )
    bind = op.get_bind()
    op.execute(
        sa.update(events)
        .where(events.c.request_id.is_not(None))
        .values(subject_kind="request", subject_id=sa.cast(events.c.request_id, sa.String))
    )
    accounts = bind.execute(
        sa.select(events.c.id, events.c.details).where(
            events.c.request_id.is_(None), events.c.action.like("account.%")
        )
    )
    for event_id, details in list(accounts):
        account = (details or {}).get("account")
        if account:
            bind.execute(
                sa.update(events)
                .where(events.c.id == event_id)
                .values(subject_kind="account", subject_id=str(account))
            )
