"""The backlog gauges of ``/metrics``, read from the database at each scrape: the outbox's
depth and oldest age, open requests by kind and state, and those past their deadline.

Three grouped queries over indexed columns; a scrape every 15 s or so costs little."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from chatbot import metrics
from chatbot.storage.database import Database
from chatbot.storage.models import OutboxRow, RequestRow

PENDING = "pending"  # chatbot.delivery.outbox.Status.PENDING (no import: that module is big)


def refresh_backlog(db: Database, now: datetime) -> None:
    """Set the backlog gauges to what the database holds at ``now``."""
    with db.transaction() as session:
        _outbox(session, now)
        _requests(session, now)


def _outbox(session: Session, now: datetime) -> None:
    pending = session.execute(
        select(OutboxRow.platform, func.count(), func.min(OutboxRow.created_at))
        .where(OutboxRow.status == PENDING)
        .group_by(OutboxRow.platform)
    ).all()
    metrics.OUTBOX_PENDING.clear()
    oldest: datetime | None = None
    for platform, count, created_at in pending:
        metrics.OUTBOX_PENDING.labels(platform).set(count)
        oldest = created_at if oldest is None else min(oldest, created_at)
    age = 0.0 if oldest is None else (now - oldest).total_seconds()
    metrics.OUTBOX_OLDEST_PENDING_SECONDS.set(max(age, 0.0))


def _requests(session: Session, now: datetime) -> None:
    overdue = func.count().filter(RequestRow.due_at < now)
    rows = session.execute(
        select(RequestRow.kind, RequestRow.state, func.count(), overdue)
        .where(RequestRow.open_key.is_not(None))
        .group_by(RequestRow.kind, RequestRow.state)
    ).all()
    metrics.REQUESTS_OPEN.clear()
    metrics.SLA_BREACHES.clear()
    for kind, state, count, late in rows:
        metrics.REQUESTS_OPEN.labels(kind, state).set(count)
        metrics.SLA_BREACHES.labels(kind, state).set(late)
