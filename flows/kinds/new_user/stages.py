"""The community's staged training (``new_user: staged_training:``) as steps of the New User Access
Request: the new user reports each stage done or submits its work; an HMIS admin reviews it
(accepted, corrections needed, more training), sets a new case once the stage ran too long,
waives stages for a returning user and decides a written request for more time. Each stage
has its own deadline, which the request's ``due_at`` carries for the sweep's nudges.

Refusals are audited through ``Machine.refuse``; every change through ``Machine.move``.
"""

from __future__ import annotations

from datetime import datetime

from flows.kinds.new_user.details import (
    NewUserDetails,
    NewUserRequest,
    NewUserState,
    PlannedStage,
    StageEntry,
    StageOutcome,
    StageProgress,
)
from flows.kit.kind import StepRun
from flows.kit.machine import Machine
from flows.kit.trainings import TRAINED
from flows.model import Actor, AuditEvent, Subject
from flows.outcomes import Outcome
from flows.training_stages import Anchor, Stage, TrainingStages
from flows.ui import Notice

Run = Machine[NewUserDetails]

DONE = "stage_done"
EXTEND = "extend"
EXTENSION = "extension"
REVIEW = "review"
NEW_CASE = "new_case"
WAIVE = "waive"
GRANT, DECLINE = "grant", "decline"
STAGE, ALL = "stage", "all"
REVIEW_OUTCOMES = (StageOutcome.ACCEPTED, StageOutcome.CORRECTIONS, StageOutcome.RETRAIN)


NO_STAGES = (
    "Training stages are no longer set up for this community, so this button does nothing. "
    "Ask the HMIS admins how the training goes on."
)


def while_staged(verb: str, step: StepRun[NewUserDetails]) -> StepRun[NewUserDetails]:
    """``step``, or a refusal when the community file no longer has stages (its buttons may
    still be on a card drawn before an operator removed them)."""

    def guarded(
        machine: Run, actor: Actor, request: NewUserRequest, arg: str, reason: str
    ) -> Outcome:
        if machine.community.new_user.staged_training is None:
            return machine.refuse(actor, verb, "no_stages", request.id, NO_STAGES)
        return step(machine, actor, request, arg, reason)

    return guarded


def settings(machine: Run) -> TrainingStages:
    stages = machine.community.new_user.staged_training
    assert stages is not None, "the stage steps refuse first when there are none"
    return stages


def start(
    machine: Run, details: NewUserDetails
) -> tuple[NewUserState, datetime | None, NewUserDetails]:
    """The series starts now, at its first stage (straight to HMIS approval when the new
    user's plan has no stages)."""
    config = settings(machine)
    now = machine.ledger.now()
    plan = tuple(PlannedStage(stage=s, workflow=w) for s, w in config.plan(details.answered_yes))
    progress = StageProgress(plan=plan, started_at=now, due=now)
    if not plan:
        return NewUserState.AWAITING_APPROVAL, None, details.model_copy(update={"stages": progress})
    progress = _at(machine, progress, 0, now)
    return NewUserState.STAGED, progress.due, details.model_copy(update={"stages": progress})


def current_stage(config: TrainingStages, progress: StageProgress) -> Stage | None:
    planned = progress.current
    return config.stage(planned.stage) if planned else None


def may_ask_extension(config: TrainingStages, progress: StageProgress) -> bool:
    """Whether the new user may still ask for more time: the community allows it, they have
    not asked yet, and the stage it must come before has not started."""
    if config.extension is None or progress.extension_asked is not None:
        return False
    before = next(
        (i for i, p in enumerate(progress.plan) if p.stage == config.extension.before),
        len(progress.plan),
    )
    return progress.index < before


def may_retry(stage: Stage, progress: StageProgress) -> bool:
    """Whether a review may still send the work back (else: accept it or deny access)."""
    return stage.max_attempts is None or progress.attempts < stage.max_attempts


# The new user -------------------------------------------------------------------------------


def done(machine: Run, actor: Actor, request: NewUserRequest, index: str, _reason: str) -> Outcome:
    """``stage_done.<index>``: the new user reports the stage done, or submits its work for
    review. The index guards against a button from an earlier stage's card."""
    config, progress = settings(machine), _progress(request)
    stage, planned = current_stage(config, progress), progress.current
    if stage is None or planned is None or index != str(progress.index):
        return machine.refuse(
            actor, DONE, "not_current_stage", request.id, "That stage is not the current one."
        )
    label = config.label(planned.stage, planned.workflow)
    now = machine.ledger.now()
    if stage.reviewed:
        logged = _log(progress, StageOutcome.SUBMITTED, actor.email, now)
        moved = machine.move(
            request,
            actor,
            NewUserState.STAGE_REVIEW,
            DONE,
            details=_with(request, logged),
            audit=_about(logged),
        )
        if moved is None:
            return machine.lost_race(actor, request, DONE)
        return Notice(f"Thanks: {label} is submitted; HMIS will review it.")
    return _advance(
        machine, actor, request, StageOutcome.DONE, verb=DONE, said=f"{label} recorded."
    )


def extend(machine: Run, actor: Actor, request: NewUserRequest, _arg: str, written: str) -> Outcome:
    """The new user's written request for more time, before the series' named stage starts."""
    config, progress = settings(machine), _progress(request)
    if not may_ask_extension(config, progress):
        return machine.refuse(
            actor,
            EXTEND,
            "extension_not_open",
            request.id,
            "More time can only be asked for once, in writing, before the training series "
            "starts. Contact the HMIS help desk.",
        )
    now = machine.ledger.now()
    asked = progress.model_copy(update={"extension_asked": written, "extension_asked_at": now})
    if machine.move(request, actor, request.state, EXTEND, details=_with(request, asked)) is None:
        return machine.lost_race(actor, request, EXTEND)
    return Notice("Your request for more time is sent to HMIS; this bot will tell you the answer.")


# HMIS admins --------------------------------------------------------------------------------


def decide_extension(
    machine: Run, actor: Actor, request: NewUserRequest, answer: str, _reason: str
) -> Outcome:
    """``extension.grant`` adds the community's extra time to the current stage's deadline
    (later stages get it as they start); ``extension.decline`` keeps the deadlines."""
    config, progress = settings(machine), _progress(request)
    asked = progress.extension_asked is not None
    if config.extension is None or not asked or answer not in {GRANT, DECLINE}:
        return machine.refuse(
            actor, EXTENSION, "no_extension_asked", request.id, "No request for more time waits."
        )
    if progress.extension_granted is not None:
        return machine.refuse(
            actor, EXTENSION, "extension_decided", request.id, "More time was already decided."
        )
    granted = answer == GRANT
    due = (
        machine.calendar.deadline(progress.due, config.extension.adds) if granted else progress.due
    )
    decided = progress.model_copy(
        update={
            "extension_decided_by": actor.email,
            "extension_granted": granted,
            "due": due,
        }
    )
    moved = machine.move(
        request,
        actor,
        request.state,
        EXTENSION,
        details=_with(request, decided),
        due_at=due if request.state == NewUserState.STAGED else None,
        audit={"answer": answer},
    )
    if moved is None:
        return machine.lost_race(actor, request, EXTENSION)
    if granted:
        return Notice(
            f"Extension granted: {request.subject_name}'s stages each get {config.extension.adds} "
            f"more; the current one is now due {machine.calendar.when(due)}."
        )
    return Notice(f"Extension declined for {request.subject_name}; the deadlines stay.")


def review(
    machine: Run, actor: Actor, request: NewUserRequest, outcome: str, _reason: str
) -> Outcome:
    """``review.accepted|corrections|retrain``: the admin's review of the submitted work."""
    config, progress = settings(machine), _progress(request)
    stage = current_stage(config, progress)
    if stage is None or outcome not in REVIEW_OUTCOMES:
        return machine.refuse(actor, REVIEW, "unknown_outcome", request.id, "Unknown review.")
    if outcome == StageOutcome.ACCEPTED:
        return _advance(
            machine,
            actor,
            request,
            StageOutcome.ACCEPTED,
            verb=REVIEW,
            said=f"{stage.name} accepted for {request.subject_name}.",
        )
    if outcome == StageOutcome.RETRAIN and stage.retrain is None:
        return machine.refuse(
            actor,
            REVIEW,
            "no_retrain",
            request.id,
            f"The community's process has no more training after {stage.name}.",
        )
    if not may_retry(stage, progress):
        return machine.refuse(
            actor,
            REVIEW,
            "attempts_used",
            request.id,
            f"{request.subject_name} has used all {stage.max_attempts} attempts at "
            f"{stage.name}: accept it or deny access.",
        )
    now = machine.ledger.now()
    logged = _log(progress, StageOutcome(outcome), actor.email, now)
    if outcome == StageOutcome.CORRECTIONS:
        due = _extended(machine, logged, machine.calendar.deadline(now, stage.corrections_window))
        logged = logged.model_copy(update={"due": due})
        said = f"Corrections asked of {request.subject_name}, due {machine.calendar.when(due)}."
    else:
        back = _earlier(logged, stage.retrain or "")
        logged = _at(machine, logged, back, now)
        planned = logged.plan[back]
        said = (
            f"{request.subject_name} goes back to {config.label(planned.stage, planned.workflow)}."
        )
    moved = machine.move(
        request,
        actor,
        NewUserState.STAGED,
        REVIEW,
        details=_with(request, logged),
        due_at=logged.due,
        audit=_about(progress) | {"outcome": outcome},
    )
    if moved is None:
        return machine.lost_race(actor, request, REVIEW)
    return Notice(said)


def new_case(
    machine: Run, actor: Actor, request: NewUserRequest, _arg: str, _reason: str
) -> Outcome:
    """The stage ran past the community's limit without being accepted: a new case, with the
    stage's full time again."""
    config, progress = settings(machine), _progress(request)
    stage = current_stage(config, progress)
    now = machine.ledger.now()
    if stage is None or progress.new_case_at is None or now < progress.new_case_at:
        when = machine.calendar.when(progress.new_case_at) if progress.new_case_at else ""
        return machine.refuse(
            actor,
            NEW_CASE,
            "too_early_for_new_case",
            request.id,
            f"A new case can be set from {when}." if when else "This stage has no new case.",
        )
    logged = _log(progress, StageOutcome.NEW_CASE, actor.email, now)
    restarted = _at(machine, logged, progress.index, now).model_copy(
        update={"new_case_at": None}  # once: after it, more training or a denial
    )
    moved = machine.move(
        request,
        actor,
        NewUserState.STAGED,
        NEW_CASE,
        details=_with(request, restarted),
        due_at=restarted.due,
        audit=_about(progress),
    )
    if moved is None:
        return machine.lost_race(actor, request, NEW_CASE)
    return Notice(
        f"New {stage.name.lower()} set for {request.subject_name}, due "
        f"{machine.calendar.when(restarted.due)}."
    )


def waive(machine: Run, actor: Actor, request: NewUserRequest, which: str, _reason: str) -> Outcome:
    """``waive.stage`` waives the current stage, ``waive.all`` every remaining one (a
    returning user), where the community lets admins waive."""
    config, progress = settings(machine), _progress(request)
    if not config.waivers or progress.current is None:
        return machine.refuse(
            actor, WAIVE, "no_waivers", request.id, "The community's process has no waivers."
        )
    if which not in (STAGE, ALL):
        return machine.refuse(actor, WAIVE, "unknown_waiver", request.id, "Unknown waiver.")
    now = machine.ledger.now()
    if which == STAGE:
        return _advance(
            machine, actor, request, StageOutcome.WAIVED, verb=WAIVE, said="Stage waived."
        )
    waived = progress
    for _ in range(progress.index, len(progress.plan)):
        waived = _log(waived, StageOutcome.WAIVED, actor.email, now)
        waived = waived.model_copy(update={"index": waived.index + 1})
    moved = machine.move(
        request,
        actor,
        NewUserState.AWAITING_APPROVAL,
        WAIVE,
        details=_with(request, waived),
        audit={"waived": ALL},
    )
    if moved is None:
        return machine.lost_race(actor, request, WAIVE)
    return Notice(f"Training waived for {request.subject_name}; the request awaits approval.")


# The series' bookkeeping ----------------------------------------------------------------------


def _advance(
    machine: Run,
    actor: Actor,
    request: NewUserRequest,
    outcome: StageOutcome,
    *,
    verb: str,
    said: str,
    audit: dict[str, str] | None = None,
) -> Outcome:
    """Record the current stage's end; on to the next stage, or to HMIS approval after the
    last."""
    progress = _progress(request)
    now = machine.ledger.now()
    logged = _log(progress, outcome, actor.email, now)
    following = progress.index + 1
    if following >= len(progress.plan):
        ended = logged.model_copy(update={"index": following})
        state, due = NewUserState.AWAITING_APPROVAL, None
        said += " Every training stage is done; HMIS admins will review the request."
    else:
        ended = _at(machine, logged, following, now)
        state, due = NewUserState.STAGED, ended.due
        nxt = settings(machine).label(ended.plan[following].stage, ended.plan[following].workflow)
        said += f" Next: {nxt}, due {machine.calendar.when(due)}."
    moved = machine.move(
        request,
        actor,
        state,
        verb,
        details=_with(request, ended),
        due_at=due,
        audit=(_about(progress) | {"outcome": outcome}) if audit is None else audit,
    )
    if moved is None:
        return machine.lost_race(actor, request, verb)
    if outcome in (StageOutcome.DONE, StageOutcome.ACCEPTED):
        _record_trainings(machine, actor, moved, progress)
    return Notice(said)


def _record_trainings(
    machine: Run, actor: Actor, request: NewUserRequest, progress: StageProgress
) -> None:
    """A finished stage's trainings count as reported on the request, as the training step's
    reports do: renewals, role changes and later requests see them (a waived stage's do not)."""
    stage = current_stage(settings(machine), progress)
    if stage is None:
        return
    for training_id in stage.trainings:
        if request.reported(training_id) is None:
            machine.ledger.record_training_report(request.id, training_id, actor.email)
            machine.ledger.audit(
                AuditEvent(
                    actor,
                    machine.action(TRAINED),
                    "ok",
                    Subject.request(request.id),
                    {"training": training_id, "stage": stage.id},
                )
            )


def _at(machine: Run, progress: StageProgress, index: int, now: datetime) -> StageProgress:
    """The series at stage ``index``, started now, with its deadline and new-case moment."""
    config = settings(machine)
    planned = progress.plan[index]
    stage = config.stage(planned.stage)
    if stage is None:
        raise LookupError(f"stage '{planned.stage}' is no longer in the community file")
    anchor = progress.started_at if stage.anchor is Anchor.START else now
    due = _extended(machine, progress, machine.calendar.deadline(anchor, stage.due))
    moved = progress.model_copy(update={"index": index, "due": due})
    new_case_at = None
    if stage.new_case_after is not None and stage.new_case_from is not None:
        counted = _ended(moved, stage.new_case_from, planned.workflow, index) or now
        new_case_at = machine.calendar.deadline(counted, stage.new_case_after)
    return moved.model_copy(update={"new_case_at": new_case_at})


def _earlier(progress: StageProgress, stage_id: str) -> int:
    """Where in the plan more training goes back to: the latest earlier run of ``stage_id``,
    for the current workflow when it repeats per workflow."""
    workflow = progress.plan[progress.index].workflow
    runs = [
        i
        for i, p in enumerate(progress.plan[: progress.index])
        if p.stage == stage_id and p.workflow in (workflow, None)
    ]
    return runs[-1]


def _ended(
    progress: StageProgress, stage_id: str, workflow: str | None, index: int
) -> datetime | None:
    """When ``stage_id`` (for this workflow) last ended, if it is an earlier stage."""
    if progress.plan[index].stage == stage_id:
        return None
    ends = [
        e.at
        for e in progress.log
        if e.stage == stage_id
        and e.workflow == workflow
        and e.outcome in (StageOutcome.DONE, StageOutcome.ACCEPTED, StageOutcome.WAIVED)
    ]
    return ends[-1] if ends else None


def _extended(machine: Run, progress: StageProgress, due: datetime) -> datetime:
    extension = settings(machine).extension
    if progress.extension_granted and extension is not None:
        return machine.calendar.deadline(due, extension.adds)
    return due


def _log(progress: StageProgress, outcome: StageOutcome, by: str, at: datetime) -> StageProgress:
    planned = progress.current
    assert planned is not None
    entry = StageEntry(
        stage=planned.stage, workflow=planned.workflow, outcome=outcome, by=by, at=at
    )
    return progress.model_copy(update={"log": (*progress.log, entry)})


def _about(progress: StageProgress) -> dict[str, str]:
    planned = progress.current
    if planned is None:
        return {}
    return {"stage": planned.stage} | ({"workflow": planned.workflow} if planned.workflow else {})


def _progress(request: NewUserRequest) -> StageProgress:
    progress = request.details.stages
    assert progress is not None, "a request in a stage state has its stage progress"
    return progress


def _with(request: NewUserRequest, progress: StageProgress) -> NewUserDetails:
    return request.details.model_copy(update={"stages": progress})
