"""Sample requests of every kind in every state they can reach, made by running each kind's own
flow on the in-memory ledger at a fixed clock, so card snapshots show only what can happen."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from chatbot.community_calendar import business_calendar
from flows.community import Community
from flows.kinds import default_registry
from flows.kit.machine import Machine
from flows.kit.registry import Registry
from flows.memory import MemoryLedger
from flows.model import StoredRequest
from flows.nudges.sweep import SWEEP_ACTOR
from tests.conftest import START, Clock
from tests.drive import Driver, memory_driver
from tests.requests import ADMIN, LEAD, SECOND_ADMIN, SUPERVISOR, TRAINEE, request_values

ODD_NAME = "Jane <Doe> & Co"  # markup characters every renderer must escape

Scenario = Callable[["Recorder"], None]


@dataclass
class Recorder:
    """Runs a scenario on a fresh in-memory ledger and keeps each request after every step."""

    community: Community
    registry: Registry
    clock: Clock = field(default_factory=lambda: Clock(START))
    seen: dict[tuple[str, str], StoredRequest] = field(default_factory=dict)
    ids: set[int] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.ledger = MemoryLedger(self.clock)
        self.calendar = business_calendar(self.community)
        self.driver: Driver = memory_driver(
            self.community, self.calendar, self.registry, self.ledger
        )

    def keep(self, request_id: int) -> None:
        self.ids.add(request_id)
        request = self.driver.request(request_id)
        self.seen[(request.kind, request.state)] = request  # the last time in that state

    def step(self, work: Callable[[], object], request_id: int) -> None:
        self.clock.advance(hours=5)
        work()
        self.keep(request_id)

    def machine(self, kind: str) -> Machine[Any]:
        return self.driver.machine(kind, self.ledger)


def new_user_scenarios(rec: Recorder) -> None:
    d = rec.driver
    values = request_values(new_user_name=ODD_NAME)
    rec.step(lambda: d.submit(LEAD, values), 1)
    rec.step(lambda: d.click(SUPERVISOR, "verify"), 1)
    rec.step(lambda: d.click(TRAINEE, "trained.general"), 1)
    rec.step(lambda: d.click(TRAINEE, "trained.privacy"), 1)
    rec.step(lambda: d.click(ADMIN, "approve"), 1)
    rec.step(lambda: d.click(SECOND_ADMIN, "account_created"), 1)
    rec.step(lambda: d.click(TRAINEE, "logged_in"), 1)
    second = request_values(new_user_name="Ray Roe", new_user_email="ray@riverhouse.example.org")
    rec.step(lambda: d.submit(LEAD, second), 2)
    rec.step(lambda: d.click(LEAD, "withdraw", 2), 2)
    third = request_values(new_user_name="Kim Koe", new_user_email="kim@riverhouse.example.org")
    rec.step(lambda: d.submit(LEAD, third), 3)
    deny = d.click(ADMIN, "deny", 3)
    rec.step(lambda: d.give_reason(ADMIN, deny.form.context, "MOU lapsed"), 3)  # type: ignore[union-attr]
    fourth = request_values(new_user_name="Lou Loe", new_user_email="lou@riverhouse.example.org")
    rec.step(lambda: d.submit(LEAD, fourth), 4)
    rec.step(lambda: d.click(SUPERVISOR, "verify", 4), 4)
    machine = rec.machine("new_user")
    resume = rec.clock.now
    rec.clock.advance(days=17)  # past the training deadline and its grace, as in production
    rec.step(lambda: _expire(machine, 4), 4)
    rec.clock.now = resume + timedelta(hours=5)  # the later scenarios' clock, as before


def _expire(machine: Machine[Any], request_id: int) -> None:
    """As the sweep does when the training grace has run out."""
    request = machine.get(request_id)
    assert request is not None
    machine.move(request, SWEEP_ACTOR, "expired", "expire", reason="training not reported")


def deactivation_scenarios(rec: Recorder) -> None:
    d, first = rec.driver, _next_id(rec)
    d.add_account("leaver@riverhouse.example.org", ODD_NAME)
    d.add_account("retired@riverhouse.example.org", "Rita Retired")
    leaving = {"person": "leaver@riverhouse.example.org", "reason": "left_agency"}
    rec.step(lambda: d.submit(LEAD, leaving | {"last_day": "2026-11-20"}, DEACTIVATION), first)
    rec.step(lambda: d.click(LEAD, "withdraw", first, kind=DEACTIVATION), first)
    rec.step(lambda: d.submit(LEAD, leaving, DEACTIVATION), first + 1)
    retired = {
        "person": "retired@riverhouse.example.org",
        "reason": "other",
        "reason_text": "Retired; her duties moved to the front desk.",
    }
    rec.step(lambda: d.submit(LEAD, retired, DEACTIVATION), first + 2)
    rec.step(lambda: d.click(ADMIN, "confirm", first + 2, kind=DEACTIVATION), first + 2)


def _next_id(rec: Recorder) -> int:
    return max((key for key in rec.ids), default=0) + 1


DEACTIVATION = "deactivation"
SCENARIOS: dict[str, Scenario] = {
    "new_user": new_user_scenarios,
    DEACTIVATION: deactivation_scenarios,
}


def samples(community: Community) -> dict[tuple[str, str], StoredRequest]:
    """Every (kind, state) the scenarios reach, with the request as it was there."""
    registry = default_registry()
    recorder = Recorder(community, registry)
    for kind in registry:
        SCENARIOS[kind.name](recorder)
    return recorder.seen
