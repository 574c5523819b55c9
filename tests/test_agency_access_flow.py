"""Additional agency access and its ending as plain calls on memory, SQLite and PostgreSQL:
who may ask for whom, the home agency's objection, what an admin's confirmation records, and
every refusal with its reason in the audit log."""

from __future__ import annotations

from typing import Any

import pytest

from flows.grants import AGENCY_ACCESS, Grant
from flows.kinds.agency_access.details import AgencyAccessDetails, AgencyAccessState
from flows.kinds.end_agency_access.details import EndAccessState
from flows.kit.filing import AGENCY
from flows.model import Request
from flows.outcomes import Accepted, FieldErrors, Lists, OpenForm
from flows.ports import Ledger
from flows.ui import Notice
from tests.drive import Driver, actor
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

ACCESS, END = "agency_access", "end_agency_access"
YOLO = "yolo-food-bank"
YOLO_STAFF = "yan@yolofoodbank.example.org"
DELTA_STAFF = "dee@delta.example.org"
Values = dict[str, str | list[str] | None]


def asking(**overrides: str | None) -> Values:
    """Yolo Food Bank's lead asks for River House's Jane to see Yolo's clients."""
    values: Values = {"person_email": TRAINEE, "why": "Runs our shared pantry program."}
    values.update(overrides)
    return values


def ending(**overrides: str | None) -> Values:
    values: Values = {"person_email": TRAINEE, AGENCY: YOLO, "why": "The pantry program ended."}
    values.update(overrides)
    return values


def current(driver: Driver, request_id: int = 1) -> Request[AgencyAccessDetails]:
    return driver.request(request_id).typed(AgencyAccessDetails)


def grants(driver: Driver, email: str = TRAINEE) -> list[Grant]:
    return driver.run(lambda ledger: ledger.grants_of(email))  # type: ignore[no-any-return]


def grant_access(driver: Driver, email: str = TRAINEE) -> None:
    driver.run(lambda ledger: ledger.add_grant(email, AGENCY_ACCESS, YOLO, None))


def reason(driver: Driver, who: str, verb: str, text: str, kind: str) -> Any:
    asked = driver.click(who, verb, kind=kind)
    assert isinstance(asked, OpenForm), asked
    return driver.give_reason(who, asked.form.context, text)


@pytest.fixture
def staffed(driver: Driver) -> Driver:
    driver.add_account(TRAINEE, "Jane Doe")
    driver.add_account(YOLO_STAFF, "Yan Pantry", agency_id=YOLO)
    driver.add_account(DELTA_STAFF, "Dee Delta", agency_id="delta-outreach")
    return driver


# Additional agency access ------------------------------------------------------------------


def test_the_other_agency_asks_the_home_lead_objects_and_an_admin_adds_it(
    staffed: Driver,
) -> None:
    form = staffed.command(OTHER_LEAD, "agency-access")
    assert isinstance(form, OpenForm)
    assert [f.id for f in form.form.fields()] == ["person_email", "why"]
    filed = staffed.submit(OTHER_LEAD, asking(), kind=ACCESS)
    assert isinstance(filed, Accepted)
    assert "Their agency's leads are told and may object" in filed.notice.text
    request = current(staffed)
    assert (request.state, request.agency_id) == (AgencyAccessState.AWAITING_ADMIN, YOLO)
    assert request.details.home_agency_id == "river-house"
    audiences = staffed.queued()
    assert audiences[:2] == ["admins", "requester"]
    assert [a for a in audiences if a.startswith("lead.")], "the home agency's lead by DM"

    objected = reason(staffed, LEAD, "object", "Jane moved to our shelter team.", ACCESS)
    assert isinstance(objected, Notice)
    assert "objection" in objected.text
    [objection] = current(staffed).details.objections
    assert (objection.by, objection.reason) == (LEAD, "Jane moved to our shelter team.")
    assert current(staffed).state == AgencyAccessState.AWAITING_ADMIN, "admins still decide"

    confirmed = staffed.click(ADMIN, "confirm", kind=ACCESS)
    assert isinstance(confirmed, Notice)
    assert "can see Yolo Food Bank's clients" in confirmed.text
    assert current(staffed).state == AgencyAccessState.ADDED
    [grant] = grants(staffed)
    assert (grant.kind, grant.value, grant.request_id) == (AGENCY_ACCESS, YOLO, 1)
    home = staffed.status(TRAINEE)
    assert isinstance(home, Lists)
    access = home.lists[-1]
    assert access.title == "Your HMIS access beyond your role"
    assert [c.title for c in access.cards] == ["Access to Yolo Food Bank's clients"]
    assert staffed.refusals() == []


@pytest.mark.parametrize(
    ("who", "values", "field", "code"),
    [
        (LEAD, asking(), "person_email", "own_agency"),
        (OTHER_LEAD, asking(person_email=DELTA_STAFF), "person_email", "agency_not_participating"),
        (OTHER_LEAD, asking(person_email=OTHER_LEAD), "person_email", "self_request"),
        (OTHER_LEAD, asking(person_email="nobody@riverhouse.example.org"), "person_email",
         "unknown_person"),
        (OTHER_LEAD, asking(person_email="jane@gmail.com"), "person_email", "free_mail"),
        (OTHER_LEAD, asking(agency="river-house"), AGENCY, "not_authorized"),
        (APPLYING_LEAD, asking(), AGENCY, "agency_not_participating"),
        (OTHER_LEAD, asking(why=""), "why", "missing"),
        (OTHER_LEAD, asking(why="Client SSN 123-45-6789 shared"), "why", "client_data"),
    ],
)  # fmt: skip
def test_refusals_name_their_field_and_are_audited(
    staffed: Driver, who: str, values: Values, field: str, code: str
) -> None:
    outcome = staffed.submit(who, values, kind=ACCESS)
    assert isinstance(outcome, FieldErrors)
    assert field in outcome.errors, outcome.errors
    [(action, details)] = staffed.refusals()
    assert (action, details[field]) == ("agency_access.file", code)
    assert staffed.queued() == []


def test_access_already_held_or_already_asked_for_is_refused(staffed: Driver) -> None:
    grant_access(staffed)
    held = staffed.submit(OTHER_LEAD, asking(), kind=ACCESS)
    assert isinstance(held, FieldErrors)
    assert "already has access to Yolo Food Bank's clients" in held.errors["person_email"]
    first = staffed.submit(LEAD, asking(person_email=YOLO_STAFF), kind=ACCESS)
    again = staffed.submit(LEAD, asking(person_email=YOLO_STAFF), kind=ACCESS)
    assert isinstance(first, Accepted)
    assert isinstance(again, FieldErrors)
    assert "already has an open request" in again.errors["person_email"]
    codes = [d.get("person_email") or d.get("reason") for _, d in staffed.refusals()]
    assert codes == ["already_granted", "duplicate"]


@pytest.mark.parametrize("who", [OUTSIDER, ADMIN])
def test_strangers_and_admins_are_told_at_the_command(staffed: Driver, who: str) -> None:
    """Staff get a form of their own (tests/test_agency_access_endorsement.py)."""
    outcome = staffed.command(who, "agency-access")
    assert isinstance(outcome, Notice)
    assert "Only leads and supervisors of the agency whose clients" in outcome.text
    assert staffed.refusals() == [("agency_access.open_form", {"reason": "not_authorized"})]


def test_a_lead_of_an_agency_not_yet_participating_is_told_why(staffed: Driver) -> None:
    outcome = staffed.command(APPLYING_LEAD, "agency-access")
    assert isinstance(outcome, Notice)
    assert "not an approved HMIS participating agency" in outcome.text


@pytest.mark.parametrize(
    ("who", "verb", "code"),
    [
        (LEAD, "confirm", "not_admin"),
        (OTHER_LEAD, "confirm", "not_admin"),
        (TRAINEE, "confirm", "not_admin"),
        (OTHER_LEAD, "object", "not_home_lead"),
        (SUPERVISOR, "object", "not_home_lead"),
        (TRAINEE, "object", "not_home_lead"),
        (LEAD, "withdraw", "not_requester"),
    ],
)
def test_each_button_is_for_its_own_party(staffed: Driver, who: str, verb: str, code: str) -> None:
    staffed.submit(OTHER_LEAD, asking(), kind=ACCESS)
    before = current(staffed)
    assert isinstance(staffed.click(who, verb, kind=ACCESS), Notice)
    assert current(staffed) == before
    assert staffed.refusals()[-1] == (f"agency_access.{verb}", {"reason": code})


def test_a_lead_objects_once(staffed: Driver) -> None:
    staffed.submit(OTHER_LEAD, asking(), kind=ACCESS)
    reason(staffed, LEAD, "object", "Not needed.", ACCESS)
    again = reason(staffed, LEAD, "object", "Still not needed.", ACCESS)
    assert isinstance(again, Notice)
    assert "objected to this request already" in again.text
    assert len(current(staffed).details.objections) == 1
    assert staffed.refusals()[-1] == ("agency_access.object", {"reason": "already_objected"})


def test_a_denial_says_why_and_a_stale_click_changes_nothing(staffed: Driver) -> None:
    staffed.submit(OTHER_LEAD, asking(), kind=ACCESS)
    seen = current(staffed).version
    reason(staffed, ADMIN, "deny", "The program has not started.", ACCESS)
    request = current(staffed)
    assert (request.state, request.decision_reason) == (
        AgencyAccessState.DENIED,
        "The program has not started.",
    )
    stale = staffed.click(SECOND_ADMIN, "confirm", version=seen, kind=ACCESS)
    assert isinstance(stale, Notice)
    assert "already moved on: denied" in stale.text
    assert current(staffed).state == AgencyAccessState.DENIED
    assert grants(staffed) == []
    assert staffed.refusals()[-1] == ("agency_access.confirm", {"reason": "stale"})


def test_a_lost_race_says_what_happened_and_adds_nothing(staffed: Driver) -> None:
    staffed.submit(OTHER_LEAD, asking(), kind=ACCESS)
    seen = current(staffed)
    staffed.click(OTHER_LEAD, "withdraw", kind=ACCESS)
    kind = staffed.registry.kind(ACCESS)
    assert kind is not None
    confirm = kind.steps()["confirm"].run

    def late(ledger: Ledger) -> Any:
        return confirm(staffed.machine(ACCESS, ledger), actor(ADMIN), seen, "", "")

    outcome = staffed.run(late)
    assert isinstance(outcome, Notice)
    assert "already moved on: withdrawn" in outcome.text
    assert grants(staffed) == []
    assert staffed.refusals()[-1] == ("agency_access.confirm", {"reason": "lost_race"})


def test_deactivating_the_person_withdraws_an_open_request(staffed: Driver) -> None:
    staffed.submit(OTHER_LEAD, asking(), kind=ACCESS)
    staffed.submit(LEAD, {"person": TRAINEE, "reason": "left_agency"}, kind="deactivation")
    staffed.click(ADMIN, "confirm", 2, kind="deactivation")
    assert current(staffed).state == AgencyAccessState.WITHDRAWN


# Ending it ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", [LEAD, SUPERVISOR, OTHER_LEAD, ADMIN])
def test_either_agency_or_an_admin_ends_it_and_an_admin_removes_it(
    staffed: Driver, who: str
) -> None:
    grant_access(staffed)
    assert isinstance(staffed.command(who, "end-agency-access"), OpenForm)
    filed = staffed.submit(who, ending(), kind=END)
    assert isinstance(filed, Accepted)
    assert "HMIS admins remove it within 48 hours" in filed.notice.text
    confirmer = SECOND_ADMIN if who == ADMIN else ADMIN
    removed = staffed.click(confirmer, "confirm", kind=END)
    assert isinstance(removed, Notice)
    assert "no longer sees Yolo Food Bank's clients" in removed.text
    assert staffed.request(1).state == EndAccessState.REMOVED
    assert grants(staffed) == []
    home = staffed.status(TRAINEE)
    assert isinstance(home, Lists)
    assert [lst.title for lst in home.lists] == ["Your HMIS requests"]
    assert staffed.refusals() == []


@pytest.mark.parametrize(
    ("who", "values", "field", "code"),
    [
        (APPLYING_LEAD, ending(), "person_email", "not_authorized"),
        (LEAD, ending(agency="delta-outreach"), AGENCY, "no_grant"),
        (LEAD, ending(person_email=LEAD), "person_email", "self_request"),
        (LEAD, ending(person_email="nobody@riverhouse.example.org"), "person_email",
         "unknown_person"),
        (LEAD, ending(agency=None), AGENCY, "missing"),
        (LEAD, ending(why="born 04/02/1971"), "why", "client_data"),
    ],
)  # fmt: skip
def test_ending_refusals_name_their_field(
    staffed: Driver, who: str, values: Values, field: str, code: str
) -> None:
    grant_access(staffed)
    outcome = staffed.submit(who, values, kind=END)
    assert isinstance(outcome, FieldErrors)
    assert field in outcome.errors, outcome.errors
    [(action, details)] = staffed.refusals()
    assert (action, details[field]) == ("end_agency_access.file", code)


@pytest.mark.parametrize("who", [TRAINEE, OUTSIDER])
def test_staff_cannot_end_access(staffed: Driver, who: str) -> None:
    outcome = staffed.command(who, "end-agency-access")
    assert isinstance(outcome, Notice)
    assert "Only agency leads, supervisors and HMIS admins" in outcome.text


def test_only_admins_remove_it_and_a_stale_click_changes_nothing(staffed: Driver) -> None:
    grant_access(staffed)
    staffed.submit(LEAD, ending(), kind=END)
    seen = staffed.request(1).version
    refused = staffed.click(LEAD, "confirm", kind=END)
    assert isinstance(refused, Notice)
    assert "Only HMIS admins" in refused.text
    assert staffed.click(OTHER_LEAD, "withdraw", kind=END) == Notice(
        "Only the person who filed the request can withdraw it."
    )
    staffed.click(LEAD, "withdraw", kind=END)
    stale = staffed.click(ADMIN, "confirm", version=seen, kind=END)
    assert isinstance(stale, Notice)
    assert "already moved on: withdrawn" in stale.text
    assert len(grants(staffed)) == 1, "withdrawn: the access stays"
    assert [d["reason"] for _, d in staffed.refusals()] == ["not_admin", "not_requester", "stale"]
    again = staffed.submit(LEAD, ending(), kind=END)
    assert isinstance(again, Accepted), "a withdrawn request frees the person for another"
