"""Runs the nudge sweeps inside ``hmis-bot serve``: APScheduler ticks on every replica, and a
lease row in the database lets exactly one of them sweep at a time.

The holder renews the lease on every tick, and every tick from a thread of its own while it
sweeps (a sweep, or one rule, longer than the lease would otherwise let a second replica start
one); when it dies, the lease runs out and the next replica to tick takes over. Each sweep
is logged as it starts and ends, with its holder, and timed in ``/metrics``.

Sweeps select everything due up to now, so a late or missed tick loses nothing: the next one
catches up (``misfire_grace_time=None`` runs a late tick however late, ``coalesce=True`` runs a
backlog of ticks once, and the first tick runs at start-up).

A tick never raises: a failure (the database down while taking the lease) is logged in one
line and counted, and the next tick tries again; ``health`` says when a tick last got through.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import or_, update

from chatbot import metrics
from chatbot.runtime import Runtime
from chatbot.scheduling.sweeper import Sweeper
from chatbot.storage.database import Database
from chatbot.storage.ledger import Clock
from chatbot.storage.models import SchedulerLease
from chatbot.storage.upsert import insert_unless_present
from chatbot.supervision import FailureLog, LoopHealth

log = logging.getLogger(__name__)

LEASE_TICKS = 3  # a lease lasts three ticks: after three missed ones another replica takes over
SWEEP_LEASE = "nudge-sweep"
STALL_TICKS = 3  # /healthz: no tick got through in three intervals
LOOP = "sweep"  # the loop's name in /metrics and /healthz


def replica_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Lease:
    """A named lease row: one holder at a time, until it lapses unrenewed."""

    def __init__(
        self, db: Database, name: str, holder: str, clock: Clock, duration: timedelta
    ) -> None:
        self._db = db
        self.name = name
        self.holder = holder
        self._clock = clock
        self._duration = duration

    def acquire(self) -> bool:
        """Take the lease if it is free or lapsed, or renew it if held: True when held now."""
        now = self._clock()
        expires_at = now + self._duration
        with self._db.transaction() as session:
            renewed = session.execute(
                update(SchedulerLease)
                .where(
                    SchedulerLease.name == self.name,
                    or_(SchedulerLease.holder == self.holder, SchedulerLease.expires_at <= now),
                )
                .values(holder=self.holder, expires_at=expires_at)
            )
            if renewed.rowcount == 1:  # type: ignore[attr-defined]
                return True
            values = {"name": self.name, "holder": self.holder, "expires_at": expires_at}
            created = insert_unless_present(session, SchedulerLease).values(values)
            return session.scalar(created.returning(SchedulerLease.name)) is not None

    def release(self) -> None:
        """Let another replica take over at once (on a clean shutdown)."""
        with self._db.transaction() as session:
            session.execute(
                update(SchedulerLease)
                .where(SchedulerLease.name == self.name, SchedulerLease.holder == self.holder)
                .values(expires_at=self._clock())
            )


class LeaseKeeper:
    """Renews a held lease every ``interval`` seconds from a thread of its own while a sweep
    runs, so a rule longer than the lease cannot let it lapse under a live holder. ``held``
    turns False once a renewal finds the lease taken (the holder was too slow to renew, its
    database unreachable for a whole lease): the sweep stops at its next rule."""

    def __init__(self, lease: Lease, interval: float, failures: FailureLog) -> None:
        self._lease = lease
        self._interval = interval
        self._failures = failures
        self._lost = threading.Event()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._renew, name="sweep-lease", daemon=True)

    def __enter__(self) -> LeaseKeeper:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._done.set()
        self._thread.join()

    def held(self) -> bool:
        return not self._lost.is_set()

    def _renew(self) -> None:
        while not self._done.wait(self._interval):
            try:
                if not self._lease.acquire():
                    self._lost.set()
                    return
            # A renewal that fails (the database away) is retried on the next interval; the
            # lease lapses only if none gets through for the whole lease.
            except Exception as error:  # noqa: BLE001
                self._failures.record("renewing the sweep lease", error)
                metrics.LOOP_FAILURES.labels(LOOP).inc()


class NudgeScheduler:
    def __init__(
        self,
        sweeper: Sweeper,
        lease: Lease,
        clock: Clock,
        wake: Callable[[], None],
        every: timedelta,
    ) -> None:
        """``wake`` tells the outbox dispatcher there is work; called from the sweep thread."""
        self._sweeper = sweeper
        self._lease = lease
        self._clock = clock
        self._wake = wake
        self._every = every
        self._scheduler = BackgroundScheduler(timezone=UTC)
        self._failures = FailureLog(log)
        self.health = LoopHealth(LOOP, clock, STALL_TICKS * every)

    def start(self) -> None:
        self._scheduler.add_job(
            self.tick,
            IntervalTrigger(seconds=self._every.total_seconds(), timezone=UTC),
            id="nudge-sweep",
            next_run_time=datetime.now(UTC),
            coalesce=True,
            misfire_grace_time=None,
            max_instances=1,
        )
        self._scheduler.start()
        log.info("nudge sweeps every %s, on whichever replica holds the lease", self._every)

    def stop(self) -> None:
        """Wait for a running sweep, then hand the lease over."""
        self._scheduler.shutdown(wait=True)
        self._lease.release()

    def tick(self) -> bool:
        """Sweep if this replica holds the lease; True when it swept. Never raises."""
        try:
            swept = self._sweep_if_leased()
        # APScheduler would log the traceback on every tick of an outage; the loop's own
        # log says it once per error type, counts the failure, and the next tick retries.
        except Exception as error:  # noqa: BLE001
            self._failures.record("nudge sweep tick", error, "; the next tick retries")
            metrics.LOOP_FAILURES.labels(LOOP).inc()
            return False
        self.health.progressed()
        return swept

    def _sweep_if_leased(self) -> bool:
        if not self._lease.acquire():
            return False
        log.info("nudge sweep started by %s", self._lease.holder)
        started = time.perf_counter()
        with LeaseKeeper(self._lease, self._every.total_seconds(), self._failures) as keeper:
            result = self._sweeper.run(self._clock(), still_leased=keeper.held)
        took = time.perf_counter() - started
        metrics.SWEEP_SECONDS.observe(took)
        log.info("nudge sweep by %s took %.3f s", self._lease.holder, took)
        if result.queued:
            log.info("nudge sweep queued %d messages", len(result.queued))
            self._wake()
        if result.failed:
            log.warning("nudge sweep: %d rules failed: %s", len(result.failed), result.failed)
        return True


def start_nudges(
    runtime: Runtime, minutes: float, clock: Clock, loop: asyncio.AbstractEventLoop
) -> NudgeScheduler | None:
    """Sweep every ``minutes`` inside ``hmis-bot serve``; not at all when that is 0 (sweeps
    then come from ``hmis-bot sweep``) or when no chat platform could deliver them."""
    if not minutes:
        log.info("in-process sweeps are off (HMIS_BOT_SWEEP_MINUTES=0): run `hmis-bot sweep`")
        return None
    if not runtime.sweeper.platforms:
        log.warning("nudges are off: no chat platform is on to deliver them")
        return None
    every = timedelta(minutes=minutes)
    lease = Lease(runtime.db, SWEEP_LEASE, replica_name(), clock, LEASE_TICKS * every)

    def wake_dispatcher() -> None:
        loop.call_soon_threadsafe(runtime.dispatcher.wake)

    scheduler = NudgeScheduler(runtime.sweeper, lease, clock, wake_dispatcher, every)
    scheduler.start()
    return scheduler
