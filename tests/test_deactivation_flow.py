"""Deactivation as plain calls on memory, SQLite and PostgreSQL: who may file it for whom,
when it takes effect, and what an admin's confirmation closes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from flows.accounts import AccountStatus
from flows.kinds.deactivation.details import DeactivationDetails, DeactivationState
from flows.kinds.deactivation.form import LAST_DAY, REASON, REASON_TEXT
from flows.kit.people import AGENCY, PERSON, PERSON_EMAIL, PERSON_NAME
from flows.model import Request
from flows.outcomes import Accepted, FieldErrors, OpenForm
from flows.ui import Notice
from tests.drive import Driver
from tests.requests import ADMIN, LEAD, OUTSIDER, SECOND_ADMIN, SUPERVISOR, TRAINEE

OTHER_LEAD = "lead@yolofoodbank.example.org"
LEAVER = "leaver@riverhouse.example.org"
Values = dict[str, str | list[str] | None]


def leaving(**overrides: str | list[str] | None) -> Values:
    values: Values = {PERSON: LEAVER, REASON: "left_agency", REASON_TEXT: "", LAST_DAY: None}
    values.update(overrides)
    return values


def current(driver: Driver, request_id: int = 1) -> Request[DeactivationDetails]:
    return driver.request(request_id).typed(DeactivationDetails)


@pytest.fixture
def staffed(driver: Driver) -> Driver:
    driver.add_account(LEAVER, "Lee Leaver")
    driver.add_account(TRAINEE, "Jane Doe")
    return driver


def test_a_lead_files_and_an_admin_confirms(staffed: Driver) -> None:
    form = staffed.command(LEAD, "deactivate")
    assert isinstance(form, OpenForm)
    [person] = [f for f in form.form.fields() if f.id == PERSON]
    assert [o.value for o in person.options] == [TRAINEE, LEAVER]  # by name: Jane, Lee
    outcome = staffed.submit(LEAD, leaving(), kind="deactivation")
    assert isinstance(outcome, Accepted)
    assert "within 48 hours" in outcome.notice.text
    request = current(staffed)
    assert (request.state, request.subject_name) == (DeactivationState.AWAITING_ADMIN, "Lee Leaver")
    audiences = staffed.queued()
    assert "requester" in audiences
    assert "admins" not in audiences, "a deactivation never goes to a channel"
    assert sum(a.startswith("admin.") for a in audiences) == 2

    confirmed = staffed.click(ADMIN, "confirm", kind="deactivation")
    assert isinstance(confirmed, Notice)
    assert "deactivated" in confirmed.text
    assert current(staffed).state == DeactivationState.DEACTIVATED
    assert current(staffed).decided_by == ADMIN
    assert staffed.account(LEAVER).status is AccountStatus.DEACTIVATED
    assert staffed.account(TRAINEE).status is AccountStatus.ACTIVE
    assert staffed.refusals() == []


@pytest.mark.parametrize(
    ("who", "values", "field", "code"),
    [
        (OTHER_LEAD, leaving(), PERSON, "not_authorized"),
        (
            SUPERVISOR,
            leaving(**{PERSON: None, PERSON_EMAIL: SUPERVISOR}),
            PERSON_EMAIL,
            "self_request",
        ),
        (LEAD, leaving(**{PERSON: None}), PERSON, "missing"),
        (LEAD, leaving(**{PERSON_EMAIL: "x@riverhouse.example.org"}), PERSON_EMAIL, "invalid"),
        (LEAD, leaving(**{REASON: "other"}), REASON_TEXT, "missing"),
        (LEAD, leaving(**{REASON_TEXT: "client DOB 04/02/1971"}), REASON_TEXT, "client_data"),
        (LEAD, leaving(**{LAST_DAY: "2026-11-01"}), LAST_DAY, "invalid"),
        (
            LEAD,
            leaving(**{PERSON: None, PERSON_EMAIL: "someone@gmail.com"}),
            PERSON_EMAIL,
            "free_mail",
        ),
    ],
)
def test_refusals_name_their_field_and_are_audited(
    staffed: Driver, who: str, values: Values, field: str, code: str
) -> None:
    outcome = staffed.submit(who, values, kind="deactivation")
    assert isinstance(outcome, FieldErrors)
    assert field in outcome.errors, outcome.errors
    [(action, details)] = staffed.refusals()
    assert (action, details[field]) == ("deactivation.file", code)
    assert staffed.queued() == []


@pytest.mark.parametrize("who", [TRAINEE, OUTSIDER])
def test_staff_and_strangers_are_told_at_the_command(staffed: Driver, who: str) -> None:
    outcome = staffed.command(who, "deactivate")
    assert isinstance(outcome, Notice)
    assert "Only agency leads, supervisors and HMIS admins" in outcome.text
    assert staffed.refusals() == [("deactivation.open_form", {"reason": "not_authorized"})]


@pytest.mark.parametrize(
    ("who", "verb", "code"),
    [
        (LEAD, "confirm", "not_admin"),
        (TRAINEE, "confirm", "not_admin"),
        (SUPERVISOR, "withdraw", "not_requester"),
    ],
)
def test_only_admins_confirm_and_only_the_filer_withdraws(
    staffed: Driver, who: str, verb: str, code: str
) -> None:
    staffed.submit(LEAD, leaving(), kind="deactivation")
    before = current(staffed)
    assert isinstance(staffed.click(who, verb, kind="deactivation"), Notice)
    assert current(staffed) == before
    assert staffed.refusals()[-1][1] == {"reason": code}


def test_an_admin_who_filed_does_not_confirm_it(staffed: Driver) -> None:
    staffed.submit(ADMIN, leaving(), kind="deactivation")
    refused = staffed.click(ADMIN, "confirm", kind="deactivation")
    assert isinstance(refused, Notice)
    assert "another HMIS admin" in refused.text
    staffed.click(SECOND_ADMIN, "confirm", kind="deactivation")
    assert current(staffed).state == DeactivationState.DEACTIVATED


def test_a_stale_click_changes_nothing(staffed: Driver) -> None:
    staffed.submit(LEAD, leaving(), kind="deactivation")
    seen = current(staffed).version
    staffed.click(ADMIN, "confirm", version=seen, kind="deactivation")
    stale = staffed.click(SECOND_ADMIN, "confirm", version=seen, kind="deactivation")
    assert isinstance(stale, Notice)
    assert "already moved on" in stale.text
    assert current(staffed).decided_by == ADMIN


def test_a_later_last_day_is_scheduled_for_its_end(staffed: Driver) -> None:
    outcome = staffed.submit(LEAD, leaving(**{LAST_DAY: "2026-11-20"}), kind="deactivation")
    assert isinstance(outcome, Accepted)
    assert "from the end of Fri Nov 20, 2026" in outcome.notice.text
    request = current(staffed)
    assert request.state == DeactivationState.SCHEDULED
    assert request.due_at == datetime(2026, 11, 21, 1, 0, tzinfo=UTC)  # 17:00 PST
    assert isinstance(staffed.click(ADMIN, "confirm", kind="deactivation"), Notice)
    assert staffed.refusals()[-1][1] == {"reason": "wrong_state"}
    staffed.click(LEAD, "withdraw", kind="deactivation")
    assert current(staffed).state == DeactivationState.WITHDRAWN


def test_someone_the_bot_does_not_know_by_their_work_email(staffed: Driver) -> None:
    values = leaving(
        **{PERSON: None, PERSON_EMAIL: "old.hand@riverhouse.example.org", PERSON_NAME: "Old Hand"}
    )
    assert isinstance(staffed.submit(LEAD, values, kind="deactivation"), Accepted)
    request = current(staffed)
    assert (request.subject_name, request.agency_id) == ("Old Hand", "river-house")
    staffed.click(ADMIN, "confirm", kind="deactivation")
    assert current(staffed).state == DeactivationState.DEACTIVATED


def test_an_admin_names_the_agency_of_someone_unknown(staffed: Driver) -> None:
    values = leaving(**{PERSON: None, PERSON_EMAIL: "new@yolofoodbank.example.org"})
    outcome = staffed.submit(ADMIN, values, kind="deactivation")
    assert isinstance(outcome, FieldErrors)
    assert AGENCY in outcome.errors
    staffed.submit(ADMIN, values | {AGENCY: "yolo-food-bank"}, kind="deactivation")
    assert current(staffed).agency_id == "yolo-food-bank"


def test_one_open_deactivation_per_person(staffed: Driver) -> None:
    staffed.submit(LEAD, leaving(), kind="deactivation")
    again = staffed.submit(ADMIN, leaving(), kind="deactivation")
    assert isinstance(again, FieldErrors)
    assert "already has an open deactivation" in again.errors[PERSON]
