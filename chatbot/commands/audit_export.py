"""``hmis-bot audit export``: the append-only audit log as CSV or JSON lines."""

from __future__ import annotations

import csv
import json
from datetime import UTC, date, datetime
from typing import TextIO

from sqlalchemy import select

from chatbot.storage.database import Database
from chatbot.storage.models import AuditEventRow

COLUMNS = (
    "id",
    "at",
    "actor_email",
    "platform",
    "platform_user_id",
    "action",
    "outcome",
    "subject_kind",
    "subject_id",
    "details",
)


def export_audit(db: Database, out: TextIO, fmt: str, since: date | None) -> None:
    query = select(AuditEventRow).order_by(AuditEventRow.id)
    if since:
        start = datetime.combine(since, datetime.min.time(), UTC)
        query = query.where(AuditEventRow.at >= start)
    writer = csv.writer(out) if fmt == "csv" else None
    if writer:
        writer.writerow(COLUMNS)
    with db.transaction() as session:
        for row in session.scalars(query).yield_per(500):
            record = {
                "id": row.id,
                "at": row.at.isoformat(),
                "actor_email": row.actor_email,
                "platform": row.platform,
                "platform_user_id": row.platform_user_id,
                "action": row.action,
                "outcome": row.outcome,
                "subject_kind": row.subject_kind,
                "subject_id": row.subject_id,
                "details": row.details,
            }
            if writer:
                writer.writerow(
                    [
                        json.dumps(record["details"], sort_keys=True)
                        if c == "details"
                        else record[c]
                        for c in COLUMNS
                    ]
                )
            else:
                out.write(json.dumps(record, sort_keys=True) + "\n")
