"""Upgrading a database that holds New User Access Requests in the old ``access_requests``
table moves every one of them, with its history, into the one ``requests`` table."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, column, insert, table, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DatabaseError

from chatbot.storage.database import Database
from chatbot.storage.ledger import SqlLedger
from chatbot.storage.schema import alembic_config, upgrade
from flows.kinds.new_user.details import NewUserDetails, NewUserState
from tests.conftest import POSTGRES_URL, REQUIRE_POSTGRES
from tests.requests import LEAD, SUPERVISOR

FILED = datetime(2026, 11, 2, 17, 0, tzinfo=UTC)
TRAINING_DUE = datetime(2026, 11, 17, 1, 0, tzinfo=UTC)
FIRST_LOGIN_DUE = datetime(2026, 11, 10, 18, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A database with no schema at all, on each engine."""
    if request.param == "sqlite":
        db = Database(f"sqlite:///{tmp_path / 'old.sqlite3'}")
        yield db
        db.dispose()
        return
    admin_url = make_url(POSTGRES_URL)
    conninfo = admin_url.set(drivername="postgresql").render_as_string(hide_password=False)
    name = f"hmis_migrate_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(conninfo, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        if REQUIRE_POSTGRES:
            pytest.fail(f"PostgreSQL is required but: {error}")
        pytest.skip(f"PostgreSQL not reachable: {error}")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        db = Database(admin_url.set(database=name).render_as_string(hide_password=False))
        yield db
        db.dispose()
        admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def upgrade_to(engine: Engine, *revisions: str) -> None:
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        for revision in revisions:
            command.upgrade(config, revision)


def old_request(request_id: int, state: str, trainee: str, **moments: datetime) -> dict[str, Any]:
    return {
        "id": request_id,
        "version": 4,
        "state": state,
        "requester_email": LEAD,
        "requester_role": "Agency Lead / Technical Administrator",
        "directly_supervises": False,
        "supervisor_name": "Sam Supervisor",
        "supervisor_email": SUPERVISOR,
        "agency_id": "river-house",
        "coc_id": "sac",
        "trainee_name": trainee.split("@", maxsplit=1)[0].title(),
        "trainee_email": trainee,
        "access_role_id": "dss",
        "monitors_contracts": False,
        "additional_agency_ids": '["yolo-food-bank"]',
        "background_check_attested": False,
        "filed_at": FILED,
        "updated_at": FILED + timedelta(days=1),
        "verification_due": FILED + timedelta(days=5),
        "training_due": moments.get("training_due"),
        "first_login_due": moments.get("first_login_due"),
        "verified_by": SUPERVISOR,
        "decided_by": moments.get("decided_at") and "helpdesk@hmis.example.org",
        "decided_at": moments.get("decided_at"),
        "decision_reason": "MOU lapsed" if state == "denied" else None,
        "account_created_by": None,
        "account_created_at": None,
    }


def seed_old_schema(engine: Engine) -> None:
    rows = [
        old_request(1, "training", "ana@riverhouse.example.org", training_due=TRAINING_DUE),
        old_request(
            2,
            "account_created",
            "bo@riverhouse.example.org",
            training_due=TRAINING_DUE,
            first_login_due=FIRST_LOGIN_DUE,
            decided_at=FILED + timedelta(days=2),
        ),
        old_request(3, "denied", "cy@riverhouse.example.org", decided_at=FILED + timedelta(days=2)),
    ]
    old_table = table("access_requests", *(column(name) for name in rows[0]))
    with engine.begin() as connection:
        connection.execute(insert(old_table), rows)
        connection.execute(
            text(
                "INSERT INTO training_reports (request_id, training_id, reported_by, reported_at)"
                " VALUES (1, 'general', 'ana@riverhouse.example.org', :at)"
            ),
            {"at": FILED + timedelta(days=1)},
        )
        connection.execute(
            text(
                "INSERT INTO request_transitions (request_id, from_state, to_state, actor_email,"
                " at, reason) VALUES (2, 'approved', 'account_created', 'admin2@hmis.example.org',"
                " :at, '')"
            ),
            {"at": FILED + timedelta(days=2)},
        )
        connection.execute(
            text(
                "INSERT INTO accounts (email, name, agency_id, access_role_id, status, request_id,"
                " created_at, version) VALUES ('bo@riverhouse.example.org', 'Bo', 'river-house',"
                " 'dss', 'pending_first_login', 2, :at, 1)"
            ),
            {"at": FILED + timedelta(days=2)},
        )
        connection.execute(
            text(
                "INSERT INTO audit_events (at, actor_email, action, outcome, request_id, details)"
                " VALUES (:at, :who, 'new_user.file', 'ok', 1, '{}'),"
                " (:at, NULL, 'account.inactivity_warning', 'ok', NULL, '{\"account\": \"1\"}')"
            ),
            {"at": FILED, "who": LEAD},
        )


def test_new_user_requests_move_into_the_one_requests_table(empty_database: Database) -> None:
    engine = empty_database.engine
    upgrade_to(engine, "0002_nudges", "0002_teams")
    seed_old_schema(engine)
    upgrade(engine)

    heads = ScriptDirectory.from_config(alembic_config(engine)).get_heads()
    assert len(heads) == 1, f"Alembic must have one head, has {heads}"
    with empty_database.transaction() as session:
        ledger = SqlLedger(session, lambda: FILED, ())
        training = ledger.get_request(1)
        created = ledger.get_request(2)
        denied = ledger.get_request(3)
        assert training is not None
        assert created is not None
        assert denied is not None
        assert (training.kind, training.state, training.due_at) == (
            "new_user",
            NewUserState.TRAINING,
            TRAINING_DUE,
        )
        details = training.typed(NewUserDetails).details
        assert details.additional_agency_ids == ("yolo-food-bank",)
        assert details.verified_by == SUPERVISOR
        assert details.training_due == TRAINING_DUE
        assert [r.training_id for r in training.training_reports] == ["general"]
        assert ledger.open_request("new_user", "ana@riverhouse.example.org") == training
        assert created.due_at == FIRST_LOGIN_DUE
        assert ledger.open_request("new_user", "bo@riverhouse.example.org") is None
        assert denied.decision_reason == "MOU lapsed"
        assert [r.id for r in ledger.requests_involving(SUPERVISOR)] == [3, 2, 1]
        account = ledger.account_by_email("bo@riverhouse.example.org")
        assert account is not None
        assert account.first_login_due == FIRST_LOGIN_DUE
        subjects = session.execute(
            text("SELECT action, subject_kind, subject_id FROM audit_events ORDER BY id")
        ).all()
    assert [tuple(s) for s in subjects] == [
        ("new_user.file", "request", "1"),
        ("account.inactivity_warning", "account", "1"),
    ]
    with pytest.raises(DatabaseError), engine.begin() as connection:
        connection.execute(text("UPDATE audit_events SET action = 'rewritten'"))
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO requests (kind, version, state, requester_email, subject_email,"
                " subject_name, agency_id, details, filed_at, updated_at, state_entered_at)"
                " VALUES ('new_user', 1, 'training', :lead, 'dee@riverhouse.example.org', 'Dee',"
                " 'river-house', '{}', :at, :at, :at)"
            ),
            {"lead": LEAD, "at": FILED},
        )
        newest = connection.scalar(text("SELECT MAX(id) FROM requests"))
    assert newest == 4, "new requests continue after the moved ones"
