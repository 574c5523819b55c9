"""A staff member asks for their own access role to change, as plain calls on memory, SQLite
and PostgreSQL: their agency's leads and supervisors endorse or decline it, only an endorsed
request reaches the admins, and it then goes on exactly as a lead's request would."""

from __future__ import annotations

import pytest

from flows.kinds.role_change.details import RoleChangeDetails, RoleChangeState
from flows.kinds.role_change.form import NEW_ROLE, REASON
from flows.kit.people import PERSON
from flows.model import Request
from flows.outcomes import Accepted, FieldErrors, OpenForm, Outcome
from flows.ports import Ledger
from flows.ui import Notice
from tests.drive import Driver, actor
from tests.requests import ADMIN, LEAD, OTHER_LEAD, OUTSIDER, SECOND_ADMIN, SUPERVISOR, TRAINEE

ROLE = "role_change"
STAFF = "casey@riverhouse.example.org"
Values = dict[str, str | list[str] | None]
OWN: Values = {NEW_ROLE: "supervisory", REASON: "I lead the outreach team now."}


def current(driver: Driver, request_id: int = 1) -> Request[RoleChangeDetails]:
    return driver.request(request_id).typed(RoleChangeDetails)


@pytest.fixture
def staffed(driver: Driver) -> Driver:
    driver.add_account(STAFF, "Casey Case")
    return driver


def test_staff_get_the_form_about_themselves_with_nobody_to_pick(staffed: Driver) -> None:
    form = staffed.command(STAFF, "role")
    assert isinstance(form, OpenForm)
    ids = [f.id for f in form.form.fields()]
    assert PERSON not in ids
    assert ids == [NEW_ROLE, REASON]
    assert form.form.submit_label == "Ask my agency"
    assert "Rosa Lead or Sam Supervisor will be asked to endorse" in str(form.form.items[0])


def test_a_lead_endorses_and_it_goes_on_as_a_leads_request(staffed: Driver) -> None:
    outcome = staffed.submit(STAFF, OWN, kind=ROLE)
    assert isinstance(outcome, Accepted)
    assert "Rosa Lead or Sam Supervisor will be asked to endorse it" in outcome.notice.text
    request = current(staffed)
    assert request.state == RoleChangeState.AWAITING_ENDORSEMENT
    assert (request.requester_email, request.subject_email) == (STAFF, STAFF)
    assert request.details.trainings == ()
    assert "admins" not in staffed.queued(), "the admin channel sees nothing before"
    assert [r.id for r in staffed.run(lambda ledger: ledger.requests_involving(LEAD))] == [1]

    done = staffed.click(LEAD, "endorse", kind=ROLE)
    assert isinstance(done, Notice)
    assert "will get the training it needs first" in done.text
    request = current(staffed)
    assert request.state == RoleChangeState.TRAINING  # Casey has no trainings on record
    assert request.details.trainings == ("general", "privacy")
    assert request.due_at == request.details.training_due
    assert request.details.endorsement is not None
    assert request.details.endorsement.endorsed_by == LEAD
    assert "admins" in staffed.queued()
    for training in ("general", "privacy"):
        staffed.click(STAFF, f"trained.{training}", kind=ROLE)
    assert isinstance(staffed.click(STAFF, "confirm", kind=ROLE), Notice)
    staffed.click(SECOND_ADMIN, "confirm", kind=ROLE)
    assert current(staffed).state == RoleChangeState.CHANGED
    assert staffed.account(STAFF).access_role_id == "supervisory"
    assert staffed.refusals() == [("role_change.confirm", {"reason": "not_admin"})]


def test_a_supervisor_declines_with_a_reason_and_admins_never_see_it(staffed: Driver) -> None:
    staffed.submit(STAFF, OWN, kind=ROLE)
    asked = staffed.click(SUPERVISOR, "decline", kind=ROLE)
    assert isinstance(asked, OpenForm)
    staffed.give_reason(SUPERVISOR, asked.form.context, "From January, not now.")
    request = current(staffed)
    assert (request.state, request.decided_by, request.decision_reason) == (
        RoleChangeState.DECLINED,
        SUPERVISOR,
        "From January, not now.",
    )
    assert "admins" not in staffed.queued()
    assert staffed.account(STAFF).access_role_id == "dss"


@pytest.mark.parametrize("who", [STAFF, OTHER_LEAD, ADMIN, OUTSIDER, TRAINEE])
def test_only_another_lead_or_supervisor_of_the_agency_endorses(staffed: Driver, who: str) -> None:
    staffed.add_account(TRAINEE, "Jane Doe")
    staffed.submit(STAFF, OWN, kind=ROLE)
    refused = staffed.click(who, "endorse", kind=ROLE)
    assert isinstance(refused, Notice)
    assert "nobody endorses their own" in refused.text
    assert current(staffed).state == RoleChangeState.AWAITING_ENDORSEMENT
    assert staffed.refusals() == [("role_change.endorse", {"reason": "not_endorser"})]


def test_admins_cannot_deny_or_confirm_before_the_endorsement(staffed: Driver) -> None:
    staffed.submit(STAFF, OWN, kind=ROLE)
    for verb in ("deny", "confirm"):
        assert isinstance(staffed.click(ADMIN, verb, kind=ROLE), Notice)
    assert [(a, d["reason"]) for a, d in staffed.refusals()] == [
        ("role_change.deny", "wrong_state"),
        ("role_change.confirm", "wrong_state"),
    ]


@pytest.mark.parametrize(
    ("values", "problem"),
    [
        ({**OWN, NEW_ROLE: "dss"}, (NEW_ROLE, "invalid")),
        ({**OWN, NEW_ROLE: "root"}, (NEW_ROLE, "unknown_role")),
        ({**OWN, REASON: ""}, (REASON, "missing")),
        ({**OWN, REASON: "my SSN is 123-45-6789"}, (REASON, "client_data")),
    ],
)
def test_refusals_name_their_field(
    staffed: Driver, values: Values, problem: tuple[str, str]
) -> None:
    field, code = problem
    outcome = staffed.submit(STAFF, values, kind=ROLE)
    assert isinstance(outcome, FieldErrors)
    assert field in outcome.errors
    if code == "invalid":
        assert outcome.errors[field] == "You already have Direct Service Staff."
    assert staffed.refusals() == [("role_change.file", {field: code})]


def test_strangers_are_refused_and_staff_still_cannot_ask_for_new_access(
    staffed: Driver,
) -> None:
    refused = staffed.command(OUTSIDER, "role")
    assert isinstance(refused, Notice)
    assert "Ask your agency lead" in refused.text
    assert isinstance(staffed.submit(OUTSIDER, OWN, kind=ROLE), Notice)
    new_user = staffed.command(STAFF)
    assert isinstance(new_user, Notice)
    assert "Only supervisors or agency leadership can request HMIS access" in new_user.text
    assert [(a, d["reason"]) for a, d in staffed.refusals()] == [
        ("role_change.open_form", "not_authorized"),
        ("role_change.file", "not_authorized"),
        ("new_user.open_form", "not_authorized"),
    ]


def test_an_agency_without_anyone_to_endorse_is_said_at_once(staffed: Driver) -> None:
    community = staffed.community
    agencies = tuple(
        a.model_copy(update={"leads": (), "supervisors": ()}) if a.id == "river-house" else a
        for a in community.agencies
    )
    staffed.community = community.model_copy(update={"agencies": agencies})
    refused = staffed.command(STAFF, "role")
    assert isinstance(refused, Notice)
    assert "has no agency lead or supervisor in the HMIS directory" in refused.text
    assert isinstance(staffed.submit(STAFF, OWN, kind=ROLE), Notice)
    assert [(a, d["reason"]) for a, d in staffed.refusals()] == [
        ("role_change.open_form", "no_endorser"),
        ("role_change.file", "no_endorser"),
    ]


def test_one_open_role_change_and_the_staff_member_withdraws_theirs(staffed: Driver) -> None:
    staffed.submit(STAFF, OWN, kind=ROLE)
    again = staffed.submit(STAFF, OWN, kind=ROLE)
    assert isinstance(again, FieldErrors)
    assert again.errors == {NEW_ROLE: "You already have an open role change."}
    before = current(staffed)
    staffed.click(STAFF, "withdraw", kind=ROLE)
    assert current(staffed).state == RoleChangeState.WITHDRAWN

    def endorse_late(ledger: Ledger) -> Outcome:
        machine = staffed.machine(ROLE, ledger)
        return machine.kind.steps()["endorse"].run(machine, actor(LEAD), before, "", "")

    late = staffed.run(endorse_late)
    assert isinstance(late, Notice)
    assert "already moved on" in late.text
    assert [(a, d["reason"]) for a, d in staffed.refusals()] == [
        ("role_change.file", "duplicate"),
        ("role_change.endorse", "lost_race"),
    ]


def test_a_lead_still_files_for_their_staff_as_before(staffed: Driver) -> None:
    outcome = staffed.submit(LEAD, {PERSON: STAFF, **OWN}, kind=ROLE)
    assert isinstance(outcome, Accepted)
    assert current(staffed).state == RoleChangeState.TRAINING
    assert current(staffed).details.endorsement is None
