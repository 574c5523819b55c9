"""Trainings a request waits for, reported by the person with a button or by another system
(the LMS, through ``hmis-bot import trainings``): each report is recorded and audited once, and
the request moves on when the last requirement is met. A requirement may be met by any one of
several trainings (``flows.requirements``)."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import datetime
from typing import TypeVar

from pydantic import BaseModel

from flows.kit.machine import Machine
from flows.model import Actor, AuditEvent, Request, Subject
from flows.outcomes import Outcome
from flows.requirements import Requirement, training_ids, unmet
from flows.ui import Notice

M = TypeVar("M", bound=BaseModel)

TRAINING_IMPORTER = "training-import"
"""Who reports a training the LMS shows completed (the bot's own process, not a person)."""
TRAINED = "trained"
"""The verb of a training report, as the person's button has it."""


def each_of(trainings: Iterable[str]) -> list[Requirement]:
    """Requirements that each of these trainings be done."""
    return [Requirement(any_of=(t,)) for t in dict.fromkeys(trainings)]


def chased(requirements: Iterable[Requirement], trainings: Collection[str]) -> list[Requirement]:
    """What a request that stores the trainings it asks for flat chases: the requirements
    naming any of them (so either training of an either-or requirement counts), and each other
    training on its own."""
    naming = [r for r in requirements if any(t in trainings for t in r.any_of)]
    named = set(training_ids(naming))
    return [*naming, *each_of(t for t in trainings if t not in named)]


def reported(request: Request[M]) -> set[str]:
    return {report.training_id for report in request.training_reports}


def remaining(request: Request[M], needs: Iterable[Requirement]) -> list[Requirement]:
    """The requirements no report meets yet."""
    return unmet(needs, reported(request))


def report(
    machine: Machine[M],
    actor: Actor,
    request: Request[M],
    training_id: str,
    *,
    needs: Sequence[Requirement],
    next_state: str,
    done: str,
    not_asked: str,
) -> Outcome:
    """The person's own "I've completed" button: recorded once; the request goes to
    ``next_state`` (with ``done`` said) when nothing remains; ``not_asked`` refuses a training
    the request does not ask for."""
    if training_id not in training_ids(needs):
        return machine.refuse(actor, TRAINED, "unknown_training", request.id, not_asked)
    if request.reported(training_id) is None:
        machine.ledger.record_training_report(request.id, training_id, actor.email)
        machine.ledger.audit(
            AuditEvent(
                actor,
                machine.action(TRAINED),
                "ok",
                Subject.request(request.id),
                {"training": training_id},
            )
        )
    updated = machine.get(request.id) or request
    if not remaining(updated, needs):
        if machine.move(updated, actor, next_state, TRAINED):
            return Notice(done)
    else:
        machine.notify_cards(updated, cause=f"{TRAINED}.{training_id}")
    training = machine.community.training(training_id)
    return Notice(f"Thanks, {training.name if training else training_id} is recorded.")


def count_completion(
    machine: Machine[M],
    request: Request[M],
    training_id: str,
    completed_at: datetime,
    *,
    needs: Sequence[Requirement],
    next_state: str,
) -> None:
    """Record the completion on ``request`` if it needs that training and has no report of it
    yet; move the request to ``next_state`` once no requirement remains."""
    if training_id not in training_ids(needs) or request.reported(training_id) is not None:
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
    if not remaining(updated, needs):
        machine.move(updated, TRAINING_IMPORTER, next_state, TRAINED)
    else:
        machine.notify_cards(updated, cause=f"{TRAINED}.{training_id}")
