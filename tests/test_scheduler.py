"""The scheduler inside ``hmis-bot serve``: one replica at a time holds the lease, another takes
over when it lapses, and the first sweep runs at start-up to catch up after downtime."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from chatbot.scheduling.scheduler import LEASE_TICKS, SWEEP_LEASE, Lease, NudgeScheduler
from chatbot.storage.database import Database
from flows.community import Community
from tests.conftest import Clock
from tests.nudges import NudgeBed
from tests.requests import LEAD, request_values

EVERY = timedelta(minutes=5)


def lease(database: Database, clock: Clock, holder: str) -> Lease:
    return Lease(database, SWEEP_LEASE, holder, clock, LEASE_TICKS * EVERY)


def test_one_replica_holds_the_lease_until_it_lapses(database: Database, clock: Clock) -> None:
    first, second = lease(database, clock, "replica-1"), lease(database, clock, "replica-2")
    assert first.acquire()
    assert not second.acquire()
    clock.advance(minutes=10)
    assert first.acquire()  # renewed for another 15 minutes
    clock.advance(minutes=14)
    assert not second.acquire()
    clock.advance(minutes=2)  # replica-1 died: its lease lapsed
    assert second.acquire()
    assert not first.acquire()
    second.release()  # a clean shutdown hands over at once
    assert first.acquire()


def test_replicas_racing_for_a_free_lease_get_it_once(database: Database, clock: Clock) -> None:
    start = threading.Barrier(4)
    won: list[str] = []

    def race(holder: str) -> None:
        start.wait()
        if lease(database, clock, holder).acquire():
            won.append(holder)

    racers = [threading.Thread(target=race, args=(f"replica-{i}",)) for i in range(4)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join()
    assert len(won) == 1


@pytest.fixture
def bed(database: Database, community: Community, clock: Clock) -> NudgeBed:
    return NudgeBed(database, community, clock)


def test_the_first_sweep_runs_at_start_up_and_catches_up(bed: NudgeBed) -> None:
    bed.at("2026-11-18 10:00")
    bed.file(LEAD, request_values())  # staff verification due Wed 25 Nov, 17:00
    bed.at("2026-12-01 09:00")  # the server was down all along
    woken = threading.Event()
    scheduler = NudgeScheduler(
        bed.sweeper, lease(bed.database, bed.clock, "replica-1"), bed.clock, woken.set, EVERY
    )
    standby = NudgeScheduler(
        bed.sweeper, lease(bed.database, bed.clock, "replica-2"), bed.clock, woken.set, EVERY
    )
    scheduler.start()
    try:
        assert woken.wait(timeout=10)
        assert not standby.tick()  # another replica ticking meanwhile does not sweep
    finally:
        scheduler.stop()
    assert sorted(bed.take()) == sorted(
        ("verification_overdue", who, "Tue 2026-12-01 09:00") for who in (LEAD, "admin channel")
    )
    assert standby.tick()  # the stopped replica handed its lease over
    assert bed.take() == []


def test_late_ticks_are_never_skipped_and_a_backlog_runs_once(
    bed: NudgeBed,
) -> None:
    """APScheduler's defaults would drop a tick more than a second late; sweeps must not be."""
    scheduler = NudgeScheduler(
        bed.sweeper, lease(bed.database, bed.clock, "replica-1"), bed.clock, lambda: None, EVERY
    )
    scheduler.start()
    try:
        [job] = scheduler._scheduler.get_jobs()  # the job's settings are what is tested
    finally:
        scheduler.stop()
    assert (job.misfire_grace_time, job.coalesce, job.max_instances) == (None, True, 1)
