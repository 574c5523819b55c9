"""The New User Access Request flow as plain function calls, on a real database."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import pytest
from sqlalchemy import func, select

from chatbot.community_calendar import business_calendar
from chatbot.service import BotService
from chatbot.storage.database import Database
from chatbot.storage.models import AuditEventRow, OutboxRow, RequestTransition
from flows.community import Community
from flows.model import AccessRequest, Actor, Platform, RequestState
from flows.new_user.form import F
from flows.new_user.lifecycle import NewUserFlow
from flows.outcomes import Accepted, FieldErrors, OpenForm, Outcome
from flows.ui import ActionCommand, Notice
from tests.conftest import Clock
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

T = TypeVar("T")


def actor(email: str) -> Actor:
    return Actor(email, Platform.SLACK, f"U-{email.split('@', maxsplit=1)[0]}")


@pytest.fixture
def service(database: Database, community: Community, clock: Clock) -> BotService:
    return BotService(database, community, business_calendar(community), clock, (Platform.SLACK,))


def run(service: BotService, work: Callable[[NewUserFlow], T]) -> T:
    return service.run_sync(
        lambda ledger: work(NewUserFlow(service.community, service.calendar, ledger))
    )


def current(service: BotService, request_id: int = 1) -> AccessRequest:
    request = service.run_sync(lambda ledger: ledger.get_request(request_id))
    assert request is not None
    return request


def click(
    service: BotService, who: str, verb: str, request_id: int = 1, version: int | None = None
) -> Outcome:
    seen = current(service, request_id).version if version is None else version
    return run(
        service, lambda f: f.click(actor(who), ActionCommand("new_user", verb, request_id, seen))
    )


def refusals(service: BotService) -> list[AuditEventRow]:
    with service.db.transaction() as session:
        return list(
            session.scalars(
                select(AuditEventRow)
                .where(AuditEventRow.outcome == "refused")
                .order_by(AuditEventRow.id)
            )
        )


def test_the_whole_lifecycle_with_staff_verification(service: BotService, clock: Clock) -> None:
    outcome = run(service, lambda f: f.submit(actor(LEAD), request_values()))
    assert isinstance(outcome, Accepted)
    assert current(service).state is RequestState.AWAITING_VERIFICATION

    clock.advance(hours=2)
    assert isinstance(click(service, SUPERVISOR, "verify"), Notice)
    request = current(service)
    assert request.state is RequestState.TRAINING
    assert request.verified_by == SUPERVISOR

    for training in ("general", "privacy"):
        click(service, TRAINEE, f"trained.{training}")
    assert current(service).state is RequestState.AWAITING_APPROVAL

    click(service, ADMIN, "approve")
    request = current(service)
    assert (request.state, request.decided_by) == (RequestState.APPROVED, ADMIN)

    click(service, SECOND_ADMIN, "account_created")
    request = current(service)
    assert request.state is RequestState.ACCOUNT_CREATED
    assert request.first_login_due == clock.now + timedelta(hours=24)
    click(service, TRAINEE, "logged_in")
    assert current(service).state is RequestState.ACTIVE

    with service.db.transaction() as session:
        states = list(
            session.scalars(select(RequestTransition.to_state).order_by(RequestTransition.id))
        )
    assert states == [
        "awaiting_verification",
        "training",
        "awaiting_approval",
        "approved",
        "account_created",
        "active",
    ]
    assert refusals(service) == []


def test_direct_supervisor_who_attests_skips_verification(service: BotService) -> None:
    values = request_values(
        **{
            F.DIRECTLY_SUPERVISES: "yes",
            F.BACKGROUND_CHECK: ["yes"],
            F.REQUESTER_ROLE: "Supervisor / Program Manager",
        }
    )
    assert isinstance(run(service, lambda f: f.submit(actor(SUPERVISOR), values)), Accepted)
    request = current(service)
    assert request.state is RequestState.TRAINING
    assert request.draft.supervisor_email == SUPERVISOR
    # Filed Monday 16 Nov 10:00 PST; 14 calendar days end at the close of business on 30 Nov.
    assert request.training_due == datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


def test_verification_deadline_skips_thanksgiving_and_the_weekend(
    service: BotService, clock: Clock
) -> None:
    clock.now = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)  # Monday before Thanksgiving
    run(service, lambda f: f.submit(actor(LEAD), request_values()))
    # Tue, Wed, (Thanksgiving Thu), Fri, Mon, Tue 1 Dec at 17:00 PST.
    assert current(service).verification_due == datetime(2026, 12, 2, 1, 0, tzinfo=UTC)


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
    service: BotService,
    who: str,
    overrides: dict[str, str | list[str] | None],
    field: str,
    code: str,
) -> None:
    outcome = run(service, lambda f: f.submit(actor(who), request_values(**overrides)))
    assert isinstance(outcome, FieldErrors)
    assert field in outcome.errors
    [refusal] = refusals(service)
    assert (refusal.action, refusal.details[field]) == ("new_user.file", code)
    with service.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(OutboxRow)) == 0


def test_an_email_with_an_open_request_is_refused(service: BotService) -> None:
    run(service, lambda f: f.submit(actor(LEAD), request_values()))
    outcome = run(service, lambda f: f.submit(actor(SUPERVISOR), request_values()))
    assert isinstance(outcome, FieldErrors)
    assert "already has an open request" in outcome.errors[F.TRAINEE_EMAIL]


@pytest.mark.parametrize(
    ("who", "expected"), [(OUTSIDER, "not_authorized"), (APPLYING_LEAD, "agency_not_participating")]
)
def test_only_supervisors_of_participating_agencies_get_the_form(
    service: BotService, who: str, expected: str
) -> None:
    assert isinstance(run(service, lambda f: f.open_form(actor(who))), Notice)
    assert refusals(service)[0].details == {"reason": expected}
    assert isinstance(run(service, lambda f: f.open_form(actor(LEAD))), OpenForm)


def _to_approval(service: BotService, requester: str = LEAD) -> None:
    run(service, lambda f: f.submit(actor(requester), request_values()))
    click(service, SUPERVISOR, "verify")
    click(service, TRAINEE, "trained.general")
    click(service, TRAINEE, "trained.privacy")


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
    service: BotService, who: str, verb: str, code: str
) -> None:
    _to_approval(service)
    before = current(service)
    assert isinstance(click(service, who, verb), Notice)
    assert current(service) == before
    assert refusals(service)[-1].details == {"reason": code}


def test_nobody_decides_their_own_request(service: BotService, community: Community) -> None:
    # An admin who is also an agency lead files a request, then tries to approve it.
    admin_lead = community.model_copy(
        update={
            "agencies": tuple(
                a.model_copy(update={"leads": (*a.leads, ADMIN)}) if a.id == "river-house" else a
                for a in community.agencies
            )
        }
    )
    service.community = admin_lead
    _to_approval(service, requester=ADMIN)
    outcome = click(service, ADMIN, "approve")
    assert isinstance(outcome, Notice)
    assert "another HMIS admin" in outcome.text
    assert current(service).state is RequestState.AWAITING_APPROVAL
    click(service, SECOND_ADMIN, "approve")
    assert current(service).state is RequestState.APPROVED


def test_a_stale_button_changes_nothing(service: BotService) -> None:
    _to_approval(service)
    seen = current(service).version
    click(service, ADMIN, "approve", version=seen)
    outcome = click(service, SECOND_ADMIN, "approve", version=seen)
    assert isinstance(outcome, Notice)
    assert "already" in outcome.text
    assert current(service).decided_by == ADMIN
    assert refusals(service)[-1].details == {"reason": "stale"}


def test_deny_asks_for_a_reason_and_records_it(service: BotService) -> None:
    _to_approval(service)
    version = current(service).version
    outcome = click(service, ADMIN, "deny")
    assert isinstance(outcome, OpenForm)
    context = outcome.form.context
    empty = run(service, lambda f: f.submit_denial(actor(ADMIN), context, {F.DENY_REASON: " "}))
    assert isinstance(empty, FieldErrors)
    assert current(service).version == version
    run(
        service,
        lambda f: f.submit_denial(
            actor(ADMIN), context, {F.DENY_REASON: "No signed user agreement"}
        ),
    )
    request = current(service)
    assert (request.state, request.decision_reason) == (
        RequestState.DENIED,
        "No signed user agreement",
    )


def test_two_concurrent_approvals_make_exactly_one_transition(service: BotService) -> None:
    _to_approval(service)
    version = current(service).version
    barrier = threading.Barrier(2)
    outcomes: list[Outcome] = []

    def approve(who: str) -> None:
        barrier.wait()
        outcomes.append(click(service, who, "approve", version=version))

    threads = [threading.Thread(target=approve, args=(who,)) for who in (ADMIN, SECOND_ADMIN)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with service.db.transaction() as session:
        approvals = session.scalar(
            select(func.count())
            .select_from(RequestTransition)
            .where(RequestTransition.to_state == "approved")
        )
    assert approvals == 1
    assert sum("already" in o.text for o in outcomes if isinstance(o, Notice)) == 1


def test_every_change_queues_each_audience_once(service: BotService) -> None:
    run(service, lambda f: f.submit(actor(LEAD), request_values()))
    with service.db.transaction() as session:
        audiences = sorted(session.scalars(select(OutboxRow.audience)))
    assert audiences == ["admins", "requester", "supervisor"]
