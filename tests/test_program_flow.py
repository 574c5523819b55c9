"""New Program Requests as plain calls on memory, SQLite and PostgreSQL: only an agency's lead
asks, for a participating agency, in words without client data; an admin confirms it built."""

from __future__ import annotations

from typing import Any

import pytest

from flows.kinds.program.details import ProgramChange, ProgramDetails, ProgramState
from flows.kit.filing import AGENCY
from flows.model import Request
from flows.outcomes import Accepted, FieldErrors, OpenForm
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

PROGRAM = "program"
Values = dict[str, str | list[str] | None]


def program(**overrides: str | None) -> Values:
    values: Values = {
        "program": "Street Outreach",
        "change": "new",
        "needs": "Street outreach, ESG funded, from January: contacts and services.",
    }
    values.update(overrides)
    return values


def current(driver: Driver, request_id: int = 1) -> Request[ProgramDetails]:
    return driver.request(request_id).typed(ProgramDetails)


def test_a_lead_asks_and_an_admin_confirms_it_built(driver: Driver) -> None:
    form = driver.command(LEAD, "program")
    assert isinstance(form, OpenForm)
    assert [f.id for f in form.form.fields()] == ["program", "change", "needs"]
    filed = driver.submit(LEAD, program(), kind=PROGRAM)
    assert isinstance(filed, Accepted)
    assert "program Street Outreach at River House Shelter" in filed.notice.text
    assert "within 2 business days" in filed.notice.text
    request = current(driver)
    assert (request.state, request.subject_name, request.subject_email) == (
        ProgramState.AWAITING_ADMIN,
        "Street Outreach",
        "",
    )
    assert request.details.change is ProgramChange.NEW
    assert driver.queued() == ["admins", "requester"]
    built = driver.click(ADMIN, "confirm", kind=PROGRAM)
    assert built == Notice("Recorded: program Street Outreach is built in HMIS.")
    assert current(driver).state == ProgramState.BUILT
    assert current(driver).decided_by == ADMIN
    assert driver.refusals() == []


@pytest.mark.parametrize(
    ("who", "values", "field", "code"),
    [
        (LEAD, program(program=""), "program", "missing"),
        (LEAD, program(program="x" * 101), "program", "invalid"),
        (LEAD, program(change="rebuild"), "change", "invalid"),
        (LEAD, program(needs=""), "needs", "missing"),
        (LEAD, program(needs="Intake for client DOB 1980-01-02"), "needs", "client_data"),
        (LEAD, program(agency="yolo-food-bank"), AGENCY, "not_authorized"),
        (APPLYING_LEAD, program(), AGENCY, "agency_not_participating"),
    ],
)
def test_refusals_name_their_field_and_are_audited(
    driver: Driver, who: str, values: Values, field: str, code: str
) -> None:
    outcome = driver.submit(who, values, kind=PROGRAM)
    assert isinstance(outcome, FieldErrors)
    assert field in outcome.errors, outcome.errors
    [(action, details)] = driver.refusals()
    assert (action, details[field]) == ("program.file", code)
    assert driver.queued() == []


@pytest.mark.parametrize("who", [SUPERVISOR, TRAINEE, OUTSIDER, ADMIN])
def test_only_an_agency_lead_asks(driver: Driver, who: str) -> None:
    outcome = driver.command(who, "program")
    assert isinstance(outcome, Notice)
    assert "Only an agency's lead (its Technical Administrator)" in outcome.text
    submitted = driver.submit(who, program(), kind=PROGRAM)
    assert isinstance(submitted, Notice)
    assert [d for _, d in driver.refusals()] == [{"reason": "not_authorized"}] * 2


def test_a_lead_of_an_agency_not_yet_approved_is_told_why(driver: Driver) -> None:
    outcome = driver.command(APPLYING_LEAD, "program")
    assert isinstance(outcome, Notice)
    assert "once HMIS has approved your agency" in outcome.text


def test_one_open_request_per_program(driver: Driver) -> None:
    driver.submit(LEAD, program(), kind=PROGRAM)
    again = driver.submit(LEAD, program(program="street  OUTREACH"), kind=PROGRAM)
    assert isinstance(again, FieldErrors)
    assert "already has an open request" in again.errors["program"]
    other = driver.submit(LEAD, program(program="Rapid Rehousing"), kind=PROGRAM)
    assert isinstance(other, Accepted)


@pytest.mark.parametrize(
    ("who", "verb", "code"),
    [
        (LEAD, "confirm", "not_admin"),
        (TRAINEE, "confirm", "not_admin"),
        (OTHER_LEAD, "deny", "not_admin"),
        (SUPERVISOR, "withdraw", "not_requester"),
        (ADMIN, "withdraw", "not_requester"),
    ],
)
def test_each_button_is_for_its_own_party(driver: Driver, who: str, verb: str, code: str) -> None:
    driver.submit(LEAD, program(), kind=PROGRAM)
    before = current(driver)
    assert isinstance(driver.click(who, verb, kind=PROGRAM), Notice)
    assert current(driver) == before
    assert driver.refusals()[-1] == (f"program.{verb}", {"reason": code})


def test_a_denial_says_why_and_a_stale_click_changes_nothing(driver: Driver) -> None:
    driver.submit(LEAD, program(), kind=PROGRAM)
    seen = current(driver).version
    asked = driver.click(ADMIN, "deny", kind=PROGRAM)
    assert isinstance(asked, OpenForm)
    driver.give_reason(ADMIN, asked.form.context, "ESG programs are set up by the CoC lead.")
    assert current(driver).state == ProgramState.DENIED
    assert current(driver).decision_reason == "ESG programs are set up by the CoC lead."
    stale = driver.click(SECOND_ADMIN, "confirm", version=seen, kind=PROGRAM)
    assert isinstance(stale, Notice)
    assert "already moved on: denied" in stale.text
    assert driver.refusals() == [("program.confirm", {"reason": "stale"})]


def test_a_lost_race_changes_nothing(driver: Driver) -> None:
    driver.submit(LEAD, program(), kind=PROGRAM)
    seen = current(driver)
    driver.click(LEAD, "withdraw", kind=PROGRAM)
    kind = driver.registry.kind(PROGRAM)
    assert kind is not None
    confirm = kind.steps()["confirm"].run

    def late(ledger: Ledger) -> Any:
        return confirm(driver.machine(PROGRAM, ledger), actor(ADMIN), seen, "", "")

    outcome = driver.run(late)
    assert isinstance(outcome, Notice)
    assert "already moved on: withdrawn" in outcome.text
    assert current(driver).state == ProgramState.WITHDRAWN
    assert driver.refusals() == [("program.confirm", {"reason": "lost_race"})]
