"""What the LMS's completions do (``flows.imports.trainings``), as plain calls on SQLite and
PostgreSQL: a completion counts at once for an open request waiting for it (through the kind's
hook, as if the person had pressed the button), a lapsed one does not, a later role change
does not ask for it again, and the renewal clock runs from it."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from chatbot.community_calendar import business_calendar
from chatbot.storage.database import Database
from chatbot.storage.import_ledger import SqlImportLedger
from chatbot.storage.models import Account, AuditEventRow, RequestTransition, TrainingReportRow
from flows.community import Community
from flows.imports.trainings import TrainingsImported, import_trainings
from flows.kinds import default_registry
from flows.kinds.new_user.details import NewUserState
from flows.kinds.role_change.details import RoleChangeDetails, RoleChangeState
from flows.kinds.role_change.form import NEW_ROLE, REASON
from flows.kit.people import PERSON
from flows.kit.trainings import TRAINING_IMPORTER
from flows.model import Platform, TrainingCompletion
from tests.conftest import Clock
from tests.nudges import NudgeBed, local
from tests.requests import ADMIN, LEAD, SUPERVISOR, TRAINEE, request_values

ROLE_CHANGE = "role_change"
STAFF = "staff@riverhouse.example.org"


@pytest.fixture
def bed(database: Database, community: Community, clock: Clock) -> NudgeBed:
    return NudgeBed(database, community, clock)


def completed(bed: NudgeBed, *completions: tuple[str, str, str]) -> TrainingsImported:
    """Import (e-mail, training, completed at, Sacramento time) as the command would."""
    calendar = business_calendar(bed.community)
    with bed.database.transaction() as session:
        ledger = SqlImportLedger(session, bed.clock, (Platform.SLACK,))
        return import_trainings(
            ledger,
            bed.community,
            calendar,
            default_registry(),
            [TrainingCompletion(email, training, local(at)) for email, training, at in completions],
        )


def reports(bed: NudgeBed, request_id: int) -> dict[str, tuple[datetime, str]]:
    with bed.database.transaction() as session:
        rows = session.scalars(
            select(TrainingReportRow).where(TrainingReportRow.request_id == request_id)
        )
        return {r.training_id: (r.reported_at, r.reported_by) for r in rows}


def in_training(bed: NudgeBed) -> None:
    """Jane's New User Access Request, verified: it waits for her two trainings."""
    bed.at("2026-11-16 10:00")
    bed.file(LEAD, request_values())
    bed.click(SUPERVISOR, "verify")
    assert bed.request().state == NewUserState.TRAINING


def test_a_completion_counts_at_once_and_the_last_one_moves_the_request_on(
    bed: NudgeBed,
) -> None:
    in_training(bed)
    first = completed(bed, (TRAINEE, "general", "2026-11-17 00:00"))
    assert (len(first.recorded), first.reported, first.moved_on) == (1, 1, 0)
    assert bed.request().state == NewUserState.TRAINING
    assert reports(bed, 1) == {"general": (local("2026-11-17 00:00"), TRAINING_IMPORTER)}

    second = completed(
        bed,
        (TRAINEE, "general", "2026-11-17 00:00"),  # the same export again: nothing new
        (TRAINEE, "privacy", "2026-11-18 00:00"),
        ("someone@elsewhere.example.org", "privacy", "2026-11-18 00:00"),
    )
    assert (len(second.recorded), second.reported, second.moved_on) == (2, 1, 1)
    assert bed.request().state == NewUserState.AWAITING_APPROVAL
    with bed.database.transaction() as session:
        moved = session.scalars(
            select(RequestTransition).where(RequestTransition.to_state == "awaiting_approval")
        ).one()
        assert moved.actor_email == TRAINING_IMPORTER
        trained = session.scalars(
            select(AuditEventRow.details).where(AuditEventRow.action == "new_user.trained")
        ).all()
    assert trained == [  # as the trainee's own button audits it, naming the import
        {"training": "general", "by": TRAINING_IMPORTER},
        {"training": "privacy", "by": TRAINING_IMPORTER},
        {"from": "training", "to": "awaiting_approval", "by": TRAINING_IMPORTER},
    ]


def test_a_trainee_who_already_finished_is_not_reminded(bed: NudgeBed) -> None:
    in_training(bed)  # training due Mon 30 Nov; reminders 7 and 2 days ahead and that morning
    completed(bed, (TRAINEE, "general", "2026-11-10 12:00"), (TRAINEE, "privacy", "2026-11-16"))
    bed.sweep_daily("2026-11-20", "2026-12-05", ("09:00",))
    assert [s for s in bed.take() if s[0].startswith("training")] == []


def test_a_completion_filed_before_the_request_counts_on_the_next_import(
    bed: NudgeBed,
) -> None:
    """A daily full export brings the same completion again once the request exists."""
    completed(bed, (TRAINEE, "general", "2026-11-02 00:00"))
    in_training(bed)
    again = completed(bed, (TRAINEE, "general", "2026-11-02 00:00"))
    assert (len(again.recorded), again.reported) == (0, 1)
    assert reports(bed, 1) == {"general": (local("2026-11-02 00:00"), TRAINING_IMPORTER)}


def test_a_lapsed_completion_is_recorded_but_does_not_count(bed: NudgeBed) -> None:
    in_training(bed)
    lapsed = completed(bed, (TRAINEE, "privacy", "2025-10-01 00:00"))  # valid 365 days
    assert (len(lapsed.recorded), lapsed.reported) == (1, 0)
    assert reports(bed, 1) == {}


def test_a_role_change_counts_completions_and_a_later_one_is_not_asked_again(
    bed: NudgeBed,
) -> None:
    bed.add_account(STAFF, local("2026-11-10 09:00"), name="Sam Staff")
    to_supervisory = {PERSON: STAFF, NEW_ROLE: "supervisory", REASON: "Now leads the team."}
    bed.driver.submit(LEAD, to_supervisory, kind=ROLE_CHANGE)
    request = bed.driver.request(1).typed(RoleChangeDetails)
    assert (request.state, request.details.trainings) == (
        RoleChangeState.TRAINING,
        ("general", "privacy"),
    )
    result = completed(
        bed, (STAFF, "general", "2026-11-12 00:00"), (STAFF, "privacy", "2026-11-13 00:00")
    )
    assert (result.reported, result.moved_on) == (2, 1)
    assert bed.driver.request(1).state == RoleChangeState.AWAITING_ADMIN

    bed.driver.click(ADMIN, "confirm", 1, kind=ROLE_CHANGE)
    assert bed.driver.request(1).state == RoleChangeState.CHANGED
    to_reporting = to_supervisory | {NEW_ROLE: "reporting"}
    bed.driver.submit(LEAD, to_reporting, kind=ROLE_CHANGE)
    again = bed.driver.request(2).typed(RoleChangeDetails)
    assert (again.state, again.details.trainings) == (RoleChangeState.AWAITING_ADMIN, ())


def test_renewal_reminders_run_from_an_imported_completion(bed: NudgeBed) -> None:
    bed.add_account(STAFF, local("2027-10-01 09:00"), name="Sam Staff")
    completed(bed, (STAFF, "privacy", "2026-11-17 00:00"))  # lapses Wed 17 Nov 2027
    bed.sweep("2027-10-15 09:00")
    bed.sweep("2027-10-18 09:00")  # 30 days ahead
    bed.sweep("2027-11-12 09:00")  # 7 days ahead fell due during downtime
    completed(bed, (STAFF, "privacy", "2026-11-17 00:00"))  # the same export: nothing new
    bed.sweep("2027-11-12 09:30")
    assert bed.sent("renewal_reminder") == [
        ("renewal_reminder", STAFF, "Mon 2027-10-18 09:00"),
        ("renewal_reminder", STAFF, "Fri 2027-11-12 09:00"),
    ]


def test_a_retake_restarts_the_renewal_clock_and_ties_send_one_reminder(
    bed: NudgeBed,
) -> None:
    """Jane's privacy training counted on her request (recorded there by the import, at the
    same moment as her training record): one reminder, not two. A retake a month later
    supersedes both, so the next reminder counts from the retake."""
    in_training(bed)
    completed(bed, (TRAINEE, "general", "2026-11-17 00:00"), (TRAINEE, "privacy", "2026-11-17"))
    with bed.database.transaction() as session:
        session.add(
            Account(
                email=TRAINEE,
                name="Jane Doe",
                agency_id="river-house",
                access_role_id="dss",
                status="active",
                created_at=bed.clock.now,
                last_login_at=local("2027-10-01 09:00"),
            )
        )
    bed.sweep("2027-10-18 09:00")
    assert bed.sent("renewal_reminder") == [("renewal_reminder", TRAINEE, "Mon 2027-10-18 09:00")]

    completed(bed, (TRAINEE, "privacy", "2027-10-20 00:00"))  # retaken: lapses 19 Oct 2028
    bed.sweep("2027-11-12 09:00")  # the old clock's 7-day reminder is no longer due
    bed.sweep("2028-09-19 09:00")  # 30 days before the new lapse
    assert bed.sent("renewal_reminder")[1:] == [
        ("renewal_reminder", TRAINEE, "Tue 2028-09-19 09:00")
    ]
