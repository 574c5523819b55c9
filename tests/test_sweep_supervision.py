"""A sweep survives its rules, and the scheduler's tick survives everything: a failing rule is
rolled back, logged and counted while the other rules run; a tick that cannot even take the
lease (the database down) is counted and the next tick sweeps."""

from __future__ import annotations

import logging
import time
from datetime import timedelta

import pytest
from prometheus_client import REGISTRY

from chatbot.scheduling.scheduler import (
    LEASE_TICKS,
    SWEEP_LEASE,
    Lease,
    LeaseKeeper,
    NudgeScheduler,
)
from chatbot.storage.database import Database
from chatbot.supervision import FailureLog
from flows.community import Community
from flows.nudges.rules import RequestRule, Rule
from flows.nudges.sweep import NudgeSweep
from tests.conftest import Clock
from tests.nudges import NudgeBed, local
from tests.outages import SwitchableDatabase, loop_failures
from tests.requests import LEAD, TRAINEE, request_values

EVERY = timedelta(minutes=5)
FAILING = "new_user.verification_overdue:awaiting_verification:stage 0"
FAILING_NUDGE = "new_user.verification_overdue"


@pytest.fixture
def bed(database: Database, community: Community, clock: Clock) -> NudgeBed:
    bed = NudgeBed(database, community, clock)
    bed.at("2026-11-18 10:00")
    bed.file(LEAD, request_values())  # staff verification due Wed 25 Nov, 17:00
    bed.add_account(TRAINEE, local("2026-09-01 12:00"))  # no login for three months
    bed.at("2026-12-01 09:00")  # both are due now
    return bed


@pytest.fixture
def broken_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    """The verification-overdue rule fails (a bug, a query that times out) after writing."""
    run = NudgeSweep.run

    def failing(sweep: NudgeSweep, rule: Rule) -> None:
        run(sweep, rule)
        if isinstance(rule, RequestRule) and rule.nudge == "verification_overdue":
            raise RuntimeError("the rule broke halfway")

    monkeypatch.setattr(NudgeSweep, "run", failing)


def rule_failures(kind: str) -> float:
    labels = {"kind": kind}
    return REGISTRY.get_sample_value("hmis_bot_sweep_rule_failures_total", labels) or 0.0


def test_a_failing_rule_fails_alone(bed: NudgeBed, broken_rule: None) -> None:
    """Before: the first failing rule ended the sweep, and every rule after it went unrun."""
    counted = rule_failures(FAILING_NUDGE)
    result = bed.sweeper.run(bed.clock.now)
    assert result.failed == [FAILING]
    assert rule_failures(FAILING_NUDGE) == counted + 1
    kinds = {kind for kind, _, _ in bed.take()}
    assert "inactivity_disable" in kinds  # the rules after the failing one ran
    assert "verification_overdue" not in kinds  # the failing rule's writes were rolled back


def test_the_next_sweep_catches_up_on_a_rule_that_failed(
    bed: NudgeBed, monkeypatch: pytest.MonkeyPatch, broken_rule: None
) -> None:
    bed.sweeper.run(bed.clock.now)
    bed.take()
    monkeypatch.undo()  # the rule is fixed
    assert bed.sweeper.run(bed.clock.now).failed == []
    assert {kind for kind, _, _ in bed.take()} == {"verification_overdue"}


def test_a_tick_outlives_the_database_going_away(
    bed: NudgeBed, database_url: str, clock: Clock
) -> None:
    """Before: the lease's OperationalError escaped the tick (a traceback per tick from
    APScheduler) and nothing said the sweeps had stopped."""
    flaky = SwitchableDatabase(database_url)
    lease = Lease(flaky, SWEEP_LEASE, "replica-1", clock, LEASE_TICKS * EVERY)
    woken: list[bool] = []
    scheduler = NudgeScheduler(bed.sweeper, lease, clock, lambda: woken.append(True), EVERY)
    failures = loop_failures("sweep")
    started = scheduler.health.last_progress
    clock.advance(minutes=5)
    with flaky.outage():
        assert scheduler.tick() is False
    assert loop_failures("sweep") == failures + 1
    assert scheduler.health.last_progress == started  # no progress while it failed
    assert scheduler.tick() is True
    assert scheduler.health.last_progress == clock.now
    assert woken == [True]
    flaky.dispose()


def test_a_tick_with_a_failing_rule_still_sweeps_the_rest(
    bed: NudgeBed, clock: Clock, broken_rule: None, caplog: pytest.LogCaptureFixture
) -> None:
    lease = Lease(bed.database, SWEEP_LEASE, "replica-1", clock, LEASE_TICKS * EVERY)
    scheduler = NudgeScheduler(bed.sweeper, lease, clock, lambda: None, EVERY)
    assert scheduler.tick() is True
    assert any(FAILING in record.getMessage() for record in caplog.records)
    assert "inactivity_disable" in {kind for kind, _, _ in bed.take()}


def test_a_sweep_longer_than_the_lease_keeps_it(database: Database, clock: Clock) -> None:
    """Before, the lease was renewed only on ticks: a sweep (or one rule) longer than the
    lease let another replica take it and start a second sweep alongside."""
    mine, theirs = (
        Lease(database, SWEEP_LEASE, holder, clock, timedelta(seconds=3))
        for holder in ("mine", "theirs")
    )
    assert mine.acquire()
    with LeaseKeeper(mine, 0.02, FailureLog(logging.getLogger(__name__))) as keeper:
        for _ in range(3):  # six seconds of sweeping: twice the lease
            clock.advance(seconds=2)
            time.sleep(0.2)  # the keeper renews meanwhile
        assert not theirs.acquire()
        assert keeper.held()


def test_a_keeper_that_finds_the_lease_taken_stops_the_sweep(
    database: Database, clock: Clock
) -> None:
    mine, theirs = (
        Lease(database, SWEEP_LEASE, holder, clock, timedelta(seconds=3))
        for holder in ("mine", "theirs")
    )
    assert mine.acquire()
    clock.advance(seconds=4)  # the holder stalled for longer than the lease
    assert theirs.acquire()
    with LeaseKeeper(mine, 0.02, FailureLog(logging.getLogger(__name__))) as keeper:
        deadline = time.monotonic() + 5
        while keeper.held() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert not keeper.held()
