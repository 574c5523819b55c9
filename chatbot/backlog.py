"""The backlog gauges of ``/metrics``, read from the database at each scrape: the outbox's
depth and oldest age, open requests by kind and state, and those past their deadline.

A scrape reads a ``Backlog`` (three grouped queries over indexed columns) and hands it to the
collector whole, so a scrape never sees half of one reading and half of another."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from chatbot.storage.database import Database
from chatbot.storage.models import OutboxRow, RequestRow

PENDING = "pending"  # chatbot.delivery.outbox.Status.PENDING (no import: that module is big)


@dataclass(frozen=True)
class Backlog:
    outbox_pending: Mapping[str, int] = field(default_factory=dict)  # by platform
    oldest_pending_seconds: float = 0.0
    requests: Mapping[tuple[str, str], tuple[int, int]] = field(default_factory=dict)
    """(kind, state): (open, overdue)."""


def read_backlog(db: Database, now: datetime) -> Backlog:
    """What the database holds at ``now``."""
    with db.transaction() as session:
        pending, oldest = _outbox(session, now)
        return Backlog(pending, oldest, _requests(session, now))


def _outbox(session: Session, now: datetime) -> tuple[dict[str, int], float]:
    rows = session.execute(
        select(OutboxRow.platform, func.count(), func.min(OutboxRow.created_at))
        .where(OutboxRow.status == PENDING)
        .group_by(OutboxRow.platform)
    ).all()
    oldest = min((created_at for _, _, created_at in rows), default=now)
    return {platform: count for platform, count, _ in rows}, max((now - oldest).total_seconds(), 0)


def _requests(session: Session, now: datetime) -> dict[tuple[str, str], tuple[int, int]]:
    overdue = func.count().filter(RequestRow.due_at < now)
    rows = session.execute(
        select(RequestRow.kind, RequestRow.state, func.count(), overdue)
        .where(RequestRow.open_key.is_not(None))
        .group_by(RequestRow.kind, RequestRow.state)
    ).all()
    return {(kind, state): (count, late) for kind, state, count, late in rows}


class BacklogCollector(Collector):
    """Serves the latest ``Backlog`` as gauges (none before the first reading)."""

    def __init__(self) -> None:
        self.latest: Backlog | None = None

    def collect(self) -> Iterator[Metric]:
        backlog = self.latest
        if backlog is None:
            return
        pending = GaugeMetricFamily(
            "hmis_bot_outbox_pending",
            "Outbox rows waiting for delivery (due or backing off), by platform",
            labels=["platform"],
        )
        for platform, count in backlog.outbox_pending.items():
            pending.add_metric([platform], count)
        yield pending
        yield GaugeMetricFamily(
            "hmis_bot_outbox_oldest_pending_seconds",
            "Age of the oldest outbox row waiting for delivery; 0 when none waits",
            value=backlog.oldest_pending_seconds,
        )
        yield from _request_gauges(backlog)


def _request_gauges(backlog: Backlog) -> Iterator[Metric]:
    open_requests = GaugeMetricFamily(
        "hmis_bot_requests_open", "Open requests by kind and state", labels=["kind", "state"]
    )
    overdue = GaugeMetricFamily(
        "hmis_bot_requests_overdue",
        "Open requests past their current deadline (an SLA breach), by kind and state",
        labels=["kind", "state"],
    )
    for (kind, state), (count, late) in backlog.requests.items():
        open_requests.add_metric([kind, state], count)
        overdue.add_metric([kind, state], late)
    yield open_requests
    yield overdue
