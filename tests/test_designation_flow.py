"""Agency lead and security officer designations as plain calls on memory, SQLite and
PostgreSQL: the MOU current, the position's training first, the current lead approving (or
filing, which is their approval), the admins confirming, and the directory changing."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from flows.accounts import AccountStatus
from flows.community import Agency, AgencyStatus
from flows.directory import current
from flows.kit.designation.details import DesignationDetails, DesignationState
from flows.model import Request
from flows.outcomes import Accepted, FieldErrors, Lists, OpenForm
from flows.ui import Notice
from tests.drive import Driver
from tests.onboarding import DUTIES, KIM, TESS, YURI, king_county_style
from tests.requests import (
    ADMIN,
    APPLYING_LEAD,
    LEAD,
    OTHER_LEAD,
    OUTSIDER,
    SECOND_ADMIN,
    SUPERVISOR,
    TRAINEE,
)

LEAD_KIND = "lead_designation"
SO_KIND = "security_officer_designation"
Values = dict[str, str | list[str] | None]
NEW_HOPE = Agency(
    id="new-hope",
    name="New Hope Housing",
    coc="sac",
    status=AgencyStatus.APPLYING,
    mou_date=date(2026, 10, 1),
)
TIA = "tia@newhope.example.org"


@pytest.fixture(autouse=True)
def king_county(driver: Driver) -> None:
    community = king_county_style(driver.community)
    driver.community = community.model_copy(update={"agencies": (*community.agencies, NEW_HOPE)})
    driver.add_account(TESS, "Tess Tran")
    driver.add_account(KIM, "Kim Koe")
    driver.add_account(YURI, "Yuri Yolo", agency_id="yolo-food-bank")


def lead_values(person: str = TESS, **overrides: str | None) -> Values:
    values: Values = {
        "agency": "river-house",
        "person": person,
        "role_update": "no",
        "meeting_invite": "yes",
    }
    values.update(overrides)
    return values


def designation(driver: Driver, request_id: int) -> Request[DesignationDetails]:
    return driver.request(request_id).typed(DesignationDetails)


def leads(driver: Driver, agency_id: str = "river-house", field: str = "leads") -> Any:
    community = driver.run(lambda ledger: current(driver.community, ledger.agency_changes()))
    agency = community.agency(agency_id)
    assert agency is not None
    return getattr(agency, field)


def test_put_forward_by_herself_approved_by_the_lead_trained_and_set(driver: Driver) -> None:
    assert isinstance(driver.command(TESS, "lead"), OpenForm)
    filed = driver.submit(TESS, lead_values(note="Runs intake."), kind=LEAD_KIND)
    assert isinstance(filed, Accepted)
    assert "Rosa Lead will be asked to approve it" in filed.notice.text
    assert designation(driver, 1).state == DesignationState.AWAITING_APPROVAL

    approved = driver.click(LEAD, "approve", 1, kind=LEAD_KIND)
    assert isinstance(approved, Notice)
    assert "does the training first" in approved.text
    request = designation(driver, 1)
    assert (request.state, request.details.trainings) == (
        DesignationState.TRAINING,
        ("ta-training",),
    )
    assert request.details.approved_by == LEAD
    assert isinstance(driver.click(TESS, "trained.ta-training", 1, kind=LEAD_KIND), Notice)
    assert designation(driver, 1).state == DesignationState.AWAITING_ADMIN
    assert TESS not in leads(driver)

    done = driver.click(ADMIN, "confirm", 1, kind=LEAD_KIND)
    assert isinstance(done, Notice)
    assert done.text == "Recorded: Tess Tran is now an agency lead of River House Shelter."
    assert leads(driver) == (LEAD, TESS)
    answers = {a.id: a.yes for a in designation(driver, 1).details.answers}
    assert answers == {"role_update": False, "meeting_invite": True}
    assert driver.refusals() == []


def test_the_current_lead_files_a_replacement_which_is_their_approval(driver: Driver) -> None:
    outcome = driver.submit(LEAD, lead_values(KIM, replaces=LEAD), kind=LEAD_KIND)
    assert isinstance(outcome, Accepted)
    request = designation(driver, 1)
    assert (request.state, request.details.approvers) == (DesignationState.TRAINING, ())
    driver.click(KIM, "trained.ta-training", 1, kind=LEAD_KIND)
    driver.click(SECOND_ADMIN, "confirm", 1, kind=LEAD_KIND)
    assert leads(driver) == (KIM,)
    assert isinstance(driver.command(KIM, "new"), OpenForm), "the new lead files requests"
    refused = driver.command(LEAD, "new")
    assert isinstance(refused, Notice), "the replaced lead no longer does"


def test_a_training_done_before_is_not_asked_again(driver: Driver) -> None:
    driver.submit(LEAD, lead_values(KIM), kind=LEAD_KIND)
    driver.click(KIM, "trained.ta-training", 1, kind=LEAD_KIND)
    asked = driver.click(ADMIN, "deny", 1, kind=LEAD_KIND)
    assert isinstance(asked, OpenForm)
    driver.give_reason(ADMIN, asked.form.context, "File it again with the replacement named.")
    driver.submit(LEAD, lead_values(KIM, replaces=LEAD), kind=LEAD_KIND)
    request = designation(driver, 2)
    assert (request.state, request.details.trainings) == (DesignationState.AWAITING_ADMIN, ())


def test_an_admin_names_the_first_lead_of_a_new_agency(driver: Driver) -> None:
    values = lead_values(None, agency=NEW_HOPE.id, person_email=TIA, person_name="Tia Tam")
    outcome = driver.submit(ADMIN, values, kind=LEAD_KIND)
    assert isinstance(outcome, Accepted), outcome
    request = designation(driver, 1)
    assert request.subject_name == "Tia Tam"
    assert (request.details.approvers, request.details.has_account) == ((), False)
    driver.click(TIA, "trained.ta-training", 1, kind=LEAD_KIND)
    mine = driver.click(ADMIN, "confirm", 1, kind=LEAD_KIND)
    assert isinstance(mine, Notice)
    assert "another HMIS admin" in mine.text
    driver.click(SECOND_ADMIN, "confirm", 1, kind=LEAD_KIND)
    assert leads(driver, NEW_HOPE.id) == (TIA,)


def test_an_onboarding_agencys_lead_names_a_security_officer_without_an_account_yet(
    driver: Driver,
) -> None:
    values = lead_values(None, agency=NEW_HOPE.id, person_email=TIA, person_name="Tia Tam")
    driver.submit(ADMIN, values, kind=LEAD_KIND)
    driver.click(TIA, "trained.ta-training", 1, kind=LEAD_KIND)
    driver.click(SECOND_ADMIN, "confirm", 1, kind=LEAD_KIND)
    omar = "omar@newhope.example.org"
    alternate = so_values(None, agency=NEW_HOPE.id, person_email=omar, person_name="Omar Oz")
    assert isinstance(driver.submit(TIA, alternate, kind=SO_KIND), Accepted)
    request = designation(driver, 2)
    assert (request.details.approvers, request.details.has_account) == ((), False)
    driver.click(omar, "trained.so-training", 2, kind=SO_KIND)
    driver.click(ADMIN, "confirm", 2, kind=SO_KIND)
    assert leads(driver, NEW_HOPE.id, field="security_officers") == (omar,)


@pytest.mark.parametrize(
    ("who", "values", "field", "code"),
    [
        (TRAINEE, lead_values(KIM), "person", "not_authorized"),
        (OTHER_LEAD, lead_values(), "agency", "not_authorized"),
        (LEAD, lead_values(None, person_email=LEAD), "person_email", "already"),
        (LEAD, lead_values(None, person_email=OUTSIDER), "person_email", "no_account"),
        (ADMIN, lead_values(None, person_email="x@gmail.com"), "person_email", "free_mail"),
        (ADMIN, lead_values(YURI, agency="yolo-food-bank"), "agency", "mou_not_current"),
        (LEAD, lead_values(replaces=SUPERVISOR), "replaces", "invalid"),
        (LEAD, lead_values(meeting_invite=None), "meeting_invite", "missing"),
        (LEAD, lead_values(note="Her SSN is 123-45-6789"), "note", "client_data"),
        (LEAD, lead_values(None), "person", "missing"),
    ],
)
def test_refusals_name_their_field(
    driver: Driver, who: str, values: Values, field: str, code: str
) -> None:
    driver.add_account(TRAINEE, "Jane Doe")
    outcome = driver.submit(who, values, kind=LEAD_KIND)
    assert isinstance(outcome, FieldErrors)
    assert field in outcome.errors, outcome.errors
    assert driver.refusals()[-1] == (f"{LEAD_KIND}.file", {field: code})


def test_an_mou_that_lapsed_or_was_never_recorded_says_what_to_do(driver: Driver) -> None:
    lapsed = driver.submit(OTHER_LEAD, lead_values(YURI, agency="yolo-food-bank"), LEAD_KIND)
    assert isinstance(lapsed, FieldErrors)
    assert lapsed.errors["agency"] == (
        "Yolo Food Bank's MOU on record was signed Mar 1, 2025 and lapsed Sun Mar 1, 2026 (an "
        "MOU is current for 365 days). Send HMIS the agency's signed MOU (its HMIS "
        "participation agreement); once HMIS has recorded its date, ask again."
    )
    driver.add_account("dee@delta.example.org", "Dee Delta", agency_id="delta-outreach")
    values = lead_values("dee@delta.example.org", agency="delta-outreach")
    missing = driver.submit(APPLYING_LEAD, values, LEAD_KIND)
    assert isinstance(missing, FieldErrors)
    assert missing.errors["agency"].startswith("HMIS has no MOU on record for Delta Outreach.")


def test_a_current_since_date_refuses_an_older_mou(driver: Driver) -> None:
    driver.community = driver.community.model_copy(
        update={"mou_valid_for": None, "mou_current_since": date(2026, 8, 1)}
    )
    outcome = driver.submit(LEAD, lead_values(KIM), kind=LEAD_KIND)
    assert isinstance(outcome, FieldErrors)
    assert "needs one signed on or after Aug 1, 2026" in outcome.errors["agency"]


@pytest.mark.parametrize("who", [OUTSIDER, SUPERVISOR])
def test_people_with_no_part_cannot_open_it(driver: Driver, who: str) -> None:
    outcome = driver.command(who, "lead")
    assert isinstance(outcome, Notice)
    assert "Only an agency's current leads" in outcome.text
    assert driver.refusals() == [(f"{LEAD_KIND}.open_form", {"reason": "not_authorized"})]


def test_only_a_current_lead_asked_approves_and_a_stale_click_changes_nothing(
    driver: Driver,
) -> None:
    driver.submit(TESS, lead_values(), kind=LEAD_KIND)
    seen = driver.request(1).version
    for who in (TESS, OTHER_LEAD, ADMIN):
        assert isinstance(driver.click(who, "approve", 1, kind=LEAD_KIND), Notice)
    assert designation(driver, 1).state == DesignationState.AWAITING_APPROVAL
    asked = driver.click(LEAD, "decline", 1, kind=LEAD_KIND)
    assert isinstance(asked, OpenForm)
    driver.give_reason(LEAD, asked.form.context, "We need her on the floor this year.")
    request = designation(driver, 1)
    assert (request.state, request.decided_by) == (DesignationState.DECLINED, LEAD)
    stale = driver.click(LEAD, "approve", 1, version=seen, kind=LEAD_KIND)
    assert isinstance(stale, Notice)
    assert "already moved on: declined" in stale.text
    assert [d["reason"] for _, d in driver.refusals()] == [
        "not_approver",
        "not_approver",
        "not_approver",
        "stale",
    ]


def test_a_lead_replaced_meanwhile_can_no_longer_approve(driver: Driver) -> None:
    driver.submit(TESS, lead_values(), kind=LEAD_KIND)
    driver.submit(LEAD, lead_values(KIM, replaces=LEAD), kind=LEAD_KIND)
    driver.click(KIM, "trained.ta-training", 2, kind=LEAD_KIND)
    driver.click(ADMIN, "confirm", 2, kind=LEAD_KIND)
    outcome = driver.click(LEAD, "approve", 1, kind=LEAD_KIND)
    assert isinstance(outcome, Notice)
    assert designation(driver, 1).state == DesignationState.AWAITING_APPROVAL


def test_the_candidates_deactivation_withdraws_it(driver: Driver) -> None:
    driver.submit(TESS, lead_values(), kind=LEAD_KIND)
    driver.submit(LEAD, {"person": TESS, "reason": "left_agency"}, kind="deactivation")
    driver.click(ADMIN, "confirm", 2, kind="deactivation")
    assert driver.account(TESS).status is AccountStatus.DEACTIVATED
    assert designation(driver, 1).state == DesignationState.WITHDRAWN


def test_the_person_who_filed_withdraws_and_nobody_else(driver: Driver) -> None:
    driver.submit(LEAD, lead_values(KIM), kind=LEAD_KIND)
    assert isinstance(driver.click(KIM, "withdraw", 1, kind=LEAD_KIND), Notice)
    driver.click(LEAD, "withdraw", 1, kind=LEAD_KIND)
    assert designation(driver, 1).state == DesignationState.WITHDRAWN


def test_approvers_find_it_in_their_status_list(driver: Driver) -> None:
    driver.submit(TESS, lead_values(), kind=LEAD_KIND)
    home = driver.status(LEAD)
    assert isinstance(home, Lists)
    [mine] = [x for x in home.lists if x.title == "Your HMIS requests"]
    [card] = mine.cards
    assert card.title == "Approve or decline: Tess Tran as agency lead"
    assert [b.label for b in card.buttons] == ["Approve", "Decline"]


# Security officers ---------------------------------------------------------------------------


def so_values(person: str | None = TESS, **overrides: str | None) -> Values:
    values: Values = {"agency": "river-house", "person": person}
    values.update(overrides)
    return values


def test_the_lead_names_a_security_officer_and_alternate(driver: Driver) -> None:
    assert isinstance(driver.submit(LEAD, so_values(), kind=SO_KIND), Accepted)
    request = designation(driver, 1)
    assert (request.state, request.details.trainings) == (
        DesignationState.TRAINING,
        ("so-training",),
    )
    driver.click(TESS, "trained.so-training", 1, kind=SO_KIND)
    driver.click(ADMIN, "confirm", 1, kind=SO_KIND)
    assert leads(driver, field="security_officers") == (TESS,)

    driver.submit(KIM, so_values(KIM, note="Alternate for Tess."), kind=SO_KIND)
    alternate = designation(driver, 2)
    assert alternate.details.approvers == (TESS, LEAD), "its security officer or its lead"
    driver.click(TESS, "approve", 2, kind=SO_KIND)
    driver.click(KIM, "trained.so-training", 2, kind=SO_KIND)
    driver.click(ADMIN, "confirm", 2, kind=SO_KIND)
    assert leads(driver, field="security_officers") == (TESS, KIM)


def test_the_lead_may_be_the_security_officer_too_named_by_an_admin(driver: Driver) -> None:
    refused = driver.submit(LEAD, so_values(LEAD), kind=SO_KIND)
    assert isinstance(refused, FieldErrors)
    assert "HMIS admins name" in refused.errors["person"]
    assert driver.refusals()[-1] == (f"{SO_KIND}.file", {"person": "no_approver"})
    assert isinstance(driver.submit(ADMIN, so_values(LEAD), kind=SO_KIND), Accepted)
    driver.click(LEAD, "trained.so-training", 1, kind=SO_KIND)
    driver.click(SECOND_ADMIN, "confirm", 1, kind=SO_KIND)
    assert leads(driver) == (LEAD,)
    assert leads(driver, field="security_officers") == (LEAD,)


def test_the_duties_are_on_the_form_and_the_designated_persons_card(driver: Driver) -> None:
    form = driver.command(LEAD, "security-officer")
    assert isinstance(form, OpenForm)
    assert DUTIES in str(form.form.items)
    driver.submit(LEAD, so_values(), kind=SO_KIND)
    driver.click(TESS, "trained.so-training", 1, kind=SO_KIND)
    driver.click(ADMIN, "confirm", 1, kind=SO_KIND)
    home = driver.status(TESS)
    assert isinstance(home, Lists)
    cards = [c for x in home.lists for c in x.cards]
    assert cards[0].title == "You are now a security officer of River House Shelter"
    assert DUTIES in cards[0].text


def test_a_security_officer_gets_no_lead_powers(driver: Driver) -> None:
    driver.submit(LEAD, so_values(), kind=SO_KIND)
    driver.click(TESS, "trained.so-training", 1, kind=SO_KIND)
    driver.click(ADMIN, "confirm", 1, kind=SO_KIND)
    assert isinstance(driver.command(TESS, "new"), Notice)
