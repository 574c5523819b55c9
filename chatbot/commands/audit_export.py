"""``hmis-bot audit export``: the append-only audit log as CSV or JSON lines.

Each event carries its moment in UTC (``at``) and in the community's own time zone
(``local_time``), both to the second, and says whom it is about in words (``subject``:
``request #3: Jane Doe (new user)``, ``account: Jane Doe``) next to the stored kind and id.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any, TextIO

from sqlalchemy import select

from chatbot.commands.subjects import Subjects
from chatbot.storage.database import Database
from chatbot.storage.models import AuditEventRow
from flows.calendar import BusinessCalendar
from flows.community import Community

COLUMNS = (
    "id",
    "at",
    "local_time",
    "actor_email",
    "platform",
    "platform_user_id",
    "action",
    "outcome",
    "subject_kind",
    "subject_id",
    "subject",
    "details",
)
LOCAL_TIME = "%Y-%m-%d %H:%M:%S %Z"


def export_audit(
    db: Database,
    out: TextIO,
    fmt: str,
    since: date | None,
    *,
    community: Community,
    calendar: BusinessCalendar,
) -> None:
    """Every event since ``since`` (a date in the community's time zone), oldest first."""
    writer = csv.writer(out) if fmt == "csv" else None
    if writer:
        writer.writerow(COLUMNS)
    for record in _records(db, since, community, calendar):
        if writer:
            details = json.dumps(record["details"], sort_keys=True)
            writer.writerow([details if c == "details" else record[c] for c in COLUMNS])
        else:
            out.write(json.dumps(record, sort_keys=True) + "\n")


def _records(
    db: Database, since: date | None, community: Community, calendar: BusinessCalendar
) -> Iterator[dict[str, Any]]:
    query = select(AuditEventRow).order_by(AuditEventRow.id)
    if since:
        start = datetime.combine(since, datetime.min.time(), calendar.timezone)
        query = query.where(AuditEventRow.at >= start.astimezone(UTC))
    with db.transaction() as session:
        subjects = Subjects(session, community)
        for row in session.scalars(query).yield_per(500):
            yield {
                "id": row.id,
                "at": row.at.astimezone(UTC).replace(microsecond=0).isoformat(),
                "local_time": calendar.local(row.at).strftime(LOCAL_TIME),
                "actor_email": row.actor_email,
                "platform": row.platform,
                "platform_user_id": row.platform_user_id,
                "action": row.action,
                "outcome": row.outcome,
                "subject_kind": row.subject_kind,
                "subject_id": row.subject_id,
                "subject": subjects.subject(row.subject_kind, row.subject_id),
                "details": row.details,
            }
