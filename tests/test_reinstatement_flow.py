"""Reinstatement as plain calls on memory, SQLite and PostgreSQL: only accounts disabled for
inactivity, the ladder by how long, a person's own request endorsed by their agency, and the
admins' "Re-enabled in HMIS" putting the account back to its first login."""

from __future__ import annotations

from datetime import timedelta

import pytest

from flows.accounts import AccountStatus
from flows.kinds.deactivation.form import REASON as DEACTIVATION_REASON
from flows.kinds.reinstatement.details import (
    ReinstatementDetails,
    ReinstatementState,
)
from flows.kinds.reinstatement.form import NOTE
from flows.kit.buttons import REASON_FIELD
from flows.kit.people import PERSON, PERSON_EMAIL
from flows.ladder import Needs
from flows.model import Request
from flows.outcomes import Accepted, FieldErrors, Lists, OpenForm, Outcome
from flows.ports import Ledger
from flows.ui import Notice
from tests.conftest import Clock
from tests.drive import Driver, actor
from tests.reinstating import disabled_account, with_ladder
from tests.requests import ADMIN, LEAD, OTHER_LEAD, OUTSIDER, SECOND_ADMIN, SUPERVISOR, TRAINEE

KIND = "reinstatement"
SLEEPER = "sleeper@riverhouse.example.org"
Values = dict[str, str | list[str] | None]


def current(driver: Driver, request_id: int = 1) -> Request[ReinstatementDetails]:
    return driver.request(request_id).typed(ReinstatementDetails)


@pytest.fixture
def laddered(driver: Driver) -> Driver:
    """The bundled community with a ladder: 90 days a refresher, 6 months every training."""
    driver.community = with_ladder(driver.community)
    return driver


def test_a_lead_files_an_admin_re_enables_and_the_login_completes_it(
    laddered: Driver, clock: Clock
) -> None:
    account = disabled_account(laddered, clock, SLEEPER, "Sid Sleeper", days=20)
    form = laddered.command(LEAD, "reinstate")
    assert isinstance(form, OpenForm)
    [person] = [f for f in form.form.fields() if f.id == PERSON]
    assert [o.value for o in person.options] == [SLEEPER]
    outcome = laddered.submit(LEAD, {PERSON: SLEEPER, NOTE: "Back from leave."}, KIND)
    assert isinstance(outcome, Accepted)
    assert "disabled since" in outcome.notice.text
    assert "(20 days)" in outcome.notice.text
    assert "within 2 business days" in outcome.notice.text
    request = current(laddered)
    assert request.state == ReinstatementState.AWAITING_ADMIN
    assert (request.details.needs, request.details.trainings) == (Needs.RE_ENABLE, ())
    assert request.details.disabled_confirmed
    audiences = laddered.queued()
    assert "admins" not in audiences, "an account event never goes to a channel"
    assert sum(a.startswith("admin.") for a in audiences) == 2

    assert isinstance(laddered.click(LEAD, "reenable", kind=KIND), Notice)
    seen = current(laddered).version
    done = laddered.click(ADMIN, "reenable", kind=KIND)
    assert isinstance(done, Notice)
    assert "re-enabled" in done.text
    request = current(laddered)
    assert request.state == ReinstatementState.REENABLED
    reopened = laddered.account(SLEEPER)
    assert reopened.status is AccountStatus.PENDING_FIRST_LOGIN
    assert reopened.first_login_due == clock.now + timedelta(hours=24)
    assert reopened.last_login_at == account.last_login_at, "the last login is history, kept"
    assert request.details.first_login_due == reopened.first_login_due

    stale = laddered.click(SECOND_ADMIN, "reenable", version=seen, kind=KIND)
    assert isinstance(stale, Notice)
    assert "already moved on" in stale.text
    assert isinstance(laddered.click(LEAD, "logged_in", kind=KIND), Notice)
    laddered.click(SLEEPER, "logged_in", kind=KIND)
    assert current(laddered).state == ReinstatementState.REINSTATED
    assert laddered.account(SLEEPER).status is AccountStatus.ACTIVE
    assert [(a, d["reason"]) for a, d in laddered.refusals()] == [
        ("reinstatement.reenable", "not_admin"),
        ("reinstatement.reenable", "stale"),
        ("reinstatement.logged_in", "not_subject"),
    ]


def test_the_ladder_decides_by_how_long_the_account_has_been_disabled(
    laddered: Driver, clock: Clock
) -> None:
    disabled_account(laddered, clock, "a@riverhouse.example.org", "Ana Ninety", days=89)
    disabled_account(laddered, clock, "b@riverhouse.example.org", "Bo Ninety", days=90)
    disabled_account(laddered, clock, "c@riverhouse.example.org", "Cy Half", days=200)
    laddered.submit(LEAD, {PERSON: "a@riverhouse.example.org"}, KIND)
    laddered.submit(LEAD, {PERSON: "b@riverhouse.example.org"}, KIND)
    outcome = laddered.submit(LEAD, {PERSON: "c@riverhouse.example.org"}, KIND)
    assert isinstance(outcome, Accepted)
    assert "Clarity General Training, Privacy & Security Training first" in outcome.notice.text
    found = [current(laddered, i) for i in (1, 2, 3)]
    assert [(r.state, r.details.needs, r.details.trainings) for r in found] == [
        (ReinstatementState.AWAITING_ADMIN, Needs.RE_ENABLE, ()),
        (ReinstatementState.TRAINING, Needs.TRAININGS, ("privacy",)),
        (ReinstatementState.TRAINING, Needs.ROLE_TRAININGS, ("general", "privacy")),
    ]
    assert found[1].due_at == found[1].details.training_due
    assert found[1].details.step_after == "90 days"


def test_a_refresher_is_retaken_even_when_a_completion_is_still_valid(
    laddered: Driver, clock: Clock
) -> None:
    """The role change's rule (a valid completion counts) is not the ladder's: after a long
    absence, the refresher is the point."""
    disabled_account(laddered, clock, SLEEPER, "Sid Sleeper", days=120)
    laddered.submit(LEAD, {PERSON: SLEEPER}, KIND)
    laddered.click(SLEEPER, "trained.privacy", kind=KIND)
    laddered.click(SECOND_ADMIN, "reenable", kind=KIND)
    laddered.click(SLEEPER, "logged_in", kind=KIND)
    again = laddered.account(SLEEPER)
    clock.advance(days=100)  # privacy was reported 100 days ago: valid for 365
    laddered.run(lambda ledger: ledger.move_account(again, AccountStatus.DISABLED, ADMIN))
    clock.advance(days=91)
    laddered.submit(LEAD, {PERSON: SLEEPER}, KIND)
    request = current(laddered, 2)
    assert (request.state, request.details.trainings) == (
        ReinstatementState.TRAINING,
        ("privacy",),
    )


def test_trainings_are_reported_by_the_person_only_then_it_reaches_the_admins(
    laddered: Driver, clock: Clock
) -> None:
    disabled_account(laddered, clock, SLEEPER, "Sid Sleeper", days=200)
    laddered.submit(LEAD, {PERSON: SLEEPER}, KIND)
    assert isinstance(laddered.click(LEAD, "trained.general", kind=KIND), Notice)
    refused = laddered.click(SLEEPER, "trained.analysis", kind=KIND)
    assert isinstance(refused, Notice)
    assert "not one this reinstatement asks for" in refused.text
    assert isinstance(laddered.click(ADMIN, "reenable", kind=KIND), Notice)
    laddered.click(SLEEPER, "trained.general", kind=KIND)
    assert current(laddered).state == ReinstatementState.TRAINING
    laddered.click(SLEEPER, "trained.privacy", kind=KIND)
    assert current(laddered).state == ReinstatementState.AWAITING_ADMIN
    assert [(a, d["reason"]) for a, d in laddered.refusals()] == [
        ("reinstatement.trained", "not_subject"),
        ("reinstatement.trained", "unknown_training"),
        ("reinstatement.reenable", "wrong_state"),
    ]


def test_an_account_only_due_to_be_disabled_counts_from_its_last_login(
    laddered: Driver, clock: Clock
) -> None:
    disabled_account(laddered, clock, SLEEPER, "Sid Sleeper", days=95, confirmed=False)
    assert laddered.account(SLEEPER).status is AccountStatus.DISABLE_DUE
    laddered.submit(LEAD, {PERSON_EMAIL: SLEEPER}, KIND)
    request = current(laddered)
    assert not request.details.disabled_confirmed
    assert request.details.trainings == ("privacy",)
    laddered.click(SLEEPER, "trained.privacy", kind=KIND)
    laddered.click(ADMIN, "reenable", kind=KIND)
    assert laddered.account(SLEEPER).status is AccountStatus.PENDING_FIRST_LOGIN


def test_the_person_asks_and_a_supervisor_endorses(laddered: Driver, clock: Clock) -> None:
    disabled_account(laddered, clock, TRAINEE, "Jane Doe", days=30)
    form = laddered.command(TRAINEE, "reinstate")
    assert isinstance(form, OpenForm)
    assert [f.id for f in form.form.fields()] == [NOTE], "nothing to pick: their own account"
    outcome = laddered.submit(TRAINEE, {NOTE: ""}, KIND)
    assert isinstance(outcome, Accepted)
    assert "Rosa Lead or Sam Supervisor will be asked to endorse it" in outcome.notice.text
    request = current(laddered)
    assert request.state == ReinstatementState.AWAITING_ENDORSEMENT
    assert not [a for a in laddered.queued() if a.startswith("admin")], "only once endorsed"
    assert any(r.id == 1 for r in _mine(laddered, LEAD)), "in the endorsers' status lists"

    for who in (TRAINEE, OTHER_LEAD, ADMIN, OUTSIDER):
        assert isinstance(laddered.click(who, "endorse", kind=KIND), Notice)
    assert isinstance(laddered.click(ADMIN, "deny", kind=KIND), Notice)
    assert current(laddered).state == ReinstatementState.AWAITING_ENDORSEMENT
    done = laddered.click(SUPERVISOR, "endorse", kind=KIND)
    assert isinstance(done, Notice)
    assert "Endorsed" in done.text
    request = current(laddered)
    assert request.state == ReinstatementState.AWAITING_ADMIN
    assert request.details.endorsement is not None
    assert request.details.endorsement.endorsed_by == SUPERVISOR
    assert sum(a.startswith("admin.") for a in laddered.queued()) == 2
    assert [(a, d["reason"]) for a, d in laddered.refusals()] == [
        ("reinstatement.endorse", "not_endorser"),
        ("reinstatement.endorse", "not_endorser"),
        ("reinstatement.endorse", "not_endorser"),
        ("reinstatement.endorse", "not_endorser"),
        ("reinstatement.deny", "wrong_state"),
    ]


def _mine(driver: Driver, email: str) -> list[Request[ReinstatementDetails]]:
    found = driver.run(lambda ledger: ledger.requests_involving(email))
    return [r.typed(ReinstatementDetails) for r in found]


def test_a_decline_asks_for_a_reason_the_person_sees(laddered: Driver, clock: Clock) -> None:
    disabled_account(laddered, clock, TRAINEE, "Jane Doe", days=30)
    laddered.submit(TRAINEE, {}, KIND)
    asked = laddered.click(LEAD, "decline", kind=KIND)
    assert isinstance(asked, OpenForm)
    empty = laddered.give_reason(LEAD, asked.form.context, "")
    assert isinstance(empty, FieldErrors)
    assert REASON_FIELD in empty.errors
    laddered.give_reason(LEAD, asked.form.context, "Jane moved to a job without HMIS.")
    request = current(laddered)
    assert (request.state, request.decided_by, request.decision_reason) == (
        ReinstatementState.DECLINED,
        LEAD,
        "Jane moved to a job without HMIS.",
    )
    assert laddered.account(TRAINEE).status is AccountStatus.DISABLED


def test_a_lead_asking_for_their_own_account_needs_another_to_endorse(
    laddered: Driver, clock: Clock
) -> None:
    disabled_account(laddered, clock, LEAD, "Rosa Lead", days=10)
    form = laddered.command(LEAD, "reinstate")
    assert isinstance(form, OpenForm)
    [person] = [f for f in form.form.fields() if f.id == PERSON]
    assert [(o.value, o.label) for o in person.options] == [(LEAD, "Me (Rosa Lead)")]
    laddered.submit(LEAD, {PERSON: LEAD}, KIND)
    assert current(laddered).state == ReinstatementState.AWAITING_ENDORSEMENT
    assert isinstance(laddered.click(LEAD, "endorse", kind=KIND), Notice)
    laddered.click(SUPERVISOR, "endorse", kind=KIND)
    assert current(laddered).state == ReinstatementState.AWAITING_ADMIN
    assert laddered.refusals() == [("reinstatement.endorse", {"reason": "not_endorser"})]


@pytest.mark.parametrize(
    ("who", "values", "problem"),
    [
        (OTHER_LEAD, {PERSON_EMAIL: SLEEPER}, (PERSON_EMAIL, "not_authorized")),
        (LEAD, {PERSON_EMAIL: "active@riverhouse.example.org"}, (PERSON_EMAIL, "not_disabled")),
        (LEAD, {PERSON_EMAIL: "gone@riverhouse.example.org"}, (PERSON_EMAIL, "not_disabled")),
        (LEAD, {PERSON_EMAIL: "nobody@riverhouse.example.org"}, (PERSON_EMAIL, "unknown_account")),
        (LEAD, {PERSON_EMAIL: "sid@gmail.com"}, (PERSON_EMAIL, "free_mail")),
        (LEAD, {}, (PERSON, "missing")),
        (LEAD, {PERSON: SLEEPER, PERSON_EMAIL: SLEEPER}, (PERSON_EMAIL, "invalid")),
        (LEAD, {PERSON: SLEEPER, NOTE: "Her DOB is 03/04/1980"}, (NOTE, "client_data")),
    ],
)
def test_refusals_name_their_field_and_are_audited(
    laddered: Driver, clock: Clock, who: str, values: Values, problem: tuple[str, str]
) -> None:
    field, code = problem
    disabled_account(laddered, clock, SLEEPER, "Sid Sleeper")
    laddered.add_account("active@riverhouse.example.org", "Al Active")
    gone = laddered.add_account("gone@riverhouse.example.org", "Gil Gone")
    laddered.run(lambda ledger: ledger.move_account(gone, AccountStatus.DEACTIVATED, ADMIN))
    outcome = laddered.submit(who, values, KIND)
    assert isinstance(outcome, FieldErrors)
    assert field in outcome.errors, outcome.errors
    assert laddered.refusals() == [("reinstatement.file", {field: code})]
    assert laddered.run(lambda ledger: ledger.get_request(1)) is None


def test_the_reasons_say_what_the_account_is_instead(laddered: Driver) -> None:
    laddered.add_account("active@riverhouse.example.org", "Al Active")
    gone = laddered.add_account("gone@riverhouse.example.org", "Gil Gone")
    laddered.run(lambda ledger: ledger.move_account(gone, AccountStatus.DEACTIVATED, ADMIN))
    active = laddered.submit(LEAD, {PERSON_EMAIL: "active@riverhouse.example.org"}, KIND)
    deactivated = laddered.submit(LEAD, {PERSON_EMAIL: "gone@riverhouse.example.org"}, KIND)
    assert isinstance(active, FieldErrors)
    assert isinstance(deactivated, FieldErrors)
    assert "Al Active's HMIS account is active" in active.errors[PERSON_EMAIL]
    assert "only an account disabled for inactivity" in active.errors[PERSON_EMAIL]
    assert "New User Access Request" in deactivated.errors[PERSON_EMAIL]


def test_staff_whose_account_is_active_and_strangers_are_told_at_the_command(
    laddered: Driver,
) -> None:
    laddered.add_account(TRAINEE, "Jane Doe")
    active = laddered.command(TRAINEE, "reinstate")
    stranger = laddered.command(OUTSIDER, "reinstate")
    assert isinstance(active, Notice)
    assert "Your HMIS account is active" in active.text
    assert isinstance(stranger, Notice)
    assert "Ask your agency lead" in stranger.text
    assert isinstance(laddered.submit(OUTSIDER, {}, KIND), Notice)
    assert [(a, d["reason"]) for a, d in laddered.refusals()] == [
        ("reinstatement.open_form", "not_disabled"),
        ("reinstatement.open_form", "not_authorized"),
        ("reinstatement.file", "not_authorized"),
    ]


def test_nobody_to_endorse_is_said_at_once(laddered: Driver, clock: Clock) -> None:
    community = laddered.community
    agencies = tuple(
        a.model_copy(update={"leads": (), "supervisors": ()}) if a.id == "river-house" else a
        for a in community.agencies
    )
    laddered.community = community.model_copy(update={"agencies": agencies})
    disabled_account(laddered, clock, TRAINEE, "Jane Doe")
    refused = laddered.command(TRAINEE, "reinstate")
    assert isinstance(refused, Notice)
    assert "River House Shelter has no agency lead or supervisor" in refused.text
    assert laddered.refusals() == [("reinstatement.open_form", {"reason": "no_endorser"})]


def test_one_open_reinstatement_per_person(laddered: Driver, clock: Clock) -> None:
    disabled_account(laddered, clock, SLEEPER, "Sid Sleeper")
    laddered.submit(LEAD, {PERSON: SLEEPER}, KIND)
    again = laddered.submit(SUPERVISOR, {PERSON: SLEEPER}, KIND)
    assert isinstance(again, Notice)
    assert "already has an open reinstatement request" in again.text
    assert laddered.refusals() == [("reinstatement.file", {"reason": "duplicate"})]


def test_an_account_active_again_is_not_re_enabled(laddered: Driver, clock: Clock) -> None:
    disabled_account(laddered, clock, SLEEPER, "Sid Sleeper", confirmed=False)
    laddered.submit(LEAD, {PERSON: SLEEPER}, KIND)
    laddered.run(lambda ledger: ledger.activate_account(SLEEPER))  # a login came in
    refused = laddered.click(ADMIN, "reenable", kind=KIND)
    assert isinstance(refused, Notice)
    assert "is active" in refused.text
    assert "Deny the request" in refused.text
    assert current(laddered).state == ReinstatementState.AWAITING_ADMIN
    assert laddered.refusals() == [("reinstatement.reenable", {"reason": "not_disabled"})]


def test_only_the_filer_withdraws_and_a_lost_race_changes_nothing(
    laddered: Driver, clock: Clock
) -> None:
    disabled_account(laddered, clock, TRAINEE, "Jane Doe")
    laddered.submit(TRAINEE, {}, KIND)
    before = current(laddered)
    assert isinstance(laddered.click(LEAD, "withdraw", kind=KIND), Notice)
    laddered.click(LEAD, "endorse", kind=KIND)

    def withdraw_late(ledger: Ledger) -> Outcome:
        machine = laddered.machine(KIND, ledger)
        step = machine.kind.steps()["withdraw"]
        return step.run(machine, actor(TRAINEE), before, "", "")

    late = laddered.run(withdraw_late)
    assert isinstance(late, Notice)
    assert "already moved on" in late.text
    assert current(laddered).state == ReinstatementState.AWAITING_ADMIN
    laddered.click(TRAINEE, "withdraw", kind=KIND)
    assert current(laddered).state == ReinstatementState.WITHDRAWN
    assert [(a, d["reason"]) for a, d in laddered.refusals()] == [
        ("reinstatement.withdraw", "not_requester"),
        ("reinstatement.withdraw", "lost_race"),
    ]


def test_a_deactivation_withdraws_an_open_reinstatement(laddered: Driver, clock: Clock) -> None:
    disabled_account(laddered, clock, SLEEPER, "Sid Sleeper")
    laddered.submit(LEAD, {PERSON: SLEEPER}, KIND)
    laddered.submit(LEAD, {PERSON: SLEEPER, DEACTIVATION_REASON: "left_agency"}, "deactivation")
    laddered.click(ADMIN, "confirm", 2, kind="deactivation")
    request = current(laddered)
    assert request.state == ReinstatementState.WITHDRAWN
    assert "deactivated" in (request.decision_reason or "")


def test_leads_see_reinstate_beside_disabled_accounts_only(laddered: Driver, clock: Clock) -> None:
    disabled_account(laddered, clock, SLEEPER, "Sid Sleeper")
    laddered.add_account(TRAINEE, "Jane Doe")
    home = laddered.status(LEAD)
    assert isinstance(home, Lists)
    accounts = {c.title: [b.label for b in c.buttons] for c in home.lists[-1].cards}
    assert accounts == {
        "Jane Doe": ["Deactivate", "Change role"],
        "Sid Sleeper": ["Deactivate", "Change role", "Reinstate"],
    }
    sleeper = laddered.account(SLEEPER)
    opened = laddered.run(
        lambda ledger: laddered.machine(KIND, ledger).kind.open_form(
            laddered.machine(KIND, ledger), actor(LEAD), sleeper
        )
    )
    assert isinstance(opened, OpenForm)
    [person] = [f for f in opened.form.fields() if f.id == PERSON]
    assert person.initial == SLEEPER
