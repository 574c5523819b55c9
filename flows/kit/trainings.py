"""A training completion that another system reports (the LMS, through ``hmis-bot import
trainings``), counted on a request that waits for it exactly as the person's own button would
count it: recorded, audited, and the request moves on when it was the last one."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import TypeVar

from pydantic import BaseModel

from flows.kit.machine import Machine
from flows.model import AuditEvent, Request, Subject

M = TypeVar("M", bound=BaseModel)

TRAINING_IMPORTER = "training-import"
"""Who reports a training the LMS shows completed (the bot's own process, not a person)."""
TRAINED = "trained"
"""The verb of a training report, as the trainee's button has it."""


def count_completion(
    machine: Machine[M],
    request: Request[M],
    training_id: str,
    completed_at: datetime,
    *,
    required: Collection[str],
    next_state: str,
) -> None:
    """Record the completion on ``request`` if it needs that training and has no report of it
    yet; move the request to ``next_state`` once every ``required`` training is reported."""
    if training_id not in required or request.reported(training_id) is not None:
        return
    machine.ledger.record_training_report(
        request.id, training_id, TRAINING_IMPORTER, completed_at=completed_at
    )
    machine.ledger.audit(
        AuditEvent(
            None,
            machine.action(TRAINED),
            "ok",
            Subject.request(request.id),
            {"training": training_id, "by": TRAINING_IMPORTER},
        )
    )
    updated = machine.get(request.id) or request
    if all(updated.reported(t) for t in required):
        machine.move(updated, TRAINING_IMPORTER, next_state, TRAINED)
    else:
        machine.notify_cards(updated, cause=f"{TRAINED}.{training_id}")
