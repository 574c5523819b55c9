"""Training completions imported from the LMS, one row per person and training, moved only
forward; read beside the reports on requests by ``SqlLedger.trainings_completed`` and by the
renewal reminders."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from chatbot.storage.models import TrainingRecordRow
from chatbot.storage.routing import chunked
from flows.model import TrainingCompletion

Pair = tuple[str, str]
"""(e-mail, training id)"""


def completions_of(session: Session, email: str) -> Mapping[str, datetime]:
    rows = session.execute(
        select(TrainingRecordRow.training_id, TrainingRecordRow.completed_at).where(
            TrainingRecordRow.email == email
        )
    )
    return dict(rows.all())


def record_completions(
    session: Session, completions: Sequence[TrainingCompletion], now: datetime
) -> list[TrainingCompletion]:
    """Insert or move forward each person's completion of each training, in one executemany
    that re-checks, row by row, that it moves forward (an import running meanwhile never
    moves one back); the completions that changed something."""
    latest: dict[Pair, TrainingCompletion] = {}
    for completion in completions:
        key = (completion.email, completion.training_id)
        if key not in latest or completion.completed_at > latest[key].completed_at:
            latest[key] = completion
    on_record = _on_record(session, {email for email, _ in latest})
    changed = [
        c
        for key, c in sorted(latest.items())
        if key not in on_record or c.completed_at > on_record[key]
    ]
    if changed:
        session.connection().execute(
            _upsert(session),
            [_row(c, now) for c in changed],
        )
    return changed


def _on_record(session: Session, emails: Collection[str]) -> dict[Pair, datetime]:
    record = TrainingRecordRow
    found: dict[Pair, datetime] = {}
    for chunk in chunked(sorted(emails)):
        rows = session.execute(
            select(record.email, record.training_id, record.completed_at).where(
                record.email.in_(chunk)
            )
        )
        found |= {(email, training): at for email, training, at in rows}
    return found


def _upsert(session: Session) -> Any:
    record = TrainingRecordRow.__table__
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(record)
    return statement.on_conflict_do_update(
        index_elements=[record.c.email, record.c.training_id],
        set_={
            "completed_at": statement.excluded.completed_at,
            "recorded_at": statement.excluded.recorded_at,
        },
        where=record.c.completed_at < statement.excluded.completed_at,
    )


def _row(completion: TrainingCompletion, now: datetime) -> dict[str, Any]:
    return {
        "email": completion.email,
        "training_id": completion.training_id,
        "completed_at": completion.completed_at,
        "recorded_at": now,
    }
