"""Coordinated Entry as plain calls on memory, SQLite and PostgreSQL, in the bundled community
with King County's assessor training added: a lead names the agency's CE trainer, the trainer
asks for assessor access for staff who attended the training, an admin adds it as a grant
that lapses with the training, and a later attendance renews it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from chatbot.policy import bundled_preset_path, load_community
from flows.community import CE_TRAINER, Community
from flows.directory import current as current_directory
from flows.grants import CE_ASSESSOR, Grant
from flows.kinds.ce_assessor.details import AssessorDetails, AssessorState
from flows.kinds.ce_trainer.details import CeTrainerDetails, CeTrainerState
from flows.kit.kind import CardView
from flows.kit.people import PERSON, PERSON_EMAIL
from flows.model import Request
from flows.outcomes import Accepted, FieldErrors, Lists, OpenForm
from flows.ports import Ledger
from flows.ui import Notice
from tests.communities import name_ce_trainer, with_coordinated_entry
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

TRAINER, ASSESSOR = "ce_trainer", "ce_assessor"
YOLO_STAFF = "yan@yolofoodbank.example.org"
Values = dict[str, str | list[str] | None]
# The close of business (17:00 Pacific) on the day attended, and a year of 365 days later.
ATTENDED_AT = datetime(2026, 11, 11, 1, 0, tzinfo=UTC)
LAPSES_AT = datetime(2027, 11, 11, 1, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def community() -> Community:
    return with_coordinated_entry(load_community(bundled_preset_path()))


@pytest.fixture
def staffed(driver: Driver) -> Driver:
    driver.add_account(TRAINEE, "Jane Doe")
    driver.add_account(SUPERVISOR, "Sam Supervisor")
    driver.add_account(YOLO_STAFF, "Yan Pantry", agency_id="yolo-food-bank")
    return driver


@pytest.fixture
def trained(staffed: Driver) -> Driver:
    """Sam Supervisor is River House's CE trainer."""
    staffed.run(lambda ledger: name_ce_trainer(ledger, "river-house", SUPERVISOR))
    return staffed


def attended(day: str = "2026-11-10", **overrides: str | list[str] | None) -> Values:
    values: Values = {PERSON: TRAINEE, "attended": day, "attested": ["yes"]}
    values.update(overrides)
    return values


def trainers(driver: Driver, agency: str = "river-house") -> tuple[str, ...]:
    def read(ledger: Ledger) -> tuple[str, ...]:
        found = current_directory(driver.community, ledger.agency_changes()).agency(agency)
        assert found is not None
        return found.holding(CE_TRAINER)

    return driver.run(read)  # type: ignore[no-any-return]


def assessor(driver: Driver, request_id: int = 1) -> Request[AssessorDetails]:
    return driver.request(request_id).typed(AssessorDetails)


def grants(driver: Driver, email: str = TRAINEE) -> list[Grant]:
    return driver.run(lambda ledger: ledger.grants_of(email))  # type: ignore[no-any-return]


# CE trainer --------------------------------------------------------------------------------


def test_a_lead_names_a_ce_trainer_and_an_admin_confirms(staffed: Driver) -> None:
    form = staffed.command(LEAD, "ce-trainer")
    assert isinstance(form, OpenForm)
    [person] = [f for f in form.form.fields() if f.id == PERSON]
    assert [o.value for o in person.options] == [TRAINEE, SUPERVISOR]
    filed = staffed.submit(LEAD, {PERSON: SUPERVISOR}, kind=TRAINER)
    assert isinstance(filed, Accepted)
    request = staffed.request(1).typed(CeTrainerDetails)
    assert request.details.trainers_before == ()
    card = staffed.registry.kind(TRAINER).render(  # type: ignore[union-attr]
        CardView(staffed.community, staffed.calendar), request, "admins"
    )
    assert "River House Shelter has no Coordinated Entry trainer yet" in card.text
    assert trainers(staffed) == ()
    confirmed = staffed.click(ADMIN, "confirm", kind=TRAINER)
    assert confirmed == Notice("Recorded: Sam Supervisor is River House Shelter's CE trainer.")
    assert staffed.request(1).state == CeTrainerState.DESIGNATED
    assert trainers(staffed) == (SUPERVISOR,)
    assert isinstance(staffed.command(SUPERVISOR, "assessor"), OpenForm), "now they may ask"
    again = staffed.submit(LEAD, {PERSON: SUPERVISOR}, kind=TRAINER)
    assert isinstance(again, FieldErrors)
    assert "already River House Shelter's CE trainer" in again.errors[PERSON]
    assert staffed.refusals() == [("ce_trainer.file", {PERSON: "already_designated"})]


@pytest.mark.parametrize(
    ("who", "values", "field", "code"),
    [
        (OTHER_LEAD, {PERSON_EMAIL: TRAINEE}, PERSON_EMAIL, "not_authorized"),
        (LEAD, {PERSON_EMAIL: LEAD}, PERSON_EMAIL, "self_request"),
        (LEAD, {PERSON_EMAIL: "nobody@riverhouse.example.org"}, PERSON_EMAIL, "unknown_person"),
        (LEAD, {}, PERSON, "missing"),
        (LEAD, {PERSON: TRAINEE, PERSON_EMAIL: SUPERVISOR}, PERSON_EMAIL, "invalid"),
        (LEAD, {PERSON: TRAINEE, "agency": "yolo-food-bank"}, "agency", "not_authorized"),
    ],
)
def test_ce_trainer_refusals_name_their_field(
    staffed: Driver, who: str, values: Values, field: str, code: str
) -> None:
    outcome = staffed.submit(who, values, kind=TRAINER)
    assert isinstance(outcome, FieldErrors)
    assert field in outcome.errors, outcome.errors
    [(action, details)] = staffed.refusals()
    assert (action, details[field]) == ("ce_trainer.file", code)


@pytest.mark.parametrize(
    ("who", "code"),
    [
        (SUPERVISOR, "not_authorized"),
        (TRAINEE, "not_authorized"),
        (OUTSIDER, "not_authorized"),
        (ADMIN, "not_authorized"),
        (APPLYING_LEAD, "agency_not_participating"),
    ],
)
def test_only_a_lead_of_a_participating_agency_names_one(
    staffed: Driver, who: str, code: str
) -> None:
    outcome = staffed.command(who, "ce-trainer")
    assert isinstance(outcome, Notice)
    assert staffed.refusals() == [("ce_trainer.open_form", {"reason": code})]


def test_ce_trainer_buttons_stale_clicks_and_duplicates(staffed: Driver) -> None:
    staffed.submit(LEAD, {PERSON: SUPERVISOR}, kind=TRAINER)
    duplicate = staffed.submit(LEAD, {PERSON: SUPERVISOR}, kind=TRAINER)
    assert isinstance(duplicate, FieldErrors)
    seen = staffed.request(1).version
    assert isinstance(staffed.click(LEAD, "confirm", kind=TRAINER), Notice)
    assert isinstance(staffed.click(SUPERVISOR, "withdraw", kind=TRAINER), Notice)
    asked = staffed.click(ADMIN, "deny", kind=TRAINER)
    assert isinstance(asked, OpenForm)
    staffed.give_reason(ADMIN, asked.form.context, "Sam has not done the CE orientation.")
    stale = staffed.click(SECOND_ADMIN, "confirm", version=seen, kind=TRAINER)
    assert isinstance(stale, Notice)
    assert "already moved on: denied" in stale.text
    assert trainers(staffed) == ()
    assert [d["reason"] for _, d in staffed.refusals()] == [
        "duplicate",
        "not_admin",
        "not_requester",
        "stale",
    ]


# Assessor access ---------------------------------------------------------------------------


def test_the_trainer_asks_an_admin_adds_it_and_it_lasts_a_year(trained: Driver) -> None:
    form = trained.command(SUPERVISOR, "assessor")
    assert isinstance(form, OpenForm)
    assert [f.id for f in form.form.fields()] == [PERSON, PERSON_EMAIL, "attended", "attested"]
    filed = trained.submit(SUPERVISOR, attended(), kind=ASSESSOR)
    assert isinstance(filed, Accepted)
    request = assessor(trained)
    assert request.state == AssessorState.AWAITING_ADMIN
    assert (request.details.attended_at, request.details.expires_at) == (ATTENDED_AT, LAPSES_AT)
    assert trained.queued() == ["admins", "requester"]

    added = trained.click(ADMIN, "confirm", kind=ASSESSOR)
    assert isinstance(added, Notice)
    assert "is a Coordinated Entry assessor until Wed Nov 10, 2027 5:00 PM PST" in added.text
    assert assessor(trained).state == AssessorState.ACTIVE
    [grant] = grants(trained)
    assert (grant.kind, grant.expires_at, grant.request_id) == (CE_ASSESSOR, LAPSES_AT, 1)
    report = assessor(trained).reported("act")
    assert report is not None
    assert report.reported_at == ATTENDED_AT, "renewal reminders count from the attendance"
    home = trained.status(TRAINEE)
    assert isinstance(home, Lists)
    [card] = home.lists[-1].cards
    assert card.title == "Coordinated Entry assessor access"
    assert card.summary.endswith("until Wed Nov 10, 2027 5:00 PM PST")
    assert trained.refusals() == []


@pytest.mark.parametrize(
    ("values", "field", "code"),
    [
        (attended(**{PERSON: None, PERSON_EMAIL: YOLO_STAFF}), PERSON_EMAIL, "not_authorized"),
        (attended(**{PERSON: None, PERSON_EMAIL: SUPERVISOR}), PERSON_EMAIL, "self_request"),
        (attended(**{PERSON: "nobody@riverhouse.example.org"}), PERSON, "unknown_person"),
        (attended("2026-11-17"), "attended", "invalid"),
        (attended("2025-11-01"), "attended", "lapsed"),
        (attended(""), "attended", "missing"),
        (attended(attested=[]), "attested", "missing"),
    ],
)
def test_assessor_refusals_name_their_field(
    trained: Driver, values: Values, field: str, code: str
) -> None:
    outcome = trained.submit(SUPERVISOR, values, kind=ASSESSOR)
    assert isinstance(outcome, FieldErrors)
    assert field in outcome.errors, outcome.errors
    [(action, details)] = trained.refusals()
    assert (action, details[field]) == ("ce_assessor.file", code)
    assert trained.queued() == []


@pytest.mark.parametrize("who", [LEAD, TRAINEE, OUTSIDER, ADMIN, OTHER_LEAD])
def test_only_the_agencys_ce_trainer_asks(trained: Driver, who: str) -> None:
    outcome = trained.command(who, "assessor")
    assert isinstance(outcome, Notice)
    assert "Only your agency's Coordinated Entry trainer" in outcome.text
    assert trained.refusals() == [("ce_assessor.open_form", {"reason": "not_authorized"})]


def test_a_community_without_coordinated_entry_offers_neither(
    trained: Driver, community: Community
) -> None:
    trained.community = community.model_copy(update={"coordinated_entry": None})
    for word in ("assessor", "ce-trainer"):
        outcome = trained.command(LEAD if word == "ce-trainer" else SUPERVISOR, word)
        assert isinstance(outcome, Notice)
        assert "does not run Coordinated Entry assessor access through this bot" in outcome.text
    assert [d["reason"] for _, d in trained.refusals()] == ["not_offered", "not_offered"]


def test_a_later_attendance_renews_it_and_an_earlier_one_is_refused(trained: Driver) -> None:
    trained.submit(SUPERVISOR, attended(), kind=ASSESSOR)
    trained.click(ADMIN, "confirm", kind=ASSESSOR)
    same = trained.submit(SUPERVISOR, attended("2026-11-09"), kind=ASSESSOR)
    assert isinstance(same, FieldErrors)
    assert "already has assessor access until Wed Nov 10, 2027" in same.errors["attended"]
    renewal = trained.submit(SUPERVISOR, attended("2026-11-13"), kind=ASSESSOR)
    assert isinstance(renewal, Accepted)
    duplicate = trained.submit(SUPERVISOR, attended("2026-11-14"), kind=ASSESSOR)
    assert isinstance(duplicate, FieldErrors)
    trained.click(SECOND_ADMIN, "confirm", 2, kind=ASSESSOR)
    assert assessor(trained, 1).state == AssessorState.RENEWED
    assert assessor(trained, 1).details.renewed_by == 2
    assert assessor(trained, 2).state == AssessorState.ACTIVE
    [grant] = grants(trained)
    assert (grant.request_id, grant.expires_at) == (2, assessor(trained, 2).details.expires_at)
    assert [d.get("attended") or d.get("reason") for _, d in trained.refusals()] == [
        "already_granted",
        "duplicate",
    ]


@pytest.mark.parametrize(
    ("who", "verb", "code"),
    [
        (SUPERVISOR, "confirm", "not_admin"),
        (LEAD, "confirm", "not_admin"),
        (TRAINEE, "deny", "not_admin"),
        (LEAD, "withdraw", "not_requester"),
        (TRAINEE, "withdraw", "not_requester"),
    ],
)
def test_each_assessor_button_is_for_its_own_party(
    trained: Driver, who: str, verb: str, code: str
) -> None:
    trained.submit(SUPERVISOR, attended(), kind=ASSESSOR)
    before = assessor(trained)
    assert isinstance(trained.click(who, verb, kind=ASSESSOR), Notice)
    assert assessor(trained) == before
    assert trained.refusals()[-1] == (f"ce_assessor.{verb}", {"reason": code})


def test_a_lapsed_credential_is_removed_by_an_admin(trained: Driver) -> None:
    trained.submit(SUPERVISOR, attended(), kind=ASSESSOR)
    trained.click(ADMIN, "confirm", kind=ASSESSOR)

    def lapse(ledger: Ledger) -> Any:
        machine = trained.machine(ASSESSOR, ledger)
        return machine.move(machine.get(1), "hmis-bot", AssessorState.LAPSED, "lapse")

    trained.run(lapse)
    refused = trained.click(SUPERVISOR, "remove", kind=ASSESSOR)
    assert isinstance(refused, Notice)
    assert "Only HMIS admins can confirm that assessor access was removed" in refused.text
    removed = trained.click(ADMIN, "remove", kind=ASSESSOR)
    assert removed == Notice("Recorded: Jane Doe's assessor access is removed.")
    assert assessor(trained).state == AssessorState.REMOVED
    assert grants(trained) == []


def test_a_stale_click_and_a_lost_race_add_nothing(trained: Driver) -> None:
    trained.submit(SUPERVISOR, attended(), kind=ASSESSOR)
    seen = assessor(trained)
    trained.click(SUPERVISOR, "withdraw", kind=ASSESSOR)
    stale = trained.click(ADMIN, "confirm", version=seen.version, kind=ASSESSOR)
    assert isinstance(stale, Notice)
    assert "already moved on: withdrawn" in stale.text
    kind = trained.registry.kind(ASSESSOR)
    assert kind is not None
    confirm = kind.steps()["confirm"].run

    def late(ledger: Ledger) -> Any:
        return confirm(trained.machine(ASSESSOR, ledger), actor(ADMIN), seen, "", "")

    assert isinstance(trained.run(late), Notice)
    assert grants(trained) == []
    assert assessor(trained).reported("act") is None
    assert [d["reason"] for _, d in trained.refusals()] == ["stale", "lost_race"]
