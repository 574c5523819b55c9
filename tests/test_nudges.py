"""Requests and accounts walked through every nudge with an injected clock, on a real database:
each nudge is sent once, to the right people, at the right local time (Sacramento), around
Thanksgiving and weekends, after downtime, and when two sweeps race."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import select, update

from chatbot.community_calendar import business_calendar
from chatbot.storage.database import Database
from chatbot.storage.models import Account, AuditEventRow, NudgeRow, OutboxRow, RequestTransition
from chatbot.storage.nudge_ledger import SqlNudgeLedger
from flows.accounts import AccountStatus
from flows.community import Community, Reminder
from flows.durations import Duration, Unit
from flows.kinds import default_registry
from flows.kinds.new_user.details import NewUserState
from flows.kinds.new_user.form import F
from flows.model import Platform, Transition
from flows.nudges.inactivity import INACTIVITY_SUBJECT
from flows.nudges.plan import plan
from flows.nudges.policy import ReminderAudience
from flows.nudges.ports import DueRequest
from flows.nudges.rules import RequestRule
from flows.nudges.sweep import SWEEP_ACTOR, NudgeSweep
from tests.conftest import Clock
from tests.nudges import ADMINS, NudgeBed, local, shown
from tests.requests import ADMIN, LEAD, SECOND_ADMIN, SUPERVISOR, TRAINEE, request_values

SWEEP_TIMES = ("06:00", "08:30", "17:30")  # before business hours, during, after
SAM = "sam.roe@riverhouse.example.org"


@pytest.fixture
def bed(database: Database, community: Community, clock: Clock) -> NudgeBed:
    return NudgeBed(database, community, clock)


def audit_actions(bed: NudgeBed) -> list[str]:
    """The scheduler's own audit events (no acting person), oldest first."""
    with bed.database.transaction() as session:
        return list(
            session.scalars(
                select(AuditEventRow.action)
                .where(AuditEventRow.actor_email.is_(None))
                .order_by(AuditEventRow.id)
            )
        )


def test_a_request_is_chased_through_verification_and_training_until_it_expires(
    bed: NudgeBed,
) -> None:
    bed.at("2026-11-18 10:00")  # Wednesday before Thanksgiving
    bed.file(LEAD, request_values())
    assert bed.request().state == NewUserState.AWAITING_VERIFICATION
    # Five business days: Thu, Fri, Mon, Tue, Wed 25 Nov at the close of business.

    bed.sweep_daily("2026-11-18", "2026-11-23", SWEEP_TIMES)
    assert bed.take() == []
    bed.sweep_daily("2026-11-24", "2026-11-24", SWEEP_TIMES)
    # One business day ahead, from the morning; the 06:00 sweep is too early.
    assert bed.take() == [("verification_reminder", SUPERVISOR, "Tue 2026-11-24 08:30")]

    bed.sweep_daily("2026-11-25", "2026-11-26", SWEEP_TIMES)
    # Overdue at 17:00 Wednesday; held over Thanksgiving to Friday morning.
    assert bed.take() == sorted(
        [
            ("verification_overdue", LEAD, "Fri 2026-11-27 08:00"),
            ("verification_overdue", ADMINS, "Fri 2026-11-27 08:00"),
        ]
    )

    bed.at("2026-11-27 10:00")
    bed.click(SUPERVISOR, "verify")  # training due 14 days later: Fri 11 Dec, 17:00
    bed.sweep_daily("2026-11-27", "2026-12-15", SWEEP_TIMES)
    assert bed.take() == sorted(
        [
            ("training_reminder", TRAINEE, "Fri 2026-12-04 08:30"),  # 7 days ahead
            ("training_reminder", TRAINEE, "Wed 2026-12-09 08:30"),  # 2 days ahead
            ("training_reminder", TRAINEE, "Fri 2026-12-11 08:30"),  # the day itself
            # Overdue at 17:00 Friday; held over the weekend.
            ("training_overdue", SUPERVISOR, "Mon 2026-12-14 08:00"),
            ("training_overdue", TRAINEE, "Mon 2026-12-14 08:00"),
            # Three days' grace end at 17:00 Monday: the request expires, everyone is told.
            ("training_expired", TRAINEE, "Tue 2026-12-15 08:00"),
            ("training_expired", SUPERVISOR, "Tue 2026-12-15 08:00"),
            ("training_expired", LEAD, "Tue 2026-12-15 08:00"),
            ("training_expired", ADMINS, "Tue 2026-12-15 08:00"),
        ]
    )
    assert bed.request().state == NewUserState.EXPIRED

    bed.sweep("2026-12-16 09:00")
    assert bed.take() == []
    with bed.database.transaction() as session:
        expiry = session.scalars(
            select(RequestTransition).where(RequestTransition.to_state == "expired")
        ).one()
        refreshed = session.scalars(
            select(OutboxRow.audience).where(OutboxRow.dedupe_key.like("%.expired"))
        ).all()
    assert expiry.actor_email == SWEEP_ACTOR
    assert sorted(refreshed) == ["admins", "requester", "supervisor", "trainee"]
    assert audit_actions(bed) == ["new_user.expire"]


def test_a_request_and_its_account_are_chased_to_disabling_for_inactivity(
    bed: NudgeBed,
) -> None:
    bed.file(LEAD, request_values())  # Monday 16 Nov, 10:00
    bed.click(SUPERVISOR, "verify")
    bed.at("2026-11-17 10:00")
    for training in ("general", "privacy"):
        bed.click(TRAINEE, f"trained.{training}")
    assert bed.request().state == NewUserState.AWAITING_APPROVAL

    bed.sweep_daily("2026-11-17", "2026-11-19", SWEEP_TIMES)
    # Two business days waiting for approval end at 17:00 Thursday.
    assert bed.take() == [("admin_sla", ADMINS, "Fri 2026-11-20 08:00")]

    bed.at("2026-11-20 09:00")
    bed.click(ADMIN, "approve")
    bed.sweep_daily("2026-11-20", "2026-11-24", SWEEP_TIMES)
    # Waiting for the account to be created: a new clock, two business days from Friday.
    assert bed.take() == [("admin_sla", ADMINS, "Wed 2026-11-25 08:00")]

    bed.at("2026-11-25 09:00")
    bed.click(SECOND_ADMIN, "account_created")  # first login due 24 hours later, Thanksgiving
    bed.sweep_daily("2026-11-25", "2026-11-26", (*SWEEP_TIMES, "09:30"))
    assert bed.take() == sorted(
        [
            ("first_login_reminder", TRAINEE, "Fri 2026-11-27 08:00"),  # 4 hours ahead
            ("first_login_missed", ADMINS, "Fri 2026-11-27 08:00"),
            ("first_login_missed", LEAD, "Fri 2026-11-27 08:00"),  # River House's agency lead
        ]
    )

    bed.at("2026-11-27 09:00")
    bed.click(TRAINEE, "logged_in")
    assert bed.account(TRAINEE).last_login_at == bed.clock.now
    bed.sweep_daily("2026-11-27", "2026-12-05", SWEEP_TIMES)
    for day in ("2026-12-15", "2026-12-25", "2027-01-04", "2027-01-08"):
        bed.sweep_daily(day, day, SWEEP_TIMES)
    assert bed.take() == []

    # 45 days without a login end at 17:00 on Monday 11 January.
    bed.sweep_daily("2027-01-11", "2027-01-12", SWEEP_TIMES)
    assert bed.take() == [("inactivity_warning", TRAINEE, "Tue 2027-01-12 08:00")]
    assert bed.account(TRAINEE).status == AccountStatus.WARNED

    # 60 days end at 17:00 on Tuesday 26 January: the holder is told, and every admin and the
    # agency lead get the announcement card by DM.
    bed.sweep_daily("2027-01-25", "2027-01-27", SWEEP_TIMES)
    assert bed.take() == [("inactivity_disable", TRAINEE, "Wed 2027-01-27 08:00")]
    assert bed.account(TRAINEE).status == AccountStatus.DISABLE_DUE
    with bed.database.transaction() as session:
        announced = session.execute(
            select(OutboxRow.recipient_email, OutboxRow.next_attempt_at).where(
                OutboxRow.subject_kind == INACTIVITY_SUBJECT
            )
        ).all()
    assert sorted((email, shown(at)) for email, at in announced) == sorted(
        [
            (ADMIN, "Wed 2027-01-27 08:00"),
            (SECOND_ADMIN, "Wed 2027-01-27 08:00"),
            (LEAD, "Wed 2027-01-27 08:00"),
        ]
    )
    assert audit_actions(bed) == ["account.inactivity_warning", "account.inactivity_disable"]
    bed.sweep_daily("2027-01-28", "2027-02-10", SWEEP_TIMES)
    assert bed.take() == []


def test_after_downtime_the_next_sweep_catches_up_without_stale_reminders(
    bed: NudgeBed,
) -> None:
    bed.at("2026-11-27 10:00")
    bed.file(LEAD, request_values())
    bed.click(SUPERVISOR, "verify")  # training due Fri 11 Dec, 17:00
    bed.file(LEAD, request_values(new_user_email=SAM))
    bed.click(SUPERVISOR, "verify", request_id=2)
    bed.add_account("late@riverhouse.example.org", local("2026-10-01 12:00"))

    bed.sweep("2026-12-10 09:00")  # the first sweep in two weeks
    # The 7-day reminders fell due during the downtime; only the latest one goes out.
    assert bed.take() == sorted(
        [
            ("training_reminder", TRAINEE, "Thu 2026-12-10 09:00"),
            ("training_reminder", SAM, "Thu 2026-12-10 09:00"),
            # Past both inactivity limits: disabled straight away, without a stale warning.
            ("inactivity_disable", "late@riverhouse.example.org", "Thu 2026-12-10 09:00"),
        ]
    )
    with bed.database.transaction() as session:
        stages = session.scalars(
            select(NudgeRow.stage).where(NudgeRow.kind == "training_reminder")
        ).all()
    assert stages == [1, 1]  # "2 days" of [7 days, 2 days, 0 days]
    assert bed.account("late@riverhouse.example.org").status == AccountStatus.DISABLE_DUE

    bed.sweep("2026-12-15 09:00")  # down again, past the deadline and the grace period
    # Expired (no separate "overdue" first), everyone told, for each request.
    assert bed.take() == sorted(
        ("training_expired", who, "Tue 2026-12-15 09:00")
        for who in (TRAINEE, SAM, SUPERVISOR, SUPERVISOR, LEAD, LEAD, ADMINS, ADMINS)
    )


def test_two_sweeps_racing_send_each_nudge_once(bed: NudgeBed) -> None:
    trainees = [f"trainee{i}@riverhouse.example.org" for i in range(12)]
    for number, email in enumerate(trainees, start=1):
        bed.file(LEAD, request_values(new_user_email=email))
        bed.click(SUPERVISOR, "verify", request_id=number)
    idle = [f"idle{i}@riverhouse.example.org" for i in range(12)]
    for email in idle:
        bed.add_account(email, local("2026-09-01 12:00"))
    bed.at("2026-12-01 09:30")  # training overdue; accounts past 60 days without a login

    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def sweep() -> None:
        start.wait()
        try:
            bed.sweeper.sweep(bed.clock.now)
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    racers = [threading.Thread(target=sweep) for _ in range(2)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join()
    assert errors == []
    at = "Tue 2026-12-01 09:30"
    assert bed.take() == sorted(
        [
            *(("inactivity_disable", email, at) for email in idle),
            *(("training_overdue", email, at) for email in trainees),
            *[("training_overdue", SUPERVISOR, at)] * len(trainees),
        ]
    )
    assert audit_actions(bed) == ["account.inactivity_disable"] * 12
    with bed.database.transaction() as session:
        announcements = session.scalars(
            select(OutboxRow.dedupe_key).where(OutboxRow.subject_kind == INACTIVITY_SUBJECT)
        ).all()
    assert len(announcements) == 12 * 3  # two admins and the agency lead, once each


def test_the_monthly_agency_lead_meeting_is_announced_ahead_to_every_participating_lead(
    bed: NudgeBed,
) -> None:
    leads = [LEAD, "lead@yolofoodbank.example.org"]  # not Delta Outreach's: still applying
    bed.sweep_daily("2026-11-30", "2026-12-09", SWEEP_TIMES)  # meeting: Tue 8 Dec, 10:00
    assert sorted(bed.sent("meeting_reminder")) == sorted(
        ("meeting_reminder", lead, day)
        for lead in leads
        for day in ("Tue 2026-12-01 08:30", "Mon 2026-12-07 08:30")
    )
    bed.sweep("2027-01-11 09:00")  # after downtime: the 12 January meeting is tomorrow
    assert sorted(bed.sent("meeting_reminder")[-2:]) == sorted(
        ("meeting_reminder", lead, "Mon 2027-01-11 09:00") for lead in leads
    )
    with bed.database.transaction() as session:
        stages = session.scalars(
            select(NudgeRow.stage).where(NudgeRow.kind == "meeting_reminder")
        ).all()
    assert stages == [0, 1, 1]  # no stale "in 7 days" for the January meeting


def test_security_officers_get_their_quarterly_audit_reminder_before_the_holidays(
    database: Database, community: Community, clock: Clock
) -> None:
    officer = "security@riverhouse.example.org"
    agencies = tuple(
        agency.model_copy(update={"security_officers": (officer,)})
        if agency.id == "river-house"
        else agency
        for agency in community.agencies
    )
    audit = Reminder(
        id="security-audit",
        title="Quarterly HMIS security audit",
        rrule="FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=1;BYHOUR=9",
        audience=ReminderAudience.SECURITY_OFFICERS,
        notify_before=(Duration(5, Unit.BUSINESS_DAYS),),
        starts=date(2026, 1, 1),
    )
    bed = NudgeBed(
        database, community.model_copy(update={"agencies": agencies, "reminders": (audit,)}), clock
    )
    bed.sweep_daily("2026-12-20", "2026-12-31", SWEEP_TIMES)
    # Fri 1 Jan: five business days back skip New Year's Day, the weekend and Christmas Day.
    assert bed.sent("meeting_reminder") == [("meeting_reminder", officer, "Thu 2026-12-24 08:30")]


def test_trainings_with_a_validity_get_renewal_reminders_before_they_lapse(
    bed: NudgeBed,
) -> None:
    bed.file(LEAD, request_values())
    bed.click(SUPERVISOR, "verify")
    bed.at("2026-11-17 10:00")  # privacy training is valid 365 days: to Wed 17 Nov 2027
    for training in ("general", "privacy"):
        bed.click(TRAINEE, f"trained.{training}")
    for who, verb in (
        (ADMIN, "approve"),
        (SECOND_ADMIN, "account_created"),
        (TRAINEE, "logged_in"),
    ):
        bed.click(who, verb)
    with bed.database.transaction() as session:
        session.execute(update(Account).values(last_login_at=local("2027-10-01 09:00")))

    bed.sweep("2027-10-15 09:00")
    bed.sweep("2027-10-18 09:00")  # 30 days ahead
    bed.sweep("2027-11-12 09:00")  # 7 days ahead fell due during downtime
    bed.sweep("2027-11-18 09:00")  # lapsed: nothing more
    assert bed.sent("renewal_reminder") == [
        ("renewal_reminder", TRAINEE, "Mon 2027-10-18 09:00"),
        ("renewal_reminder", TRAINEE, "Fri 2027-11-12 09:00"),
    ]


class _MovedOnAfterSelection(SqlNudgeLedger):
    """Selects due requests, then lets the trainee report in before the sweep reads them, as a
    racing sweep or click could commit between the two."""

    def due_requests(self, rule: RequestRule) -> list[DueRequest]:
        due = super().due_requests(rule)
        for found in due:
            request = self.get_request(found.request_id)
            assert request is not None
            self.apply(
                Transition(
                    request.id,
                    request.version,
                    request.state,
                    NewUserState.AWAITING_APPROVAL,
                    TRAINEE,
                )
            )
        return due


def test_a_request_that_moved_on_after_its_selection_is_left_alone(bed: NudgeBed) -> None:
    bed.at("2026-11-18 10:00")
    bed.file(
        SUPERVISOR, request_values(**{F.DIRECTLY_SUPERVISES: "yes", F.BACKGROUND_CHECK: ["yes"]})
    )
    bed.at("2026-12-15 09:00")  # past the training deadline and its grace
    calendar = business_calendar(bed.community)
    with bed.database.transaction() as session:
        ledger = _MovedOnAfterSelection(session, bed.clock, (Platform.SLACK,))
        registry = default_registry()
        sweep = NudgeSweep(bed.community, calendar, ledger, registry)
        for rule in plan(bed.community, calendar, bed.clock.now, registry):
            sweep.run(rule)
        assert ledger.queued == []
    assert bed.request().state == NewUserState.AWAITING_APPROVAL
