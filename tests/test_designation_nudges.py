"""The clocks of designations and agency onboarding, swept with an injected clock on a real
database: the candidate's training reminders and expiry, the admins' SLA (deadlines.approval)
escalated once, and the meeting reminders following the leads the bot designated."""

from __future__ import annotations

import pytest

from chatbot.storage.database import Database
from flows.community import Community
from flows.kit.designation.details import DesignationState
from flows.outcomes import Accepted, OpenForm
from flows.ui import Notice
from tests.conftest import Clock
from tests.nudges import ADMINS, NudgeBed
from tests.onboarding import DELTA, KIM, TESS, king_county_style
from tests.requests import ADMIN, APPLYING_LEAD, LEAD, OTHER_LEAD, SECOND_ADMIN

LEAD_KIND = "lead_designation"
AGENCY_KIND = "agency_participation"


@pytest.fixture
def bed(database: Database, community: Community, clock: Clock) -> NudgeBed:
    bed = NudgeBed(database, king_county_style(community), clock)
    bed.add_account(KIM, None, name="Kim Koe")
    bed.add_account(TESS, None, name="Tess Tran")
    return bed


def designate(bed: NudgeBed, person: str, request_id: int, replaces: str = "") -> None:
    """The River House lead names the person (their filing is their approval); they report
    the lead training; an admin sets it in HMIS."""
    values = {"agency": "river-house", "person": person, "replaces": replaces or None}
    answers = {"role_update": "no", "meeting_invite": "yes"}
    assert isinstance(bed.driver.submit(LEAD, values | answers, kind=LEAD_KIND), Accepted)
    bed.driver.click(person, "trained.ta-training", request_id, kind=LEAD_KIND)
    bed.driver.click(ADMIN, "confirm", request_id, kind=LEAD_KIND)
    assert bed.driver.request(request_id).state == DesignationState.DESIGNATED


def test_a_designation_waiting_on_admins_escalates_after_the_approval_sla(bed: NudgeBed) -> None:
    bed.at("2026-11-16 10:00")  # Monday; deadlines.approval is 2 business days
    values = {"agency": "river-house", "person": KIM, "role_update": "no", "meeting_invite": "no"}
    bed.driver.submit(LEAD, values, kind=LEAD_KIND)
    bed.driver.click(KIM, "trained.ta-training", kind=LEAD_KIND)
    assert bed.driver.request(1).state == DesignationState.AWAITING_ADMIN
    bed.sweep("2026-11-18 16:55")
    assert bed.take() == []
    bed.sweep("2026-11-18 17:05")  # after hours: held to the next business morning
    assert bed.take() == [("designation_sla", ADMINS, "Thu 2026-11-19 08:00")]
    bed.sweep("2026-11-19 09:00")
    assert bed.take() == []  # once


def test_the_candidates_training_is_reminded_then_expires(bed: NudgeBed) -> None:
    bed.at("2026-11-16 10:00")  # training due in 14 days: Mon 30 Nov 17:00; 3 days' grace
    values = {"agency": "river-house", "person": KIM, "role_update": "no", "meeting_invite": "no"}
    bed.driver.submit(LEAD, values, kind="lead_designation")
    bed.sweep("2026-11-23 09:00")  # 7 days ahead
    bed.sweep("2026-12-04 09:00")  # the grace ended Thursday 17:00
    assert bed.take() == [
        ("designation_training_expired", ADMINS, "Fri 2026-12-04 09:00"),
        ("designation_training_expired", KIM, "Fri 2026-12-04 09:00"),
        ("designation_training_expired", LEAD, "Fri 2026-12-04 09:00"),
        ("designation_training_reminder", KIM, "Mon 2026-11-23 09:00"),
    ]
    assert bed.driver.request(1).state == DesignationState.EXPIRED


def test_an_onboarding_with_every_step_done_escalates_to_the_admins(bed: NudgeBed) -> None:
    bed.at("2026-11-16 10:00")
    bed.driver.submit(ADMIN, {"agency": DELTA}, kind=AGENCY_KIND)
    for step in ("mou", "ta-so", "call"):
        bed.driver.click(ADMIN, f"tick.{step}", kind=AGENCY_KIND)
    bed.sweep("2026-11-25 09:00")
    assert bed.take() == [], "no clock while the agency still has steps to do"
    bed.at("2026-11-25 10:00")  # Wednesday; Thursday 26 is Thanksgiving
    bed.driver.click(SECOND_ADMIN, "tick.programs", kind=AGENCY_KIND)
    bed.sweep("2026-11-30 16:55")
    assert bed.take() == []
    bed.sweep("2026-11-30 17:05")
    assert bed.take() == [("agency_approval_sla", ADMINS, "Tue 2026-12-01 08:00")]


def test_meeting_reminders_and_requests_follow_the_leads_the_bot_designates(
    bed: NudgeBed,
) -> None:
    bed.at("2026-11-16 10:00")
    designate(bed, KIM, 1)
    assert isinstance(bed.driver.command(KIM, "new"), OpenForm)
    bed.sweep("2026-12-01 10:05")  # 7 days before the meeting on Tuesday 8 December
    week = bed.sent("meeting_reminder")
    assert sorted(email for _, email, _ in week) == sorted([LEAD, KIM, OTHER_LEAD])

    bed.at("2026-12-02 10:00")
    designate(bed, TESS, 2, replaces=KIM)
    assert isinstance(bed.driver.command(KIM, "new"), Notice), "a removed lead no longer files"
    assert isinstance(bed.driver.command(TESS, "new"), OpenForm)
    bed.driver.submit(ADMIN, {"agency": DELTA}, kind=AGENCY_KIND)
    for step in ("mou", "ta-so", "call", "programs"):
        bed.driver.click(ADMIN, f"tick.{step}", 3, kind=AGENCY_KIND)
    bed.driver.click(SECOND_ADMIN, "approve", 3, kind=AGENCY_KIND)
    bed.sweep("2026-12-07 10:05")  # the day before
    day_before = bed.sent("meeting_reminder")[len(week) :]
    assert sorted(email for _, email, _ in day_before) == sorted(
        [LEAD, TESS, OTHER_LEAD, APPLYING_LEAD]
    )
