"""Racing clicks on real databases: 200 requests waiting for approval, each hit by 2 to 5
concurrent approve, deny and withdraw clicks from different people. Each request moves exactly
once, with exactly one audit row for the move, and every other click is refused and audited."""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select

from chatbot.community_calendar import business_calendar
from chatbot.service import BotService
from chatbot.storage.database import Database
from chatbot.storage.models import AuditEventRow, RequestTransition
from flows.community import Community
from flows.kinds import default_registry
from flows.kinds.new_user.details import NewUserState
from flows.kit import buttons
from flows.kit.machine import Machine
from flows.model import Filing, Platform
from flows.outcomes import Outcome
from flows.ports import Ledger
from flows.ui import ActionCommand
from tests.conftest import Clock
from tests.drive import actor, service_driver
from tests.requests import ADMIN, LEAD, SECOND_ADMIN
from tests.samples import samples

REQUESTS = 200
GROUPS_AT_ONCE = 10  # up to 50 threads racing at a time
CLICKS = (
    (ADMIN, "approve"),
    (SECOND_ADMIN, "approve"),
    (ADMIN, "deny"),
    (SECOND_ADMIN, "deny"),
    (LEAD, "withdraw"),
)


def test_racing_decisions_move_each_request_exactly_once(
    database: Database, community: Community, clock: Clock
) -> None:
    registry = default_registry()
    service = BotService(
        database, community, business_calendar(community), clock, (Platform.SLACK,), registry
    )
    driver = service_driver(service)
    kind = registry.default
    sample = kind.typed(samples(community)[("new_user", NewUserState.AWAITING_APPROVAL)])
    for number in range(REQUESTS):
        email = f"person{number}@riverhouse.example.org"
        filing = Filing(
            kind=kind.name,
            state=NewUserState.AWAITING_APPROVAL,
            requester_email=LEAD,
            subject_email=email,
            subject_name=f"Person {number}",
            agency_id="river-house",
            details=sample.details,
            parties=dict(kind.parties_of(sample)) | {"trainee": email},
            open_key=email,
        )
        assert service.run_sync(lambda ledger, f=filing: ledger.add_request(f)) is not None

    rng = random.Random(9)
    groups = [rng.sample(CLICKS, rng.randint(2, 5)) for _ in range(REQUESTS)]
    outcomes: list[Outcome] = []
    for start in range(0, REQUESTS, GROUPS_AT_ONCE):
        threads = [
            thread
            for offset, group in enumerate(groups[start : start + GROUPS_AT_ONCE])
            for thread in _racers(driver.machine, service, start + offset + 1, group, outcomes)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    with database.transaction() as session:
        moves = Counter(
            session.scalars(
                select(RequestTransition.request_id).where(
                    RequestTransition.from_state == NewUserState.AWAITING_APPROVAL
                )
            )
        )
        decided = Counter(
            session.scalars(
                select(AuditEventRow.subject_id).where(
                    AuditEventRow.outcome == "ok", AuditEventRow.details["to"].is_not(None)
                )
            )
        )
        refusals = session.scalar(
            select(func.count())
            .select_from(AuditEventRow)
            .where(AuditEventRow.outcome == "refused")
        )
    assert set(moves.values()) == {1}
    assert len(moves) == REQUESTS
    assert decided == Counter({str(request_id): 1 for request_id in moves})
    assert refusals == sum(len(group) for group in groups) - REQUESTS
    assert len(outcomes) == sum(len(group) for group in groups)


def _racers(
    machine: Callable[[str, Ledger], Machine[Any]],
    service: BotService,
    request_id: int,
    group: list[tuple[str, str]],
    outcomes: list[Outcome],
) -> list[threading.Thread]:
    """One thread per click on the request, released together."""
    barrier = threading.Barrier(len(group))
    version = 1

    def click(email: str, verb: str) -> None:
        command = ActionCommand("new_user", verb, request_id, version)
        barrier.wait()

        def work(ledger: Ledger) -> Outcome:
            m = machine("new_user", ledger)
            if verb == "deny":  # the reason form comes back filled in
                values = {buttons.REASON_FIELD: "Not eligible"}
                return buttons.submit_reason(m, actor(email), command, values)
            return buttons.click(m, actor(email), command)

        outcomes.append(service.run_sync(work))

    return [threading.Thread(target=click, args=click_args) for click_args in group]
