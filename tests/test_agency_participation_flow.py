"""Agency onboarding as plain calls on memory, SQLite and PostgreSQL: HMIS admins tick the
checklist, the agency's leads see it and what is missing, new-user requests for the agency stay
refused with that reason, and once approved the agency takes requests."""

from __future__ import annotations

import pytest

from flows.community import AgencyStatus
from flows.directory import Action, AgencyChange, current
from flows.kinds.agency_participation.details import ParticipationDetails, ParticipationState
from flows.model import Request
from flows.outcomes import Accepted, FieldErrors, Lists, OpenForm
from flows.ui import CardList, Notice
from tests.drive import Driver
from tests.onboarding import CHECKLIST, DELTA, king_county_style
from tests.requests import (
    ADMIN,
    APPLYING_LEAD,
    LEAD,
    OUTSIDER,
    SECOND_ADMIN,
    TRAINEE,
    request_values,
)

KIND = "agency_participation"
DELTA_USER = request_values(
    agency=DELTA, coc="yolo", new_user_email="x@delta.example.org", additional_agencies=[]
)


@pytest.fixture(autouse=True)
def king_county(driver: Driver) -> None:
    driver.community = king_county_style(driver.community)


def onboarding(driver: Driver, request_id: int = 1) -> Request[ParticipationDetails]:
    return driver.request(request_id).typed(ParticipationDetails)


def delta(driver: Driver) -> tuple[AgencyStatus, tuple[str, ...]]:
    community = driver.run(lambda ledger: current(driver.community, ledger.agency_changes()))
    agency = community.agency(DELTA)
    assert agency is not None
    return agency.status, agency.checklist


def test_admins_tick_every_step_then_another_admin_approves(driver: Driver) -> None:
    form = driver.command(ADMIN, "agency")
    assert isinstance(form, OpenForm)
    assert [o.value for o in form.form.fields()[0].options] == [DELTA]
    started = driver.submit(ADMIN, {"agency": DELTA, "note": "Call booked Dec 3."}, kind=KIND)
    assert isinstance(started, Accepted)
    assert started.notice.text == (
        "Onboarding #1 started for Delta Outreach. 0 of 4 steps done; tick the others on its "
        "card as the agency does them. Its leads see the checklist."
    )
    for step in CHECKLIST[:-1]:
        assert isinstance(driver.click(ADMIN, f"tick.{step.id}", kind=KIND), Notice)
    assert onboarding(driver).state == ParticipationState.ONBOARDING
    last = driver.click(SECOND_ADMIN, "tick.programs", kind=KIND)
    assert isinstance(last, Notice)
    assert "Every step is done" in last.text
    assert onboarding(driver).state == ParticipationState.READY
    assert delta(driver) == (AgencyStatus.APPLYING, ("mou", "ta-so", "call", "programs"))

    own = driver.click(ADMIN, "approve", kind=KIND)
    assert isinstance(own, Notice)
    assert "another HMIS admin" in own.text
    approved = driver.click(SECOND_ADMIN, "approve", kind=KIND)
    assert isinstance(approved, Notice)
    assert "Delta Outreach is approved to use HMIS" in approved.text
    assert delta(driver)[0] is AgencyStatus.APPROVED
    assert isinstance(driver.submit(APPLYING_LEAD, DELTA_USER), Accepted)


def test_new_user_requests_stay_refused_with_the_checklist_progress(driver: Driver) -> None:
    driver.submit(ADMIN, {"agency": DELTA}, kind=KIND)
    driver.click(ADMIN, "tick.mou", kind=KIND)
    opened = driver.command(APPLYING_LEAD)
    assert isinstance(opened, Notice)
    expected = (
        "Delta Outreach is still onboarding: 1 of 4 steps done. Its agency leads see the "
        'checklist with the "agency" command. Requests for its staff can be filed once HMIS '
        "approves the agency."
    )
    assert opened.text == expected
    refused = driver.submit(APPLYING_LEAD, DELTA_USER)
    assert isinstance(refused, FieldErrors)
    assert refused.errors["agency"] == expected


def test_the_agencys_leads_see_the_checklist_and_what_is_missing(driver: Driver) -> None:
    before = driver.command(APPLYING_LEAD, "agency")
    assert isinstance(before, CardList)
    assert "has not started this agency's onboarding" in before.cards[0].text
    driver.submit(ADMIN, {"agency": DELTA}, kind=KIND)
    driver.click(ADMIN, "tick.mou", kind=KIND)
    shown = driver.command(APPLYING_LEAD, "agency")
    assert isinstance(shown, CardList)
    [card] = shown.cards
    assert card.title == "Your agency's HMIS onboarding: Delta Outreach"
    assert card.text.startswith(
        "1 of 4 steps done. Still to do: Technical Administrator and Security Officer named, "
        "trainings done; Onboarding welcome call held; Programs requested."
    )
    assert card.buttons == ()
    home = driver.status(APPLYING_LEAD)
    assert isinstance(home, Lists)
    assert home.lists[-1].title == "Your agency's HMIS onboarding"
    assert home.lists[-1].cards == (card,)
    lead_home = driver.status(LEAD)
    assert isinstance(lead_home, Lists)
    assert "Your agency's HMIS onboarding" not in [x.title for x in lead_home.lists]
    river = driver.command(LEAD, "agency")
    assert isinstance(river, CardList)
    assert river.cards[0].summary == "River House Shelter: Approved to use HMIS"


def test_a_lead_designated_during_onboarding_gets_its_card(driver: Driver) -> None:
    driver.submit(ADMIN, {"agency": DELTA}, kind=KIND)
    added = AgencyChange(DELTA, "leads", Action.ADD, TRAINEE)
    driver.run(lambda ledger: ledger.record_agency_change(added))
    driver.click(ADMIN, "tick.mou", kind=KIND)
    assert isinstance(driver.command(TRAINEE, "agency"), CardList)
    assert sum(a.startswith("lead.") for a in driver.queued()) == 3  # 2 leads, then 1


def test_steps_already_on_record_in_the_file_count(driver: Driver) -> None:
    agencies = tuple(
        a.model_copy(update={"checklist": ("mou", "call")}) if a.id == DELTA else a
        for a in driver.community.agencies
    )
    driver.community = driver.community.model_copy(update={"agencies": agencies})
    driver.submit(ADMIN, {"agency": DELTA}, kind=KIND)
    details = onboarding(driver).details
    assert [s.id for s in details.missing] == ["ta-so", "programs"]
    assert details.tick("mou") is not None


def test_without_a_checklist_the_admins_approve_at_once(driver: Driver) -> None:
    driver.community = driver.community.model_copy(update={"onboarding_checklist": ()})
    started = driver.submit(ADMIN, {"agency": DELTA}, kind=KIND)
    assert isinstance(started, Accepted)
    assert "no steps left to do" in started.notice.text
    assert onboarding(driver).state == ParticipationState.READY


@pytest.mark.parametrize("who", [LEAD, APPLYING_LEAD, OUTSIDER])
def test_only_admins_tick_and_a_second_tick_changes_nothing(driver: Driver, who: str) -> None:
    driver.submit(ADMIN, {"agency": DELTA}, kind=KIND)
    refused = driver.click(who, "tick.mou", kind=KIND)
    assert isinstance(refused, Notice)
    assert refused.text == "Only HMIS admins tick an agency's onboarding steps."
    driver.click(ADMIN, "tick.mou", kind=KIND)
    again = driver.click(SECOND_ADMIN, "tick.mou", kind=KIND)
    assert isinstance(again, Notice)
    assert "already ticked by HMIS Help Desk" in again.text
    unknown = driver.click(ADMIN, "tick.lunch", kind=KIND)
    assert isinstance(unknown, Notice)
    assert [d["reason"] for _, d in driver.refusals()] == [
        "not_any_admin",
        "already_done",
        "unknown_step",
    ]
    assert [s.id for s in onboarding(driver).details.missing] == ["ta-so", "call", "programs"]


def test_a_stale_approval_click_changes_nothing(driver: Driver) -> None:
    driver.community = driver.community.model_copy(update={"onboarding_checklist": ()})
    driver.submit(ADMIN, {"agency": DELTA}, kind=KIND)
    seen = driver.request(1).version
    asked = driver.click(SECOND_ADMIN, "deny", kind=KIND)
    assert isinstance(asked, OpenForm)
    driver.give_reason(SECOND_ADMIN, asked.form.context, "The agency withdrew its application.")
    stale = driver.click(SECOND_ADMIN, "approve", version=seen, kind=KIND)
    assert isinstance(stale, Notice)
    assert "already moved on: not approved" in stale.text
    assert delta(driver)[0] is AgencyStatus.APPLYING
    assert driver.refusals()[-1] == (f"{KIND}.approve", {"reason": "stale"})


def test_refusals_when_filing(driver: Driver) -> None:
    assert isinstance(driver.command(OUTSIDER, "agency"), Notice)
    assert isinstance(driver.submit(APPLYING_LEAD, {"agency": DELTA}, kind=KIND), Notice)
    approved = driver.submit(ADMIN, {"agency": "river-house"}, kind=KIND)
    assert isinstance(approved, FieldErrors)
    client = driver.submit(ADMIN, {"agency": DELTA, "note": "Client DOB 04/02/1960"}, kind=KIND)
    assert isinstance(client, FieldErrors)
    driver.submit(ADMIN, {"agency": DELTA}, kind=KIND)
    twice = driver.submit(SECOND_ADMIN, {"agency": DELTA}, kind=KIND)
    assert isinstance(twice, FieldErrors)
    assert twice.errors == {"agency": "Delta Outreach is already onboarding."}
    nothing = driver.command(ADMIN, "agency")
    assert isinstance(nothing, Notice)
    assert "Every agency in the community file is approved or already onboarding" in nothing.text
    assert [(a, d) for a, d in driver.refusals()] == [
        (f"{KIND}.open_form", {"reason": "not_authorized"}),
        (f"{KIND}.file", {"reason": "not_admin"}),
        (f"{KIND}.file", {"agency": "invalid"}),
        (f"{KIND}.file", {"note": "client_data"}),
        (f"{KIND}.file", {"reason": "duplicate"}),
        (f"{KIND}.open_form", {"reason": "nothing_to_onboard"}),
    ]


def test_the_step_that_records_the_mou_sets_the_agencys_mou_date(driver: Driver) -> None:
    community = driver.community
    steps = tuple(
        s.model_copy(update={"records_mou": s.id == "mou"}) for s in community.onboarding_checklist
    )
    driver.community = community.model_copy(update={"onboarding_checklist": steps})
    driver.submit(ADMIN, {"agency": DELTA}, kind=KIND)
    driver.click(ADMIN, "tick.call", kind=KIND)
    assert mou_date(driver) is None
    driver.click(ADMIN, "tick.mou", kind=KIND)
    assert str(mou_date(driver)) == "2026-11-16", "the day it was ticked, in the community's zone"


def mou_date(driver: Driver) -> object:
    community = driver.run(lambda ledger: current(driver.community, ledger.agency_changes()))
    agency = community.agency(DELTA)
    assert agency is not None
    return agency.mou_date
