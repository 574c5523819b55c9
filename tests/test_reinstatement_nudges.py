"""The clocks of reinstatements and of staff members' own requests, swept with an injected clock
on a real database: admins are escalated by direct message when a reinstatement waits longer
than ``deadlines.approval``, endorsers are reminded after the staff verification window, a
re-enabled account is chased to its first login like a new one, and a login report completes
the request."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from chatbot.storage.database import Database
from chatbot.storage.models import Account
from flows.accounts import AccountStatus
from flows.community import Community
from flows.kinds.reinstatement.details import ReinstatementState
from flows.logins import record_logins
from flows.nudges.ports import NudgeLedger
from tests.conftest import Clock
from tests.nudges import ADMINS, NudgeBed, local
from tests.reinstating import with_ladder
from tests.requests import ADMIN, LEAD, SECOND_ADMIN, SUPERVISOR, TRAINEE

KIND = "reinstatement"
SLEEPER = "sleeper@riverhouse.example.org"


@pytest.fixture
def bed(database: Database, community: Community, clock: Clock) -> NudgeBed:
    return NudgeBed(database, with_ladder(community), clock)


def disabled(bed: NudgeBed, email: str, days: int) -> None:
    """An account an admin confirmed disabled ``days`` before the bed's clock."""
    since = bed.clock.now - timedelta(days=days)
    account_id = bed.add_account(email, since - timedelta(days=60), status="disabled")
    with bed.database.transaction() as session:
        session.execute(
            update(Account)
            .where(Account.id == account_id)
            .values(disabled_at=since, disabled_by=ADMIN)
        )


def test_a_reinstatement_waiting_on_admins_escalates_to_each_admin(bed: NudgeBed) -> None:
    bed.at("2026-11-16 10:00")  # Monday; deadlines.approval is 2 business days
    disabled(bed, SLEEPER, 20)
    bed.driver.submit(LEAD, {"person": SLEEPER}, kind=KIND)
    assert bed.driver.request(1).state == ReinstatementState.AWAITING_ADMIN
    bed.sweep("2026-11-18 16:55")
    assert bed.take() == []
    bed.sweep("2026-11-18 17:05")  # two business days ended at 17:00 Wednesday
    assert bed.take() == [
        ("reinstatement_sla", SECOND_ADMIN, "Thu 2026-11-19 08:00"),
        ("reinstatement_sla", ADMIN, "Thu 2026-11-19 08:00"),
    ]
    bed.sweep("2026-11-19 09:00")
    assert bed.take() == []  # once
    bed.driver.click(ADMIN, "reenable", kind=KIND)
    assert bed.driver.request(1).state == ReinstatementState.REENABLED


def test_endorsers_are_reminded_of_a_request_still_waiting_for_them(bed: NudgeBed) -> None:
    bed.at("2026-11-16 10:00")  # staff verification window: 5 business days, Mon 23 17:00
    disabled(bed, TRAINEE, 20)
    bed.add_account("casey@riverhouse.example.org", local("2026-11-10 09:00"))
    bed.driver.submit(TRAINEE, {}, kind=KIND)
    own = {"new_role": "supervisory", "reason": "I lead the team now."}
    bed.driver.submit("casey@riverhouse.example.org", own, kind="role_change")
    bed.sweep("2026-11-23 16:55")
    assert bed.take() == []
    bed.sweep("2026-11-23 17:05")
    assert bed.take() == [
        ("endorsement_reminder", LEAD, "Tue 2026-11-24 08:00"),
        ("endorsement_reminder", LEAD, "Tue 2026-11-24 08:00"),
        ("endorsement_reminder", SUPERVISOR, "Tue 2026-11-24 08:00"),
        ("endorsement_reminder", SUPERVISOR, "Tue 2026-11-24 08:00"),
    ]
    bed.sweep("2026-11-24 09:00")
    assert bed.take() == []


def test_a_re_enabled_account_is_chased_to_its_first_login_again(bed: NudgeBed) -> None:
    bed.at("2026-11-16 10:00")
    disabled(bed, SLEEPER, 20)
    disabled(bed, TRAINEE, 30)
    bed.driver.submit(LEAD, {"person": SLEEPER}, kind=KIND)
    bed.driver.submit(LEAD, {"person": TRAINEE}, kind=KIND)
    bed.driver.click(ADMIN, "reenable", 1, kind=KIND)  # first login due Tuesday 10:00
    bed.driver.click(ADMIN, "reenable", 2, kind=KIND)
    assert bed.account(SLEEPER).status == AccountStatus.PENDING_FIRST_LOGIN
    bed.sweep("2026-11-17 06:05")
    assert bed.take() == [
        ("first_login_reminder", TRAINEE, "Tue 2026-11-17 08:00"),
        ("first_login_reminder", SLEEPER, "Tue 2026-11-17 08:00"),
    ]
    bed.at("2026-11-17 09:30")
    login = bed.clock.now - timedelta(minutes=20)
    service = bed.service
    recorded = service.run_sync(
        lambda ledger: record_logins(
            ledger, service.community, service.calendar, service.registry, {SLEEPER: login}
        )
    )
    assert recorded.updated == 1
    assert bed.driver.request(1).state == ReinstatementState.REINSTATED
    assert bed.account(SLEEPER).status == AccountStatus.ACTIVE
    bed.sweep("2026-11-17 10:05")
    assert bed.take() == [
        ("first_login_missed", ADMINS, "Tue 2026-11-17 10:05"),
        ("first_login_missed", LEAD, "Tue 2026-11-17 10:05"),
    ]
    assert bed.driver.request(2).state == ReinstatementState.REENABLED


def test_an_old_login_in_a_report_does_not_complete_it(bed: NudgeBed) -> None:
    bed.at("2026-11-16 10:00")
    disabled(bed, SLEEPER, 20)
    old = bed.account(SLEEPER).last_login_at
    assert old is not None
    bed.driver.submit(LEAD, {"person": SLEEPER}, kind=KIND)
    bed.driver.click(ADMIN, "reenable", kind=KIND)
    service = bed.service

    def report(ledger: NudgeLedger) -> int:
        latest = {SLEEPER: old}
        calendar, registry = service.calendar, service.registry
        return record_logins(ledger, service.community, calendar, registry, latest).updated

    assert service.run_sync(report) == 0
    assert bed.driver.request(1).state == ReinstatementState.REENABLED


def test_a_refresher_not_done_in_time_expires(bed: NudgeBed) -> None:
    bed.at("2026-11-16 10:00")  # training due in 14 days: Mon 30 Nov 17:00; 3 days' grace
    disabled(bed, SLEEPER, 100)
    bed.driver.submit(LEAD, {"person": SLEEPER}, kind=KIND)
    assert bed.driver.request(1).state == ReinstatementState.TRAINING
    bed.sweep("2026-11-23 09:00")  # 7 days ahead
    bed.sweep("2026-12-04 09:00")  # the grace ended Thursday 17:00
    assert bed.take() == [
        ("reinstatement_training_expired", LEAD, "Fri 2026-12-04 09:00"),
        ("reinstatement_training_expired", SLEEPER, "Fri 2026-12-04 09:00"),
        ("reinstatement_training_reminder", SLEEPER, "Mon 2026-11-23 09:00"),
    ]
    assert bed.driver.request(1).state == ReinstatementState.EXPIRED
    assert bed.account(SLEEPER).status == AccountStatus.DISABLED
