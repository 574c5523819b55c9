"""The promises of the Ledger port, kept alike by the in-memory ledger and the SQL one on
SQLite and PostgreSQL, so flow tests on memory say something about production."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import BaseModel
from sqlalchemy import select

from chatbot.storage.database import Database
from chatbot.storage.identities import remember_email
from chatbot.storage.ledger import SqlLedger
from chatbot.storage.models import AuditEventRow, OutboxRow
from flows.accounts import AccountStatus
from flows.directory import Action, AgencyChange
from flows.memory import MemoryLedger
from flows.model import (
    Actor,
    AuditEvent,
    Filing,
    Notification,
    Platform,
    Subject,
    TrainingCompletion,
    Transition,
)
from flows.ports import Ledger, NewAccount
from tests.conftest import Clock, fresh_database

LEAD, ANA, BO = "lead@a.example.org", "ana@a.example.org", "bo@a.example.org"


class Note(BaseModel):
    text: str


@dataclass
class Contract:
    ledger: Ledger
    audited: Callable[[], list[tuple[str, str | None]]]
    queued: Callable[[], list[str]]
    remember: Callable[[str, str, str | None], None]
    """A platform resolved (user id, e-mail, profile name), as the service records it."""


@pytest.fixture(
    params=["memory", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)]
)
def contract(request: pytest.FixtureRequest, tmp_path: Path, clock: Clock) -> Iterator[Contract]:
    if request.param == "memory":
        memory = MemoryLedger(clock)
        yield Contract(
            memory,
            lambda: [(e.action, e.subject.id if e.subject else None) for e in memory.audit_log],
            lambda: [n.dedupe_key for n in memory.outbox],
            lambda _user, email, name: memory.profile_names.update({email: name} if name else {}),
        )
        return
    db = Database(fresh_database(request, str(request.param), tmp_path))
    with db.transaction() as session:
        ledger = SqlLedger(session, clock, (Platform.SLACK,))

        def audited() -> list[tuple[str, str | None]]:
            rows = session.execute(
                select(AuditEventRow.action, AuditEventRow.subject_id).order_by(AuditEventRow.id)
            )
            return [(action, subject) for action, subject in rows]

        def queued() -> list[str]:
            keys = session.scalars(select(OutboxRow.dedupe_key).order_by(OutboxRow.id))
            return [key.removeprefix("slack:") for key in keys]

        def remember(user_id: str, email: str, name: str | None) -> None:
            remember_email(session, "slack", user_id, email, clock.now, name=name)

        yield Contract(ledger, audited, queued, remember)
    db.dispose()


def filing(subject: str, key: str | None = None, kind: str = "demo") -> Filing:
    return Filing(
        kind=kind,
        state="open",
        requester_email=LEAD,
        subject_email=subject,
        subject_name=subject.split("@", maxsplit=1)[0],
        agency_id="a",
        details=Note(text="hello"),
        parties={"requester": LEAD, "subject": subject},
        open_key=key or subject,
    )


def test_one_open_request_per_kind_and_key(contract: Contract) -> None:
    ledger = contract.ledger
    first = ledger.add_request(filing(ANA))
    assert first is not None
    assert first.details == {"text": "hello"}
    assert ledger.add_request(filing(ANA)) is None
    assert ledger.add_request(filing(ANA, kind="other")) is not None
    assert ledger.open_request("demo", ANA) == ledger.get_request(first.id)
    closed = ledger.apply(Transition(first.id, 1, "open", "done", LEAD, closes=True))
    assert closed is not None
    assert ledger.open_request("demo", ANA) is None
    assert ledger.add_request(filing(ANA)) is not None


def test_apply_is_compare_and_set(contract: Contract, clock: Clock) -> None:
    ledger = contract.ledger
    request = ledger.add_request(filing(ANA))
    assert request is not None
    clock.advance(hours=1)
    due = clock.now + timedelta(days=2)
    moved = ledger.apply(
        Transition(request.id, 1, "open", "waiting", LEAD, details=Note(text="changed"), due_at=due)
    )
    assert moved is not None
    assert (moved.version, moved.state, moved.due_at) == (2, "waiting", due)
    assert moved.details == {"text": "changed"}
    assert moved.state_entered_at == clock.now
    assert ledger.apply(Transition(request.id, 1, "open", "other", LEAD)) is None
    decided = ledger.apply(Transition(request.id, 2, "waiting", "done", BO, "why", decided=True))
    assert decided is not None
    assert (decided.decided_by, decided.decision_reason) == (BO, "why")


def test_requests_are_found_by_party_subject_and_state(contract: Contract) -> None:
    ledger = contract.ledger
    first, second = ledger.add_request(filing(ANA)), ledger.add_request(filing(BO))
    assert first is not None
    assert second is not None
    ledger.apply(Transition(second.id, 1, "open", "waiting", LEAD))
    assert [r.id for r in ledger.requests_involving(LEAD)] == [second.id, first.id]
    assert [r.id for r in ledger.requests_involving(ANA)] == [first.id]
    assert [r.id for r in ledger.requests_about(BO, ["demo"])] == [second.id]
    assert ledger.requests_about(BO, ["other"]) == []
    assert [r.id for r in ledger.requests_waiting({"demo": ["waiting"]})] == [second.id]
    ledger.record_training_report(first.id, "general", ANA)
    reported = ledger.get_request(first.id)
    assert reported is not None
    assert reported.reported("general") is not None


def test_completions_come_from_reports_and_from_training_records(
    contract: Contract, clock: Clock
) -> None:
    """A report may carry the moment the training was completed; training records (from the
    LMS) keep each person's latest completion, move only forward, and count alike."""
    ledger, earlier = contract.ledger, clock.now - timedelta(days=30)
    request = ledger.add_request(filing(ANA))
    assert request is not None
    ledger.record_training_report(request.id, "general", "training-import", completed_at=earlier)
    reported = ledger.get_request(request.id)
    assert reported is not None
    report = reported.reported("general")
    assert report is not None
    assert report.reported_at == earlier
    assert ledger.trainings_completed(ANA) == {"general": earlier}

    later = clock.now - timedelta(days=2)
    completions = [
        TrainingCompletion(ANA, "privacy", later),
        TrainingCompletion(ANA, "general", later),
        TrainingCompletion(BO, "privacy", earlier),
        TrainingCompletion(BO, "privacy", later),  # the later of two counts
    ]
    recorded = ledger.record_training_completions(completions)
    assert sorted((c.email, c.training_id, c.completed_at) for c in recorded) == [
        (ANA, "general", later),
        (ANA, "privacy", later),
        (BO, "privacy", later),
    ]
    assert ledger.trainings_completed(ANA) == {"general": later, "privacy": later}
    assert ledger.trainings_completed(BO) == {"privacy": later}
    assert ledger.record_training_completions(completions) == [], "nothing new the second time"
    older = [TrainingCompletion(BO, "privacy", earlier)]
    assert ledger.record_training_completions(older) == [], "never moved backwards"
    assert ledger.trainings_completed(BO) == {"privacy": later}
    newest = [TrainingCompletion(BO, "privacy", clock.now)]
    assert ledger.record_training_completions(newest) == newest
    assert ledger.trainings_completed(BO) == {"privacy": clock.now}


def test_accounts_are_opened_moved_by_version_and_reopened(contract: Contract) -> None:
    ledger = contract.ledger
    request = ledger.add_request(filing(ANA))
    assert request is not None
    new = NewAccount(ANA, "Ana", "a", "dss", request.id, ledger.now())
    account = ledger.open_account(new)
    assert account.status is AccountStatus.PENDING_FIRST_LOGIN
    assert ledger.accounts_of(["a"]) == [account]
    moved = ledger.move_account(account, AccountStatus.ACTIVE, LEAD, access_role_id="sup")
    assert moved is not None
    assert (moved.status, moved.access_role_id) == (AccountStatus.ACTIVE, "sup")
    assert ledger.move_account(account, AccountStatus.WARNED, LEAD) is None
    gone = ledger.move_account(moved, AccountStatus.DEACTIVATED, LEAD)
    assert gone is not None
    assert gone.disabled_by == LEAD
    assert ledger.accounts_of(["a"]) == []
    again = ledger.open_account(new)
    assert (again.id, again.status) == (account.id, AccountStatus.PENDING_FIRST_LOGIN)
    assert ledger.account_by_email(ANA) == again


def test_a_disabled_account_is_reinstated_by_version_keeping_its_last_login(
    contract: Contract, clock: Clock
) -> None:
    ledger = contract.ledger
    ledger.open_account(NewAccount(ANA, "Ana", "a", "dss", None, None))
    ledger.activate_account(ANA)
    active = ledger.account_by_email(ANA)
    assert active is not None
    clock.advance(days=70)
    disabled = ledger.move_account(active, AccountStatus.DISABLED, LEAD)
    assert disabled is not None
    assert disabled.disabled_at is not None
    due = clock.now + timedelta(hours=24)
    back = ledger.reinstate_account(disabled, due)
    assert back is not None
    assert (back.status, back.first_login_due, back.version) == (
        AccountStatus.PENDING_FIRST_LOGIN,
        due,
        disabled.version + 1,
    )
    assert (back.disabled_by, back.disabled_at) == (None, None)
    assert back.last_login_at == active.last_login_at
    assert ledger.reinstate_account(disabled, due) is None  # an old version changes nothing
    assert ledger.account_by_email(ANA) == back


def test_audit_and_outbox_keep_order_and_skip_repeated_keys(contract: Contract) -> None:
    ledger = contract.ledger
    actor = Actor(LEAD, Platform.SLACK, "U1")
    ledger.audit(AuditEvent(actor, "demo.file", "ok", Subject.request(7)))
    ledger.audit_many([AuditEvent(None, "demo.nudge", "ok", None)])
    assert contract.audited() == [("demo.file", "7"), ("demo.nudge", None)]
    note = Notification("request", "7", "admins", None, "k1")
    ledger.notify_many([note, Notification("request", "7", "requester", LEAD, "k2")])
    ledger.notify(note)
    assert contract.queued() == ["k1", "k2"]


def test_directory_changes_come_back_in_order(contract: Contract) -> None:
    ledger = contract.ledger
    ledger.record_agency_change(AgencyChange("a", "leads", Action.ADD, ANA))
    ledger.record_agency_change(AgencyChange("a", "status", Action.SET, "approved"))
    changes = ledger.agency_changes()
    assert [(c.field, c.action, c.value) for c in changes] == [
        ("leads", Action.ADD, ANA),
        ("status", Action.SET, "approved"),
    ]
    assert all(c.at == ledger.now() for c in changes)


def test_one_active_grant_per_person_kind_and_value(contract: Contract, clock: Clock) -> None:
    ledger = contract.ledger
    until = clock.now + timedelta(days=365)
    grant = ledger.add_grant(ANA, "agency_access", "b", None, expires_at=until)
    assert grant is not None
    assert grant.expires_at == until
    assert ledger.add_grant(ANA, "agency_access", "b", None) is None
    assert ledger.add_grant(ANA, "agency_access", "c", None) is not None
    assert [g.value for g in ledger.grants_of(ANA)] == ["b", "c"]
    ended = ledger.end_grant(grant, LEAD)
    assert ended is not None
    assert ended.ended_by == LEAD
    assert ledger.end_grant(grant, LEAD) is None
    assert [g.value for g in ledger.grants_of(ANA)] == ["c"]
    assert ledger.add_grant(ANA, "agency_access", "b", None) is not None


def test_the_name_a_chat_profile_showed_is_remembered(contract: Contract, clock: Clock) -> None:
    ledger = contract.ledger
    assert ledger.person_name(ANA) is None
    contract.remember("U1", ANA, "Ana Alvarez")
    assert ledger.person_name(ANA) == "Ana Alvarez"
    clock.advance(hours=1)
    contract.remember("U1", ANA, None)  # a profile without a name forgets nothing
    assert ledger.person_name(ANA) == "Ana Alvarez"
    contract.remember("U1", ANA, "Ana A. Alvarez")
    assert ledger.person_name(ANA) == "Ana A. Alvarez"
    assert ledger.person_name(BO) is None


def test_a_training_report_may_carry_when_the_training_was_done(
    contract: Contract, clock: Clock
) -> None:
    ledger = contract.ledger
    request = ledger.add_request(filing(ANA))
    assert request is not None
    attended = clock.now - timedelta(days=20)
    ledger.record_training_report(request.id, "act", LEAD, completed_at=attended)
    reported = ledger.get_request(request.id)
    assert reported is not None
    report = reported.reported("act")
    assert report is not None
    assert report.reported_at == attended
    assert ledger.trainings_completed(ANA) == {"act": attended}
