"""A staff member asks to see another agency's clients themselves, as plain calls on memory,
SQLite and PostgreSQL: a lead or supervisor of their OWN agency endorses or declines it, only an
endorsed request reaches the admins, and it then goes on as the other agency's lead's would."""

from __future__ import annotations

import pytest

from flows.grants import AGENCY_ACCESS
from flows.kinds.agency_access.details import AgencyAccessDetails, AgencyAccessState
from flows.kit.filing import AGENCY
from flows.model import Request
from flows.outcomes import Accepted, FieldErrors, OpenForm, Outcome
from flows.ports import Ledger
from flows.ui import Notice
from tests.drive import Driver, actor
from tests.requests import ADMIN, LEAD, OTHER_LEAD, OUTSIDER, SECOND_ADMIN, SUPERVISOR, TRAINEE

ACCESS = "agency_access"
YOLO = "yolo-food-bank"
Values = dict[str, str | list[str] | None]
OWN: Values = {AGENCY: YOLO, "why": "I run the pantry program we share with Yolo."}


def current(driver: Driver, request_id: int = 1) -> Request[AgencyAccessDetails]:
    return driver.request(request_id).typed(AgencyAccessDetails)


@pytest.fixture
def staffed(driver: Driver) -> Driver:
    """Jane Doe works for River House (led by Rosa Lead, supervised by Sam Supervisor)."""
    driver.add_account(TRAINEE, "Jane Doe")
    return driver


def test_staff_get_a_form_naming_the_other_agencies_and_their_endorsers(
    staffed: Driver,
) -> None:
    form = staffed.command(TRAINEE, "agency-access")
    assert isinstance(form, OpenForm)
    fields = list(form.form.fields())
    assert [f.id for f in fields] == [AGENCY, "why"]
    assert [o.value for o in fields[0].options] == [YOLO], "approved agencies but their own"
    assert form.form.submit_label == "Ask my agency"
    assert "Rosa Lead or Sam Supervisor will be asked to endorse" in str(form.form.items[0])


def test_their_own_lead_endorses_and_it_goes_on_to_the_admins(staffed: Driver) -> None:
    filed = staffed.submit(TRAINEE, OWN, kind=ACCESS)
    assert isinstance(filed, Accepted)
    assert "Rosa Lead or Sam Supervisor will be asked to endorse it" in filed.notice.text
    request = current(staffed)
    assert (request.state, request.agency_id) == (AgencyAccessState.AWAITING_ENDORSEMENT, YOLO)
    assert (request.requester_email, request.subject_email) == (TRAINEE, TRAINEE)
    assert request.details.home_agency_id == "river-house"
    assert "admins" not in staffed.queued(), "the admin channel sees nothing before"
    assert [r.id for r in staffed.run(lambda ledger: ledger.requests_involving(LEAD))] == [1]

    done = staffed.click(LEAD, "endorse", kind=ACCESS)
    assert isinstance(done, Notice)
    assert "HMIS admins decide within" in done.text
    request = current(staffed)
    assert request.state == AgencyAccessState.AWAITING_ADMIN
    assert request.details.endorsement is not None
    assert (request.details.endorsement.endorsed_by, request.details.endorsement.agency_id) == (
        LEAD,
        "river-house",
    )
    assert "admins" in staffed.queued()

    objected = staffed.click(LEAD, "object", kind=ACCESS)
    assert isinstance(objected, Notice), "their agency had its say by endorsing"
    assert isinstance(staffed.click(TRAINEE, "confirm", kind=ACCESS), Notice)
    assert isinstance(staffed.click(ADMIN, "confirm", kind=ACCESS), Notice)
    assert current(staffed).state == AgencyAccessState.ADDED
    [grant] = staffed.run(lambda ledger: ledger.grants_of(TRAINEE))
    assert (grant.kind, grant.value) == (AGENCY_ACCESS, YOLO)
    assert [(a, d["reason"]) for a, d in staffed.refusals()] == [
        ("agency_access.object", "not_home_lead"),
        ("agency_access.confirm", "not_admin"),
    ]


def test_a_supervisor_declines_with_a_reason_and_admins_never_see_it(staffed: Driver) -> None:
    staffed.submit(TRAINEE, OWN, kind=ACCESS)
    asked = staffed.click(SUPERVISOR, "decline", kind=ACCESS)
    assert isinstance(asked, OpenForm)
    staffed.give_reason(SUPERVISOR, asked.form.context, "The pantry program ends this month.")
    request = current(staffed)
    assert (request.state, request.decided_by, request.decision_reason) == (
        AgencyAccessState.DECLINED,
        SUPERVISOR,
        "The pantry program ends this month.",
    )
    assert "admins" not in staffed.queued()
    assert staffed.run(lambda ledger: ledger.grants_of(TRAINEE)) == []


@pytest.mark.parametrize("who", [TRAINEE, OTHER_LEAD, ADMIN, SECOND_ADMIN, OUTSIDER])
def test_only_a_lead_or_supervisor_of_their_own_agency_endorses(staffed: Driver, who: str) -> None:
    """Not the person, not the agency whose clients they would see, not an admin."""
    staffed.submit(TRAINEE, OWN, kind=ACCESS)
    refused = staffed.click(who, "endorse", kind=ACCESS)
    assert isinstance(refused, Notice)
    assert "nobody endorses their own" in refused.text
    assert current(staffed).state == AgencyAccessState.AWAITING_ENDORSEMENT
    assert staffed.refusals() == [("agency_access.endorse", {"reason": "not_endorser"})]


def test_admins_cannot_deny_or_confirm_before_the_endorsement(staffed: Driver) -> None:
    staffed.submit(TRAINEE, OWN, kind=ACCESS)
    for verb in ("deny", "confirm"):
        assert isinstance(staffed.click(ADMIN, verb, kind=ACCESS), Notice)
    assert [(a, d["reason"]) for a, d in staffed.refusals()] == [
        ("agency_access.deny", "wrong_state"),
        ("agency_access.confirm", "wrong_state"),
    ]


@pytest.mark.parametrize(
    ("values", "problem"),
    [
        ({**OWN, AGENCY: "river-house"}, (AGENCY, "not_authorized")),
        ({**OWN, AGENCY: "delta-outreach"}, (AGENCY, "not_authorized")),
        ({**OWN, AGENCY: ""}, (AGENCY, "missing")),
        ({**OWN, "why": ""}, ("why", "missing")),
        ({**OWN, "why": "client SSN 123-45-6789"}, ("why", "client_data")),
    ],
)
def test_refusals_name_their_field(
    staffed: Driver, values: Values, problem: tuple[str, str]
) -> None:
    field, code = problem
    outcome = staffed.submit(TRAINEE, values, kind=ACCESS)
    assert isinstance(outcome, FieldErrors)
    assert field in outcome.errors
    assert staffed.refusals() == [("agency_access.file", {field: code})]


def test_access_held_already_is_refused(staffed: Driver) -> None:
    staffed.run(lambda ledger: ledger.add_grant(TRAINEE, AGENCY_ACCESS, YOLO, None))
    outcome = staffed.submit(TRAINEE, OWN, kind=ACCESS)
    assert isinstance(outcome, FieldErrors)
    assert outcome.errors == {AGENCY: "You already have access to Yolo Food Bank's clients."}


def test_strangers_are_refused_and_staff_still_cannot_ask_for_new_access(
    staffed: Driver,
) -> None:
    refused = staffed.command(OUTSIDER, "agency-access")
    assert isinstance(refused, Notice)
    assert "Ask that agency's lead" in refused.text
    assert isinstance(staffed.submit(OUTSIDER, OWN, kind=ACCESS), Notice)
    new_user = staffed.command(TRAINEE)
    assert isinstance(new_user, Notice)
    assert "Only supervisors or agency leadership can request HMIS access" in new_user.text
    assert [(a, d["reason"]) for a, d in staffed.refusals()] == [
        ("agency_access.open_form", "not_authorized"),
        ("agency_access.file", "not_authorized"),
        ("new_user.open_form", "not_authorized"),
    ]


def test_staff_of_an_agency_not_participating_are_refused(staffed: Driver) -> None:
    staffed.add_account("dee@delta.example.org", "Dee Delta", agency_id="delta-outreach")
    refused = staffed.command("dee@delta.example.org", "agency-access")
    assert isinstance(refused, Notice)
    assert "not an approved HMIS participating agency" in refused.text
    assert staffed.refusals() == [
        ("agency_access.open_form", {"reason": "agency_not_participating"})
    ]


def test_an_agency_without_anyone_to_endorse_is_said_at_once(staffed: Driver) -> None:
    community = staffed.community
    agencies = tuple(
        a.model_copy(update={"leads": (), "supervisors": ()}) if a.id == "river-house" else a
        for a in community.agencies
    )
    staffed.community = community.model_copy(update={"agencies": agencies})
    refused = staffed.command(TRAINEE, "agency-access")
    assert isinstance(refused, Notice)
    assert "River House Shelter has no agency lead or supervisor" in refused.text
    assert isinstance(staffed.submit(TRAINEE, OWN, kind=ACCESS), Notice)
    assert [(a, d["reason"]) for a, d in staffed.refusals()] == [
        ("agency_access.open_form", "no_endorser"),
        ("agency_access.file", "no_endorser"),
    ]


def test_one_open_request_and_the_staff_member_withdraws_theirs(staffed: Driver) -> None:
    staffed.submit(TRAINEE, OWN, kind=ACCESS)
    again = staffed.submit(TRAINEE, OWN, kind=ACCESS)
    assert isinstance(again, FieldErrors)
    assert again.errors == {AGENCY: "You already have an open request to see these clients."}
    before = current(staffed)
    staffed.click(TRAINEE, "withdraw", kind=ACCESS)
    assert current(staffed).state == AgencyAccessState.WITHDRAWN

    def endorse_late(ledger: Ledger) -> Outcome:
        machine = staffed.machine(ACCESS, ledger)
        return machine.kind.steps()["endorse"].run(machine, actor(LEAD), before, "", "")

    late = staffed.run(endorse_late)
    assert isinstance(late, Notice)
    assert "already moved on" in late.text
    assert [(a, d["reason"]) for a, d in staffed.refusals()] == [
        ("agency_access.file", "duplicate"),
        ("agency_access.endorse", "lost_race"),
    ]


def test_the_other_agencys_lead_still_files_as_before(staffed: Driver) -> None:
    outcome = staffed.submit(OTHER_LEAD, {"person_email": TRAINEE, "why": "Pantry."}, kind=ACCESS)
    assert isinstance(outcome, Accepted)
    assert current(staffed).state == AgencyAccessState.AWAITING_ADMIN
    assert current(staffed).details.endorsement is None
