"""Ending every grant of a person at once (``flows.kit.grants``), as a deactivation's
confirmation does, on memory, SQLite and PostgreSQL: each active grant ends once, audited."""

from __future__ import annotations

from datetime import timedelta

from flows.grants import AGENCY_ACCESS, CE_ASSESSOR, Grant
from flows.kit.grants import end_grants_of
from flows.memory import MemoryLedger
from flows.ports import Ledger
from tests.conftest import Clock
from tests.drive import Driver, actor
from tests.requests import ADMIN, LEAD, TRAINEE

LEAVER = "leaver@riverhouse.example.org"

OTHER = "other@riverhouse.example.org"


def held(driver: Driver, email: str) -> list[Grant]:
    return driver.run(lambda ledger: ledger.grants_of(email))  # type: ignore[no-any-return]


def test_every_active_grant_of_the_person_ends_once(driver: Driver, clock: Clock) -> None:
    def grant(ledger: Ledger) -> None:
        ledger.add_grant(TRAINEE, AGENCY_ACCESS, "yolo-food-bank", None)
        ledger.add_grant(TRAINEE, CE_ASSESSOR, "", None, clock.now + timedelta(days=365))
        ledger.add_grant(OTHER, AGENCY_ACCESS, "yolo-food-bank", None)

    driver.run(grant)
    ended = driver.run(
        lambda ledger: end_grants_of(ledger, TRAINEE, actor(ADMIN), "deactivation #4")
    )
    assert [(g.kind, g.ended_by) for g in ended] == [(AGENCY_ACCESS, ADMIN), (CE_ASSESSOR, ADMIN)]
    assert held(driver, TRAINEE) == []
    assert [g.email for g in held(driver, OTHER)] == [OTHER], "nobody else's"
    again = driver.run(lambda ledger: end_grants_of(ledger, TRAINEE, "hmis-bot", "again"))
    assert again == []


def test_each_ending_is_audited_with_its_cause(clock: Clock) -> None:
    ledger = MemoryLedger(clock)
    ledger.add_grant(TRAINEE, AGENCY_ACCESS, "yolo-food-bank", None)
    end_grants_of(ledger, TRAINEE, "hmis-bot", "deactivation #4")
    [event] = ledger.audit_log
    assert (event.action, event.outcome, event.actor) == ("grant.ended", "ok", None)
    assert event.subject is not None
    assert event.subject.kind == "grant"
    assert event.details == {
        "kind": AGENCY_ACCESS,
        "value": "yolo-food-bank",
        "holder": TRAINEE,
        "cause": "deactivation #4",
        "by": "hmis-bot",
    }


def test_a_deactivation_ends_the_persons_grants(driver: Driver) -> None:
    driver.add_account(LEAVER, "Lee Leaver")
    driver.run(lambda ledger: ledger.add_grant(LEAVER, "agency_access", "yolo-food-bank", None))
    driver.submit(LEAD, {"person": LEAVER, "reason": "left_agency"}, kind="deactivation")
    driver.click(ADMIN, "confirm", kind="deactivation")
    assert driver.run(lambda ledger: ledger.grants_of(LEAVER)) == []
