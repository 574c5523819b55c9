"""Access-role changes as plain calls on memory, SQLite and PostgreSQL: trainings only where the
person lacks them, an interim role meanwhile, and an admin's confirmation."""

from __future__ import annotations

from datetime import timedelta

import pytest

from flows.accounts import AccountStatus
from flows.community import AccessRole, Community, Training
from flows.kinds.deactivation.form import REASON as DEACTIVATION_REASON
from flows.kinds.role_change.details import RoleChangeDetails, RoleChangeState
from flows.kinds.role_change.form import NEW_ROLE, REASON
from flows.kit.people import PERSON, PERSON_EMAIL
from flows.model import Request
from flows.outcomes import Accepted, FieldErrors, OpenForm
from flows.ui import Notice
from tests.conftest import Clock
from tests.drive import Driver
from tests.requests import ADMIN, LEAD, OUTSIDER, SECOND_ADMIN, SUPERVISOR, TRAINEE, request_values

OTHER_LEAD = "lead@yolofoodbank.example.org"
ROLE = "role_change"
Values = dict[str, str | list[str] | None]


def to_supervisory(**overrides: str | list[str] | None) -> Values:
    values: Values = {PERSON: TRAINEE, NEW_ROLE: "supervisory", REASON: "Now leads the team."}
    values.update(overrides)
    return values


def current(driver: Driver, request_id: int) -> Request[RoleChangeDetails]:
    return driver.request(request_id).typed(RoleChangeDetails)


def trained_user(driver: Driver) -> int:
    """Jane through the whole New User Access Request: her trainings are on record."""
    driver.submit(LEAD, request_values())
    for who, verb in (
        (SUPERVISOR, "verify"),
        (TRAINEE, "trained.general"),
        (TRAINEE, "trained.privacy"),
        (ADMIN, "approve"),
        (SECOND_ADMIN, "account_created"),
        (TRAINEE, "logged_in"),
    ):
        driver.click(who, verb)
    return 2  # the role change that follows


def with_role(community: Community, **changes: object) -> Community:
    roles = tuple(
        AccessRole.model_validate(r.model_dump(by_alias=True) | changes)
        if r.id == "supervisory"
        else r
        for r in community.access_roles
    )
    return community.model_copy(update={"access_roles": roles})


def test_trainings_already_done_are_not_asked_again(driver: Driver) -> None:
    request_id = trained_user(driver)
    form = driver.command(LEAD, "role")
    assert isinstance(form, OpenForm)
    outcome = driver.submit(LEAD, to_supervisory(), kind=ROLE)
    assert isinstance(outcome, Accepted)
    assert "within 1 business day" in outcome.notice.text
    request = current(driver, request_id)
    assert request.state == RoleChangeState.AWAITING_ADMIN
    assert (request.details.from_role_id, request.details.trainings) == ("dss", ())
    driver.click(ADMIN, "confirm", request_id, kind=ROLE)
    assert current(driver, request_id).state == RoleChangeState.CHANGED
    assert driver.account(TRAINEE).access_role_id == "supervisory"


def test_a_missing_training_comes_first_with_the_interim_role(driver: Driver) -> None:
    request_id = trained_user(driver)
    analysis = Training(id="analysis", name="Data Analysis Training", url="https://t.example/da")
    community = with_role(
        driver.community, trainings=("general", "privacy", "analysis"), interim_role="dss"
    )
    driver.community = community.model_copy(update={"trainings": (*community.trainings, analysis)})
    outcome = driver.submit(LEAD, to_supervisory(), kind=ROLE)
    assert isinstance(outcome, Accepted)
    assert "Data Analysis Training" in outcome.notice.text
    request = current(driver, request_id)
    assert request.state == RoleChangeState.TRAINING
    assert request.details.trainings == ("analysis",)
    assert request.details.needs_interim

    driver.click(ADMIN, "interim_set", request_id, kind=ROLE)
    assert current(driver, request_id).details.interim_set_by == ADMIN
    assert current(driver, request_id).state == RoleChangeState.TRAINING
    refused = driver.click(LEAD, "trained.analysis", request_id, kind=ROLE)
    assert isinstance(refused, Notice)
    driver.click(TRAINEE, "trained.analysis", request_id, kind=ROLE)
    assert current(driver, request_id).state == RoleChangeState.AWAITING_ADMIN
    driver.click(SECOND_ADMIN, "confirm", request_id, kind=ROLE)
    assert driver.account(TRAINEE).access_role_id == "supervisory"
    assert [c for c, _ in driver.refusals()] == ["role_change.trained"]


def test_a_training_past_its_validity_is_asked_again(driver: Driver, clock: Clock) -> None:
    request_id = trained_user(driver)
    clock.advance(days=400)  # privacy is valid for 365 days
    driver.submit(LEAD, to_supervisory(), kind=ROLE)
    request = current(driver, request_id)
    assert (request.state, request.details.trainings) == (RoleChangeState.TRAINING, ("privacy",))
    assert request.due_at is not None
    assert request.due_at - clock.now < timedelta(days=15)


@pytest.mark.parametrize(
    ("who", "values", "field", "code"),
    [
        (OTHER_LEAD, to_supervisory(), PERSON, "not_authorized"),
        (LEAD, to_supervisory(**{NEW_ROLE: "dss"}), NEW_ROLE, "invalid"),
        (LEAD, to_supervisory(**{NEW_ROLE: "superuser"}), NEW_ROLE, "unknown_role"),
        (LEAD, to_supervisory(**{REASON: ""}), REASON, "missing"),
        (LEAD, to_supervisory(**{REASON: "SSN 123-45-6789"}), REASON, "client_data"),
        (LEAD, to_supervisory(**{PERSON: None, PERSON_EMAIL: LEAD}), PERSON_EMAIL, "self_request"),
    ],
)
def test_refusals_name_their_field(
    driver: Driver, who: str, values: Values, field: str, code: str
) -> None:
    driver.add_account(TRAINEE, "Jane Doe")
    outcome = driver.submit(who, values, kind=ROLE)
    assert isinstance(outcome, FieldErrors)
    assert field in outcome.errors, outcome.errors
    assert driver.refusals()[-1] == ("role_change.file", {field: code})


@pytest.mark.parametrize("who", [TRAINEE, OUTSIDER])
def test_staff_and_strangers_cannot_open_it(driver: Driver, who: str) -> None:
    assert isinstance(driver.command(who, "role"), Notice)
    assert driver.refusals() == [("role_change.open_form", {"reason": "not_authorized"})]


def test_deny_with_a_reason_and_only_admins_decide(driver: Driver) -> None:
    driver.add_account(TRAINEE, "Jane Doe")
    driver.submit(LEAD, to_supervisory(), kind=ROLE)
    assert isinstance(driver.click(LEAD, "deny", 1, kind=ROLE), Notice)
    asked = driver.click(ADMIN, "deny", 1, kind=ROLE)
    assert isinstance(asked, OpenForm)
    driver.give_reason(ADMIN, asked.form.context, "Not in their job description")
    request = current(driver, 1)
    assert (request.state, request.decision_reason) == (
        RoleChangeState.DENIED,
        "Not in their job description",
    )
    assert driver.account(TRAINEE).access_role_id == "dss"


def test_a_deactivation_withdraws_an_open_role_change(driver: Driver) -> None:
    driver.add_account(TRAINEE, "Jane Doe")
    driver.submit(LEAD, to_supervisory(), kind=ROLE)
    deactivate = {PERSON: TRAINEE, DEACTIVATION_REASON: "left_agency"}
    driver.submit(LEAD, deactivate, kind="deactivation")
    driver.click(ADMIN, "confirm", 2, kind="deactivation")
    request = current(driver, 1)
    assert request.state == RoleChangeState.WITHDRAWN
    assert "deactivated" in (request.decision_reason or "")
    assert driver.account(TRAINEE).status is AccountStatus.DEACTIVATED
