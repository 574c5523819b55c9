"""What the LMS's completions do (``hmis-bot import trainings``): each person's latest
completion of each training is recorded (only ever moving forward), which sets the renewal
clock of a training with a validity and spares a later role change the trainings already
done; and a completion still valid counts at once for every open request of that person that
waits for the training, through the request's own kind, exactly as if they had reported it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from flows.calendar import BusinessCalendar
from flows.community import Community
from flows.imports.ports import ImportLedger
from flows.kit.machine import Machine
from flows.kit.registry import Registry
from flows.kit.trainings import TRAINING_IMPORTER
from flows.model import AuditEvent, StoredRequest, TrainingCompletion


@dataclass(frozen=True)
class TrainingsImported:
    recorded: list[TrainingCompletion]
    """Completions new or later than the one on record."""
    reported: int
    """Training reports added to open requests."""
    moved_on: int
    """Open requests that moved on because their last training arrived."""


def import_trainings(
    ledger: ImportLedger,
    community: Community,
    calendar: BusinessCalendar,
    registry: Registry,
    completions: Sequence[TrainingCompletion],
) -> TrainingsImported:
    """Record the completions (each audited), then let every kind count the valid ones for
    the open requests of the people they are about."""
    recorded = ledger.record_training_completions(completions)
    ledger.audit_many([_recorded_event(c) for c in recorded])
    now = ledger.now()
    valid = [c for c in completions if still_valid(community, calendar, c, now)]
    waiting = ledger.subjects_with_open_requests({c.email for c in valid})
    kinds = [kind.name for kind in registry]
    before = _requests(ledger, waiting, kinds)
    for completion in sorted(valid, key=lambda c: (c.email, c.training_id)):
        if completion.email in waiting:
            _count(ledger, community, calendar, registry, completion)
    after = _requests(ledger, waiting, kinds)
    reported = sum(
        len(r.training_reports) - len(before[r.id].training_reports) for r in after.values()
    )
    moved_on = sum(r.state != before[r.id].state for r in after.values())
    counts = {"rows": len(completions), "recorded": len(recorded)}
    counts |= {"reported": reported, "moved_on": moved_on}
    details = {k: str(v) for k, v in counts.items()}
    ledger.audit(AuditEvent(None, "training.import", "ok", None, details))
    return TrainingsImported(recorded, reported, moved_on)


def still_valid(
    community: Community, calendar: BusinessCalendar, completion: TrainingCompletion, now: datetime
) -> bool:
    """Whether the completion still counts: the training has no validity, or it has not run
    out (a lapsed completion is recorded, but a request still asks for the training)."""
    training = community.training(completion.training_id)
    if training is None or training.valid_for is None:
        return training is not None
    return calendar.deadline(completion.completed_at, training.valid_for) > now


def _count(
    ledger: ImportLedger,
    community: Community,
    calendar: BusinessCalendar,
    registry: Registry,
    completion: TrainingCompletion,
) -> None:
    for kind in registry:
        machine = Machine(kind, community, calendar, ledger, registry)
        kind.after_training_completed(
            machine, completion.email, completion.training_id, completion.completed_at
        )


def _requests(ledger: ImportLedger, emails: set[str], kinds: list[str]) -> dict[int, StoredRequest]:
    return {r.id: r for email in sorted(emails) for r in ledger.requests_about(email, kinds)}


def _recorded_event(completion: TrainingCompletion) -> AuditEvent:
    return AuditEvent(
        None,
        "training.imported",
        "ok",
        None,
        {
            "by": TRAINING_IMPORTER,
            "email": completion.email,
            "training": completion.training_id,
            "completed": completion.completed_at.isoformat(),
        },
    )
