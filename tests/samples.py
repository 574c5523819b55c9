"""Sample requests of every kind in every state they can reach, made by running each kind's own
flow on the in-memory ledger at a fixed clock, so card snapshots show only what can happen.

Each kind's scenario is ``tests/scenarios/<kind name>.py``: a ``scenario(rec)`` function that
files and moves requests of that kind through ``rec.step``. A kind without one fails. A
module may also have a ``late_scenario(rec)``, run after every kind's scenario, for samples
added later that should not renumber or retime the others."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from chatbot.community_calendar import business_calendar
from flows.community import Community
from flows.kinds import default_registry
from flows.kit.machine import Machine
from flows.kit.registry import Registry
from flows.memory import MemoryLedger
from flows.model import StoredRequest
from tests.conftest import START, Clock
from tests.drive import Driver, memory_driver

ODD_NAME = "Jane <Doe> & Co"  # markup characters every renderer must escape


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

    def next_id(self) -> int:
        """The id the next filed request will get."""
        return max(self.ids, default=0) + 1


def samples(community: Community) -> dict[tuple[str, str], StoredRequest]:
    """Every (kind, state) the scenarios reach, with the request as it was there."""
    registry = default_registry()
    recorder = Recorder(community, registry)
    for kind in registry:
        scenario_of(kind.name)(recorder)
    for kind in registry:
        late = getattr(
            importlib.import_module(f"tests.scenarios.{kind.name}"), "late_scenario", None
        )
        if late is not None:
            late(recorder)
    return recorder.seen


def scenario_of(kind: str) -> Callable[[Recorder], None]:
    module = importlib.import_module(f"tests.scenarios.{kind}")
    scenario: Callable[[Recorder], None] = module.scenario
    return scenario
