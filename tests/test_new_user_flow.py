"""The New User Access Request as plain function calls: on the in-memory ledger and through
the service's transaction on SQLite and PostgreSQL (the ``driver`` fixture)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from chatbot.community_calendar import business_calendar
from chatbot.service import BotService
from chatbot.storage.database import Database
from flows.community import AgencyStatus, Community
from flows.kinds import default_registry
from flows.kinds.new_user.details import NewUserDetails, NewUserState
from flows.kinds.new_user.form import F
from flows.memory import MemoryLedger
from flows.model import Platform, Request
from flows.outcomes import Accepted, FieldErrors, Lists, OpenForm, Outcome
from flows.ui import Notice
from tests.conftest import Clock
from tests.drive import Driver, memory_driver, service_driver
from tests.requests import (
    ADMIN,
    APPLYING_LEAD,
    LEAD,
    OUTSIDER,
    SECOND_ADMIN,
    SUPERVISOR,
    TRAINEE,
    request_values,
)


def current(driver: Driver, request_id: int = 1) -> Request[NewUserDetails]:
    return driver.request(request_id).typed(NewUserDetails)


def test_the_whole_lifecycle_with_staff_verification(driver: Driver, clock: Clock) -> None:
    outcome = driver.submit(LEAD, request_values())
    assert isinstance(outcome, Accepted)
    assert current(driver).state == NewUserState.AWAITING_VERIFICATION

    clock.advance(hours=2)
    assert isinstance(driver.click(SUPERVISOR, "verify"), Notice)
    request = current(driver)
    assert request.state == NewUserState.TRAINING
    assert request.details.verified_by == SUPERVISOR

    for training in ("general", "privacy"):
        driver.click(TRAINEE, f"trained.{training}")
    assert current(driver).state == NewUserState.AWAITING_APPROVAL

    driver.click(ADMIN, "approve")
    request = current(driver)
    assert (request.state, request.decided_by) == (NewUserState.APPROVED, ADMIN)

    driver.click(SECOND_ADMIN, "account_created")
    request = current(driver)
    assert request.state == NewUserState.ACCOUNT_CREATED
    assert request.details.first_login_due == clock.now + timedelta(hours=24)
    driver.click(TRAINEE, "logged_in")
    assert current(driver).state == NewUserState.ACTIVE

    for state in ("training", "awaiting_approval", "approved", "account_created", "active"):
        assert driver.transitions_to(state) == 1, state
    assert driver.refusals() == []


def test_direct_supervisor_who_attests_skips_verification(driver: Driver) -> None:
    values = request_values(
        **{
            F.DIRECTLY_SUPERVISES: "yes",
            F.BACKGROUND_CHECK: ["yes"],
            F.REQUESTER_ROLE: "Supervisor / Program Manager",
        }
    )
    assert isinstance(driver.submit(SUPERVISOR, values), Accepted)
    request = current(driver)
    assert request.state == NewUserState.TRAINING
    assert request.details.supervisor_email == SUPERVISOR
    # Filed Monday 16 Nov 10:00 PST; 14 calendar days end at the close of business on 30 Nov.
    assert request.due_at == datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


def test_verification_deadline_skips_thanksgiving_and_the_weekend(
    driver: Driver, clock: Clock
) -> None:
    clock.now = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)  # Monday before Thanksgiving
    driver.submit(LEAD, request_values())
    # Tue, Wed, (Thanksgiving Thu), Fri, Mon, Tue 1 Dec at 17:00 PST.
    assert current(driver).details.verification_due == datetime(2026, 12, 2, 1, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("who", "overrides", "field", "code"),
    [
        (SUPERVISOR, {F.TRAINEE_EMAIL: SUPERVISOR}, F.TRAINEE_EMAIL, "self_request"),
        (LEAD, {F.AGENCY: "delta-outreach", F.COC: "yolo"}, F.AGENCY, "not_authorized"),
        (
            APPLYING_LEAD,
            {F.AGENCY: "delta-outreach", F.COC: "yolo"},
            F.AGENCY,
            "agency_not_participating",
        ),
        (LEAD, {F.AGENCY: "not-listed"}, F.AGENCY, "agency_not_listed"),
        (LEAD, {F.ACCESS_ROLE: "superuser"}, F.ACCESS_ROLE, "unknown_role"),
        (
            LEAD,
            {F.ADDITIONAL_AGENCIES: ["atlantis-shelter"]},
            F.ADDITIONAL_AGENCIES,
            "unknown_agency",
        ),
        (
            LEAD,
            {F.ADDITIONAL_AGENCIES: ["delta-outreach"]},
            F.ADDITIONAL_AGENCIES,
            "unknown_agency",
        ),
        (LEAD, {F.TRAINEE_EMAIL: "jane@gmail.com"}, F.TRAINEE_EMAIL, "free_mail"),
        (LEAD, {F.TRAINEE_EMAIL: "not an email"}, F.TRAINEE_EMAIL, "invalid"),
        (LEAD, {F.TRAINEE_NAME: ""}, F.TRAINEE_NAME, "missing"),
        (LEAD, {F.COC: "yolo"}, F.COC, "invalid"),
        (LEAD, {F.SUPERVISOR_EMAIL: None}, F.SUPERVISOR_EMAIL, "missing"),
        (LEAD, {F.BACKGROUND_CHECK: ["yes"]}, F.BACKGROUND_CHECK, "invalid"),
    ],
)
def test_bad_submissions_are_refused_field_by_field_and_audited(
    driver: Driver,
    who: str,
    overrides: dict[str, str | list[str] | None],
    field: str,
    code: str,
) -> None:
    outcome = driver.submit(who, request_values(**overrides))
    assert isinstance(outcome, FieldErrors)
    assert field in outcome.errors
    [(action, details)] = driver.refusals()
    assert (action, details[field]) == ("new_user.file", code)
    assert driver.queued() == []


def test_an_email_with_an_open_request_is_refused(driver: Driver) -> None:
    driver.submit(LEAD, request_values())
    outcome = driver.submit(SUPERVISOR, request_values())
    assert isinstance(outcome, FieldErrors)
    assert "already has an open request" in outcome.errors[F.TRAINEE_EMAIL]


@pytest.mark.parametrize(
    ("who", "expected"), [(OUTSIDER, "not_authorized"), (APPLYING_LEAD, "agency_not_participating")]
)
def test_only_supervisors_of_participating_agencies_get_the_form(
    driver: Driver, who: str, expected: str
) -> None:
    assert isinstance(driver.command(who), Notice)
    assert driver.refusals()[0][1] == {"reason": expected}
    assert isinstance(driver.command(LEAD), OpenForm)


def _to_approval(driver: Driver, requester: str = LEAD) -> None:
    driver.submit(requester, request_values())
    driver.click(SUPERVISOR, "verify")
    driver.click(TRAINEE, "trained.general")
    driver.click(TRAINEE, "trained.privacy")


@pytest.mark.parametrize(
    ("who", "verb", "code"),
    [
        (LEAD, "approve", "not_admin"),
        (TRAINEE, "approve", "not_admin"),
        (LEAD, "deny", "not_admin"),
        (OUTSIDER, "account_created", "not_admin"),
        (SUPERVISOR, "withdraw", "not_requester"),
        (ADMIN, "trained.general", "not_trainee"),
    ],
)
def test_the_wrong_person_changes_nothing_and_is_audited(
    driver: Driver, who: str, verb: str, code: str
) -> None:
    _to_approval(driver)
    before = current(driver)
    assert isinstance(driver.click(who, verb), Notice)
    assert current(driver) == before
    assert driver.refusals()[-1][1] == {"reason": code}


def test_nobody_decides_their_own_request(driver: Driver, community: Community) -> None:
    # An admin who is also an agency lead files a request, then tries to approve it.
    admin_lead = community.model_copy(
        update={
            "agencies": tuple(
                a.model_copy(update={"leads": (*a.leads, ADMIN)}) if a.id == "river-house" else a
                for a in community.agencies
            )
        }
    )
    driver.community = admin_lead
    _to_approval(driver, requester=ADMIN)
    outcome = driver.click(ADMIN, "approve")
    assert isinstance(outcome, Notice)
    assert "another HMIS admin" in outcome.text
    assert current(driver).state == NewUserState.AWAITING_APPROVAL
    driver.click(SECOND_ADMIN, "approve")
    assert current(driver).state == NewUserState.APPROVED


def test_a_stale_button_changes_nothing(driver: Driver) -> None:
    _to_approval(driver)
    seen = current(driver).version
    driver.click(ADMIN, "approve", version=seen)
    outcome = driver.click(SECOND_ADMIN, "approve", version=seen)
    assert isinstance(outcome, Notice)
    assert "already" in outcome.text
    assert current(driver).decided_by == ADMIN
    assert driver.refusals()[-1][1] == {"reason": "stale"}


def test_deny_asks_for_a_reason_and_records_it(driver: Driver) -> None:
    _to_approval(driver)
    version = current(driver).version
    outcome = driver.click(ADMIN, "deny")
    assert isinstance(outcome, OpenForm)
    context = outcome.form.context
    empty = driver.give_reason(ADMIN, context, " ")
    assert isinstance(empty, FieldErrors)
    assert current(driver).version == version
    driver.give_reason(ADMIN, context, "No signed user agreement")
    request = current(driver)
    assert (request.state, request.decision_reason) == (
        NewUserState.DENIED,
        "No signed user agreement",
    )


def test_two_concurrent_approvals_make_exactly_one_transition(
    database: Database, community: Community, clock: Clock
) -> None:
    calendar = business_calendar(community)
    registry = default_registry()
    driver = service_driver(
        BotService(database, community, calendar, clock, (Platform.SLACK,), registry)
    )
    _to_approval(driver)
    version = current(driver).version
    barrier = threading.Barrier(2)
    outcomes: list[Outcome] = []

    def approve(who: str) -> None:
        barrier.wait()
        outcomes.append(driver.click(who, "approve", version=version))

    threads = [threading.Thread(target=approve, args=(who,)) for who in (ADMIN, SECOND_ADMIN)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert driver.transitions_to("approved") == 1
    assert sum("already" in o.text for o in outcomes if isinstance(o, Notice)) == 1


def test_every_change_queues_each_audience_once(driver: Driver) -> None:
    driver.submit(LEAD, request_values())
    assert sorted(driver.queued()) == ["admins", "requester", "supervisor"]


def test_the_new_users_own_agency_among_the_additional_ones_is_left_out(driver: Driver) -> None:
    """The form cannot know the agency before it is submitted; picking it again is no error."""
    picked = ["river-house", "yolo-food-bank", "yolo-food-bank"]
    both = request_values(**{F.ADDITIONAL_AGENCIES: picked})
    assert isinstance(driver.submit(LEAD, both), Accepted)
    assert current(driver).details.additional_agency_ids == ("yolo-food-bank",)
    assert driver.refusals() == []


def test_a_lead_of_one_agency_is_not_offered_it_as_additional_access(driver: Driver) -> None:
    form = driver.command(LEAD)
    assert isinstance(form, OpenForm)
    [additional] = [f for f in form.form.fields() if f.id == F.ADDITIONAL_AGENCIES]
    assert [o.value for o in additional.all_options()] == ["yolo-food-bank"]


def test_a_lead_of_an_agency_still_applying_is_told_why_and_what_to_do(driver: Driver) -> None:
    notice = driver.command(APPLYING_LEAD)
    assert isinstance(notice, Notice)
    assert notice.text.startswith(
        "Delta Outreach is not yet approved to use HMIS: its application to participate is "
        "still being reviewed."
    )
    assert "the HMIS help desk can tell you where the application stands" in notice.text
    assert "individuals" not in notice.text
    outcome = driver.submit(APPLYING_LEAD, request_values(**{F.AGENCY: "delta-outreach"}))
    assert isinstance(outcome, FieldErrors)
    assert outcome.errors[F.AGENCY].startswith("Delta Outreach is not yet approved to use HMIS")


def test_a_suspended_agency_is_named_with_its_suspension(
    community: Community, clock: Clock
) -> None:
    agencies = tuple(
        a.model_copy(update={"status": AgencyStatus.SUSPENDED}) if a.id == "river-house" else a
        for a in community.agencies
    )
    suspended = community.model_copy(update={"agencies": agencies})
    registry = default_registry()
    ledger = MemoryLedger(clock)
    driver = memory_driver(suspended, business_calendar(suspended), registry, ledger)
    notice = driver.command(LEAD)
    assert isinstance(notice, Notice)
    assert notice.text.startswith("River House Shelter is suspended from HMIS")


def test_closed_requests_come_after_open_ones_in_a_status_list(driver: Driver) -> None:
    driver.submit(LEAD, request_values())
    second = request_values(new_user_name="Ray Roe", new_user_email="ray@riverhouse.example.org")
    driver.submit(LEAD, second)
    driver.click(LEAD, "withdraw", 1)
    outcome = driver.status(LEAD)
    assert isinstance(outcome, Lists)
    [mine] = [c for c in outcome.lists if c.title == "Your HMIS requests"]
    assert ["#2" in c.title for c in mine.cards] == [True, False]
