"""Admins ticking steps of one agency's onboarding at the same moment, on real databases: each
step is recorded once or not at all, in the request and in the directory alike, with one audit
row per tick and per refusal; the steps not recorded say so and can be pressed again."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from chatbot.community_calendar import business_calendar
from chatbot.service import BotService
from chatbot.storage.database import Database
from chatbot.storage.models import AgencyChangeRow, AuditEventRow
from flows.community import Community
from flows.kinds import default_registry
from flows.kinds.agency_participation.details import ParticipationDetails
from flows.kit import buttons
from flows.kit.machine import Machine
from flows.model import Platform
from flows.outcomes import Outcome
from flows.ports import Ledger
from flows.ui import ActionCommand, Notice
from tests.conftest import Clock
from tests.drive import actor, service_driver
from tests.onboarding import CHECKLIST, DELTA, king_county_style
from tests.requests import ADMIN, SECOND_ADMIN

KIND = "agency_participation"


def test_steps_ticked_at_once_are_each_recorded_once_or_pressed_again(
    database: Database, community: Community, clock: Clock
) -> None:
    kc = king_county_style(community)
    service = BotService(
        database, kc, business_calendar(kc), clock, (Platform.SLACK,), default_registry()
    )
    driver = service_driver(service)
    driver.submit(ADMIN, {"agency": DELTA}, kind=KIND)
    pending = [s.id for s in CHECKLIST]
    for _ in range(len(CHECKLIST)):
        outcomes = _race(driver.machine, service, pending)
        details = driver.request(1).typed(ParticipationDetails).details
        pending = [s.id for s in details.missing]
        assert all(isinstance(o, Notice) for o in outcomes)
        if not pending:
            break
    assert pending == []
    with database.transaction() as session:
        ticked = list(session.scalars(select(AgencyChangeRow.value)))
        audit = list(session.execute(select(AuditEventRow.action, AuditEventRow.outcome)))
    assert sorted(ticked) == sorted(s.id for s in CHECKLIST)
    assert audit.count(("agency_participation.tick", "ok")) == len(CHECKLIST)
    refused = audit.count(("agency_participation.tick", "refused"))
    assert len(audit) == 1 + len(CHECKLIST) + refused  # the filing, each tick, each refusal


def _race(
    machine: Callable[[str, Ledger], Machine[Any]], service: BotService, steps: list[str]
) -> list[Outcome]:
    barrier = threading.Barrier(len(steps))
    outcomes: list[Outcome] = []

    def tick(index: int, step: str) -> None:
        who = (ADMIN, SECOND_ADMIN)[index % 2]
        command = ActionCommand(KIND, f"tick.{step}", 1, 1)
        barrier.wait()

        def work(ledger: Ledger) -> Outcome:
            return buttons.click(machine(KIND, ledger), actor(who), command)

        outcomes.append(service.run_sync(work))

    threads = [threading.Thread(target=tick, args=(i, s)) for i, s in enumerate(steps)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes
