"""Who may press which button, decided from server state every time: a table of actors against
every step of every request kind, in every state the step starts from, on memory, SQLite and
PostgreSQL. Only the step's own party changes anything (admins never on their own request);
every refusal is exactly one audit row; every transition is exactly one audit row."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from flows.community import Community
from flows.directory import current
from flows.kinds import default_registry
from flows.kit import buttons
from flows.kit.buttons import REASON_FIELD, submit_reason
from flows.kit.kind import ADMIN as ADMIN_PARTY
from flows.kit.kind import RequestKind, Step
from flows.model import Actor, Filing, Platform, StoredRequest
from flows.outcomes import OpenForm
from flows.ui import ActionCommand, Notice
from tests.drive import Driver
from tests.requests import ADMIN, LEAD, OTHER_LEAD, OUTSIDER, SECOND_ADMIN, SUPERVISOR, TRAINEE
from tests.samples import Recorder, samples, scenario_of

REGISTRY = default_registry()
PARTY_CODES = {"not_admin", "own_request"}


@dataclass(frozen=True)
class Case:
    kind: str
    verb: str
    state: str
    sample: StoredRequest

    @property
    def id(self) -> str:
        return f"{self.kind}-{self.verb}-{self.state}"


def cases(community: Community) -> Iterator[Case]:
    found = samples(community)
    for kind in REGISTRY:
        for verb, step in sorted(kind.steps().items()):
            for state in sorted(step.states):
                sample = found.get((kind.name, state))
                if sample is not None:
                    yield Case(kind.name, verb, state, sample)


def actors(sample: StoredRequest) -> dict[str, Actor]:
    """Everyone who might press: the request's own people, admins, and people with no part."""
    people = {
        "requester": sample.requester_email,
        "subject": sample.subject_email,
        "supervisor": SUPERVISOR,
        "admin": ADMIN,
        "second admin": SECOND_ADMIN,
        "stranger": OUTSIDER,
        "lead of another agency": OTHER_LEAD,
        "agency lead": LEAD,
        "trainee": TRAINEE,
    }
    found = {name: Actor(email, Platform.SLACK, f"U-{name}") for name, email in people.items()}
    found["admin on Teams"] = Actor(ADMIN, Platform.TEAMS, "29:admin")
    return found


def refile(driver: Driver, kind: RequestKind[Any], sample: StoredRequest) -> StoredRequest:
    """The sample, stored afresh in exactly its state, with its reports, in this driver."""
    typed = kind.typed(sample)
    filing = Filing(
        kind=kind.name,
        state=sample.state,
        requester_email=sample.requester_email,
        subject_email=sample.subject_email,
        subject_name=sample.subject_name,
        agency_id=sample.agency_id,
        details=typed.details,
        parties=dict(kind.parties_of(typed)),
        open_key=f"{sample.subject_email}:{uuid.uuid4().hex}",  # each copy open at once
        due_at=sample.due_at,
    )
    stored = driver.run(lambda ledger: ledger.add_request(filing))
    assert stored is not None
    for report in sample.training_reports:
        driver.run(
            lambda ledger, r=report: ledger.record_training_report(
                stored.id, r.training_id, sample.subject_email
            )
        )
    return driver.request(stored.id)


def allowed(
    community: Community,
    kind: RequestKind[Any],
    step: Step[Any],
    request: StoredRequest,
    actor: Actor,
) -> bool:
    if step.who == ADMIN_PARTY:
        return actor.email in (ADMIN, SECOND_ADMIN) and actor.email not in (
            request.requester_email,
            request.subject_email,
        )
    return kind.holds(community, kind.typed(request), step.who, actor.email)


def argument(kind: RequestKind[Any], verb: str, request: StoredRequest) -> str:
    """A training the request still waits for, for the "trained" buttons (or, when the sample
    waits for trainings its details do not list, such as a full role's, one it asked for:
    only who may press is checked here)."""
    if verb != "trained":
        return verb
    details = kind.typed(request).details
    wanted = list(getattr(details, "trainings", ()) or ("general", "privacy"))
    missing = [t for t in wanted if request.reported(t) is None]
    return f"trained.{(missing or wanted)[0]}"


def test_every_kind_has_cases(community: Community) -> None:
    covered = {case.kind for case in cases(community)}
    assert covered == {kind.name for kind in REGISTRY}


def test_only_each_steps_own_party_changes_anything(driver: Driver, community: Community) -> None:
    checked = 0
    for case in cases(community):
        kind = REGISTRY.kind(case.kind)
        assert kind is not None
        step = kind.steps()[case.verb]
        for name, actor in actors(case.sample).items():
            request = refile(driver, kind, case.sample)
            before = len(driver.refusals())
            verb = argument(kind, case.verb, request)
            command = ActionCommand(kind.name, verb, request.id, request.version)
            outcome = driver.run(
                lambda ledger, c=command, a=actor, k=kind.name: _click(driver, ledger, k, a, c)
            )
            after = driver.request(request.id)
            new = driver.refusals()[before:]
            codes = {details.get("reason") for _, details in new}
            where = f"{case.id} by {name}"
            if allowed(directory(driver), kind, step, request, actor):
                assert not codes & (PARTY_CODES | {f"not_{step.who}"}), where
            else:
                assert after == request, f"{where} changed the request"
                assert isinstance(outcome, Notice), where
                assert len(new) == 1, f"{where}: one audit row per refusal, got {new}"
                assert codes <= PARTY_CODES | {f"not_{step.who}"}, (where, codes)
            checked += 1
    assert checked >= 200  # 22 steps x states x 10 actors


def directory(driver: Driver) -> Community:
    """The community as the bot sees it now: earlier cases' designations and approvals
    change who leads what."""
    return driver.run(lambda ledger: current(driver.community, ledger.agency_changes()))  # type: ignore[no-any-return]


def _click(driver: Driver, ledger: Any, kind: str, actor: Actor, command: ActionCommand) -> Any:
    outcome = buttons.click(driver.machine(kind, ledger), actor, command)
    if isinstance(outcome, OpenForm) and outcome.form.id == "reason":
        asked = ActionCommand.decode(outcome.form.context)
        assert asked is not None
        values = {REASON_FIELD: "Not eligible"}
        return submit_reason(driver.machine(kind, ledger), actor, asked, values)
    return outcome


def test_an_admin_removed_from_the_community_file_is_refused_at_once(
    driver: Driver, community: Community
) -> None:
    found = samples(community)
    request = refile(driver, REGISTRY.default, found[("new_user", "awaiting_approval")])
    driver.community = community.model_copy(
        update={"admins": tuple(a for a in community.admins if a.email != ADMIN)}
    )
    outcome = driver.click(ADMIN, "approve", request.id)
    assert isinstance(outcome, Notice)
    assert driver.request(request.id) == request
    assert driver.refusals()[-1] == ("new_user.approve", {"reason": "not_admin"})


def test_every_transition_writes_exactly_one_audit_row(community: Community) -> None:
    """The scenarios of every kind, replayed on memory: each state change is one ok row."""
    recorder = Recorder(community, REGISTRY)
    for kind in REGISTRY:
        scenario_of(kind.name)(recorder)
    ledger = recorder.ledger
    moves = [e for e in ledger.audit_log if e.outcome == "ok" and "to" in e.details]
    filings = [e for e in ledger.audit_log if e.outcome == "ok" and e.action.endswith(".file")]
    request_moves = [e for e in moves if e.subject and e.subject.kind == "request"]
    assert len(request_moves) == len(ledger.transitions)
    assert len(filings) == len({e.subject for e in filings})
    pairs = [(e.details["from"], e.details["to"]) for e in request_moves]
    assert pairs == [(t.from_state, t.to_state) for t in ledger.transitions]
