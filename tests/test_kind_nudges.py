"""The clocks of deactivations and role changes, swept with an injected clock on a real
database: a scheduled deactivation takes effect on its last day, each SLA escalates the admins
once when it lapses, and someone who left the agency is a security event nobody holds back."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from chatbot.storage.database import Database
from chatbot.storage.models import NudgeRow
from flows.community import Community
from flows.kinds.deactivation.details import DeactivationState
from flows.kinds.role_change.details import RoleChangeState
from flows.nudges.letters import Role, audience_for
from tests.conftest import Clock
from tests.nudges import ADMINS, NudgeBed
from tests.requests import ADMIN, LEAD, SECOND_ADMIN, TRAINEE

LEAVER = "leaver@riverhouse.example.org"


@pytest.fixture
def bed(database: Database, community: Community, clock: Clock) -> NudgeBed:
    bed = NudgeBed(database, community, clock)
    bed.add_account(LEAVER, None)
    bed.add_account(TRAINEE, None)
    return bed


def deactivate(bed: NudgeBed, reason: str = "left_agency", last_day: str | None = None) -> None:
    values = {"person": LEAVER, "reason": reason, "reason_text": "", "last_day": last_day}
    if reason == "other":
        values["reason_text"] = "Moved to a job without client contact."
    bed.driver.submit(LEAD, values, kind="deactivation")


def test_someone_who_left_escalates_at_once_when_the_sla_lapses(bed: NudgeBed) -> None:
    bed.at("2026-11-16 10:00")  # Monday; deadlines.deactivation is 48 hours
    deactivate(bed)
    bed.sweep("2026-11-18 09:55")
    assert bed.take() == []
    bed.sweep("2026-11-18 22:10")  # after hours: a security event still goes out at once
    assert bed.take() == [
        ("deactivation_sla", SECOND_ADMIN, "Wed 2026-11-18 22:10"),
        ("deactivation_sla", ADMIN, "Wed 2026-11-18 22:10"),
    ]
    bed.sweep("2026-11-19 09:00")
    assert bed.take() == []  # once
    bed.driver.click(ADMIN, "confirm", kind="deactivation")
    assert bed.driver.request(1).state == DeactivationState.DEACTIVATED


def test_other_deactivations_escalate_in_business_hours(bed: NudgeBed) -> None:
    bed.at("2026-11-20 16:00")  # Friday
    deactivate(bed, reason="other")
    bed.sweep("2026-11-22 16:30")  # Sunday: 48 hours have passed
    assert bed.take() == [
        ("deactivation_sla", SECOND_ADMIN, "Mon 2026-11-23 08:00"),
        ("deactivation_sla", ADMIN, "Mon 2026-11-23 08:00"),
    ]


def test_a_last_day_takes_effect_at_its_close_then_the_sla_runs(bed: NudgeBed) -> None:
    bed.at("2026-11-16 10:00")
    deactivate(bed, last_day="2026-11-18")
    assert bed.driver.request(1).state == DeactivationState.SCHEDULED
    bed.sweep("2026-11-18 16:55")
    assert bed.take() == []
    bed.sweep("2026-11-18 17:05")
    assert bed.driver.request(1).state == DeactivationState.AWAITING_ADMIN
    assert bed.take() == [
        ("take_effect", SECOND_ADMIN, "Wed 2026-11-18 17:05"),
        ("take_effect", ADMIN, "Wed 2026-11-18 17:05"),
    ]
    bed.sweep("2026-11-20 17:00")  # 48 hours from 17:00 Wednesday, to the minute
    assert [kind for kind, _, _ in bed.take()] == ["deactivation_sla"] * 2


def test_a_deactivations_messages_go_to_each_admin_and_lead_by_direct_message(
    bed: NudgeBed,
) -> None:
    bed.at("2026-11-16 10:00")
    deactivate(bed)
    with bed.database.transaction() as session:
        recipients = set(session.scalars(select(NudgeRow.subject_id)))
    assert recipients == set()  # nothing swept yet: the cards are live cards
    audiences = set(bed.driver.queued())
    assert audience_for(Role.ADMIN, ADMIN) in audiences
    assert "admins" not in audiences


def test_a_role_change_waiting_on_admins_escalates_after_one_business_day(bed: NudgeBed) -> None:
    bed.at("2026-11-16 10:00")
    values = {"person": TRAINEE, "new_role": "supervisory", "reason": "Leads the team now."}
    bed.driver.submit(LEAD, values, kind="role_change")
    assert bed.driver.request(1).state == RoleChangeState.TRAINING  # no trainings on record
    for training in ("general", "privacy"):
        bed.driver.click(TRAINEE, f"trained.{training}", kind="role_change")
    assert bed.driver.request(1).state == RoleChangeState.AWAITING_ADMIN
    bed.sweep("2026-11-17 16:55")  # one business day ends at 17:00 Tuesday
    assert bed.take() == []
    bed.sweep("2026-11-17 17:05")
    assert bed.take() == [("role_change_sla", ADMINS, "Wed 2026-11-18 08:00")]


def test_a_role_change_whose_training_is_not_done_expires(bed: NudgeBed) -> None:
    bed.at("2026-11-16 10:00")  # training due in 14 days: Mon 30 Nov 17:00; 3 days' grace
    values = {"person": TRAINEE, "new_role": "supervisory", "reason": "Leads the team now."}
    bed.driver.submit(LEAD, values, kind="role_change")
    bed.sweep("2026-11-23 09:00")  # 7 days ahead
    bed.sweep("2026-12-04 09:00")  # the grace ended Thursday 17:00
    assert bed.take() == [
        ("role_training_expired", ADMINS, "Fri 2026-12-04 09:00"),
        ("role_training_expired", TRAINEE, "Fri 2026-12-04 09:00"),
        ("role_training_expired", LEAD, "Fri 2026-12-04 09:00"),
        ("role_training_reminder", TRAINEE, "Mon 2026-11-23 09:00"),
    ]
    assert bed.driver.request(1).state == RoleChangeState.EXPIRED
