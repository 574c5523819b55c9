"""The clocks of additional agency access, its ending, New Program Requests, CE trainers and
assessor access, swept with an injected clock on a real database (in the bundled community with
King County's assessor training added): each SLA escalates the admin channel once when it
lapses, renewal reminders go out before an assessor credential lapses, and a lapsed one goes
to the admins to remove, unless a later attendance renewed it or its grant ended first."""

from __future__ import annotations

import pytest

from chatbot.policy import bundled_preset_path, load_community
from chatbot.storage.database import Database
from flows.community import Community
from flows.grants import AGENCY_ACCESS
from flows.kinds.ce_assessor.details import AssessorState
from flows.kit.grants import end_grants_of
from tests.communities import name_ce_trainer, with_coordinated_entry
from tests.conftest import Clock
from tests.nudges import ADMINS, NudgeBed
from tests.requests import ADMIN, LEAD, OTHER_LEAD, SUPERVISOR, TRAINEE

ASSESSOR = "ce_assessor"


@pytest.fixture(scope="session")
def community() -> Community:
    return with_coordinated_entry(load_community(bundled_preset_path()))


@pytest.fixture
def bed(database: Database, community: Community, clock: Clock) -> NudgeBed:
    bed = NudgeBed(database, community, clock)
    bed.add_account(TRAINEE, None, name="Jane Doe")
    bed.driver.run(lambda ledger: name_ce_trainer(ledger, "river-house", SUPERVISOR))
    return bed


def assess(bed: NudgeBed, day: str, request_id: int) -> None:
    """River House's CE trainer asks for Jane's assessor access; an admin adds it."""
    values = {"person": TRAINEE, "attended": day, "attested": ["yes"]}
    bed.driver.submit(SUPERVISOR, values, kind=ASSESSOR)
    bed.driver.click(ADMIN, "confirm", request_id, kind=ASSESSOR)


def state(bed: NudgeBed, request_id: int) -> str:
    return bed.driver.request(request_id).state


def test_each_kinds_sla_escalates_the_admin_channel_once(bed: NudgeBed) -> None:
    bed.at("2026-11-16 10:00")  # Monday
    d = bed.driver
    d.run(lambda ledger: ledger.add_grant(TRAINEE, AGENCY_ACCESS, "delta-outreach", None))
    d.submit(OTHER_LEAD, {"person_email": TRAINEE, "why": "Shared pantry."}, "agency_access")
    ending = {"person_email": TRAINEE, "agency": "delta-outreach", "why": "Program ended."}
    d.submit(LEAD, ending, "end_agency_access")
    program = {"program": "Street Outreach", "change": "new", "needs": "A new ESG program."}
    d.submit(LEAD, program, "program")
    d.submit(LEAD, {"person": TRAINEE}, "ce_trainer")
    d.submit(
        SUPERVISOR, {"person": TRAINEE, "attended": "2026-11-10", "attested": ["yes"]}, ASSESSOR
    )
    assert [d.request(i).state for i in range(1, 6)] == ["awaiting_admin"] * 5
    bed.sweep("2026-11-18 09:55")
    assert bed.take() == []
    bed.sweep("2026-11-18 10:05")  # deadlines.deactivation: 48 hours to remove access
    assert bed.take() == [("end_agency_access_sla", ADMINS, "Wed 2026-11-18 10:05")]
    bed.sweep("2026-11-18 16:55")  # deadlines.approval: 2 business days, to 17:00 Wednesday
    assert bed.take() == []
    bed.sweep("2026-11-18 17:05")
    assert bed.take() == [
        ("agency_access_sla", ADMINS, "Thu 2026-11-19 08:00"),
        ("ce_assessor_sla", ADMINS, "Thu 2026-11-19 08:00"),
        ("ce_trainer_sla", ADMINS, "Thu 2026-11-19 08:00"),
        ("program_sla", ADMINS, "Thu 2026-11-19 08:00"),
    ]
    bed.sweep("2026-11-19 09:00")
    assert bed.take() == []  # once


def test_renewal_reminders_then_the_lapse_goes_to_the_admins_to_remove(bed: NudgeBed) -> None:
    bed.at("2026-11-16 10:00")
    assess(bed, "2026-11-10", 1)  # valid for 365 days: lapses Wed 10 Nov 2027, 17:00
    bed.sweep_daily("2027-10-08", "2027-11-10", ("09:00",))
    assert state(bed, 1) == AssessorState.ACTIVE
    assert bed.take() == [
        ("renewal_reminder", TRAINEE, "Tue 2027-10-12 08:00"),  # Monday: Columbus Day
        ("renewal_reminder", TRAINEE, "Wed 2027-11-03 09:00"),
    ]
    bed.sweep("2027-11-10 17:05")  # lapsed; Thursday the 11th is Veterans Day
    assert state(bed, 1) == AssessorState.LAPSED
    assert bed.take() == [
        ("ce_assessor_lapsed", ADMINS, "Fri 2027-11-12 08:00"),
        ("ce_assessor_lapsed", TRAINEE, "Fri 2027-11-12 08:00"),
        ("ce_assessor_lapsed", SUPERVISOR, "Fri 2027-11-12 08:00"),
    ]
    bed.sweep("2027-11-12 09:00")
    assert bed.take() == []  # once
    bed.sweep("2027-11-15 17:05")  # two business days to remove it: Friday and Monday
    assert bed.take() == [("ce_assessor_removal_sla", ADMINS, "Tue 2027-11-16 08:00")]
    bed.driver.click(ADMIN, "remove", 1, kind=ASSESSOR)
    assert state(bed, 1) == AssessorState.REMOVED
    assert bed.driver.run(lambda ledger: ledger.grants_of(TRAINEE)) == []


def test_a_renewal_before_the_lapse_replaces_it(bed: NudgeBed) -> None:
    bed.at("2026-11-16 10:00")
    assess(bed, "2026-11-10", 1)
    bed.at("2027-10-20 10:00")
    assess(bed, "2027-10-15", 2)
    assert (state(bed, 1), state(bed, 2)) == (AssessorState.RENEWED, AssessorState.ACTIVE)
    bed.sweep_daily("2027-10-21", "2027-11-12", ("09:00",))
    assert bed.take() == [], "no reminder or lapse for the credential the renewal replaced"
    bed.sweep("2028-09-20 09:00")  # the renewal lapses Sat 14 Oct 2028 (a leap year)
    assert bed.take() == [("renewal_reminder", TRAINEE, "Wed 2028-09-20 09:00")]


def test_a_credential_whose_grant_ended_does_not_lapse(bed: NudgeBed) -> None:
    bed.at("2026-11-16 10:00")
    assess(bed, "2026-11-10", 1)
    bed.driver.run(lambda ledger: end_grants_of(ledger, TRAINEE, "hmis-bot", "deactivation #9"))
    bed.sweep("2027-11-11 09:00")
    assert bed.take() == []
    assert state(bed, 1) == AssessorState.ACTIVE
