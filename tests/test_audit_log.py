"""The audit log is append-only in the database itself, on SQLite and PostgreSQL, and its
export reads as people read it."""

from __future__ import annotations

import csv
import io
import json

import pytest
from sqlalchemy import delete, update
from sqlalchemy.exc import DBAPIError

from chatbot.commands.audit_export import COLUMNS
from chatbot.commands.cli import main
from chatbot.storage.database import Database
from chatbot.storage.models import AuditEventRow
from flows.community import Community
from tests.conftest import START, Clock
from tests.nudges import NudgeBed, local
from tests.requests import LEAD, request_values

DUE = "due@riverhouse.example.org"


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


@pytest.fixture
def bed(
    database: Database,
    database_url: str,
    community: Community,
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
) -> NudgeBed:
    """The bundled community on this database, which ``hmis-bot`` commands read too."""
    monkeypatch.setenv("HMIS_BOT_DATABASE_URL", database_url)
    return NudgeBed(database, community, clock)


def test_the_export_gives_utc_and_local_times_to_the_second_and_says_whom_it_is_about(
    bed: NudgeBed, capsys: pytest.CaptureFixture[str]
) -> None:
    bed.clock.now = START.replace(microsecond=654321)
    bed.file(LEAD, request_values())
    bed.add_account(DUE, local("2026-09-01 12:00"), name="Dee Due")
    bed.sweep("2026-11-16 10:00")  # the account is due to be disabled

    assert main(["audit", "export", "--format", "jsonl"]) == 0
    events = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    filed, disable_due = events
    assert (filed["action"], filed["at"], filed["local_time"]) == (
        "new_user.file",
        "2026-11-16T18:00:00+00:00",
        "2026-11-16 10:00:00 PST",
    )
    assert filed["subject"] == "request #1: Jane Doe (new user)"
    assert disable_due["subject"] == "account: Dee Due"

    assert main(["audit", "export", "--since", "2026-11-16"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["subject"] for r in rows] == ["request #1: Jane Doe (new user)", "account: Dee Due"]
    assert list(rows[0])[:3] == ["id", "at", "local_time"]
    assert main(["audit", "export", "--since", "2026-11-17"]) == 0
    assert capsys.readouterr().out.splitlines() == [",".join(COLUMNS)]
