"""Staged training, under ``new_user: staged_training:`` in the community file: the steps a new user
goes through before HMIS approves the account, each with its own clock, some reviewed by an
HMIS admin (Alaska: initial steps, a workflow training per workflow, a practice case reviewed
by ICA staff). Without it, the access role's trainings are the only training step."""

from __future__ import annotations

from enum import StrEnum
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from flows.durations import Duration, DurationField, Unit
from flows.nudges.policy import ReminderOffsets

_SLUG = r"^[a-z0-9][a-z0-9-]*$"


class DoneBy(StrEnum):
    PERSON = "person"
    """The new user reports the stage done with their button."""
    ADMIN_REVIEW = "admin_review"
    """The new user submits the stage's work; an HMIS admin reviews it: accepted, corrections
    needed, or more training."""


class Anchor(StrEnum):
    START = "start"
    """The stage's clock counts from the start of the series (when training starts: the
    request is filed, or its staff verification is confirmed)."""
    PREVIOUS = "previous"
    """It counts from the end of the stage before it (the series' start, for the first)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Stage(_Strict):
    """One step of the series, with its own deadline."""

    id: str = Field(pattern=_SLUG, description="unique among the stages")
    name: str = Field(max_length=80, description="what the stage is called on cards")
    description: str = Field(
        default="", max_length=500, description="what the new user does, on their card"
    )
    trainings: tuple[str, ...] = Field(
        default=(), description="ids in trainings whose links the new user gets for this stage"
    )
    done_by: DoneBy = Field(
        default=DoneBy.PERSON,
        description="person: the new user reports it done; admin_review: an HMIS admin "
        "reviews what they submit",
    )
    due: DurationField = Field(description="how long the new user has, from `from`")
    anchor: Anchor = Field(
        default=Anchor.PREVIOUS,
        alias="from",
        description="start: counted from the series' start; previous: from the end of the "
        "stage before",
    )
    per_workflow: bool = Field(
        default=False,
        description="taken once for each of the new user's workflows (stages marked so must "
        "be consecutive; they repeat as a block, workflow by workflow)",
    )
    corrections: DurationField | None = Field(
        default=None,
        description="admin_review: the time for corrections after a review asks for them "
        "(default: the stage's own `due`)",
    )
    retrain: str | None = Field(
        default=None,
        description="admin_review: the id of an earlier stage a review sends the new user "
        "back to for more training (none: a review cannot ask for more training)",
    )
    max_attempts: int | None = Field(
        default=None,
        ge=1,
        description="admin_review: reviews that may send the work back; after that many, the "
        "admin accepts it or denies access",
    )
    new_case_after: DurationField | None = Field(
        default=None,
        description="admin_review: when the stage is still not accepted this long after "
        "`new_case_from` ended, an admin may set a new case (the stage starts over)",
    )
    new_case_from: str | None = Field(
        default=None, description="the id of the stage (this one or earlier) counted from"
    )

    @model_validator(mode="after")
    def _review_settings(self) -> Self:
        reviewed = (self.corrections, self.retrain, self.max_attempts, self.new_case_after)
        if self.done_by is DoneBy.PERSON and any(v is not None for v in reviewed):
            raise ValueError(
                "corrections, retrain, max_attempts and new_case_after need done_by: admin_review"
            )
        if (self.new_case_after is None) != (self.new_case_from is None):
            raise ValueError("new_case_after and new_case_from go together")
        return self

    @property
    def reviewed(self) -> bool:
        return self.done_by is DoneBy.ADMIN_REVIEW

    @property
    def corrections_window(self) -> Duration:
        return self.corrections or self.due


class Workflow(_Strict):
    """A workflow a new user may be trained on, with its own run of the per-workflow stages."""

    id: str = Field(pattern=_SLUG)
    name: str = Field(max_length=80)
    when: str | None = Field(
        default=None,
        description="the id of a yes/no question on the form: the workflow applies when it is "
        "answered yes (none: to every new user)",
    )


class Extension(_Strict):
    """More time, asked for in writing by the new user before a stage starts and granted by an
    HMIS admin."""

    before: str = Field(description="the id of the stage before whose start it may be asked")
    adds: DurationField = Field(
        description="added to the current stage's deadline and to every later stage's"
    )


class TrainingStages(_Strict):
    stages: tuple[Stage, ...] = Field(min_length=1, description="in order")
    workflows: tuple[Workflow, ...] = Field(
        default=(), description="the workflows per_workflow stages repeat for"
    )
    extension: Extension | None = Field(
        default=None, description="none: nobody may ask for more time"
    )
    waivers: bool = Field(
        default=False,
        description="true: an HMIS admin may waive a stage, or all the remaining ones, for a "
        "returning user",
    )
    reminders: ReminderOffsets = Field(
        default=(Duration(1, Unit.BUSINESS_DAYS),),
        description="reminders to the new user before each stage's deadline",
    )

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        ids = [s.id for s in self.stages]
        if len(set(ids)) != len(ids):
            raise ValueError(f"stage ids must be unique: {', '.join(ids)}")
        flagged = [i for i, s in enumerate(self.stages) if s.per_workflow]
        if flagged and flagged != list(range(flagged[0], flagged[-1] + 1)):
            raise ValueError("per_workflow stages must be consecutive")
        if flagged and not self.workflows:
            raise ValueError("per_workflow stages need workflows")
        for i, stage in enumerate(self.stages):
            earlier = ids[:i]
            if stage.retrain is not None and stage.retrain not in earlier:
                raise ValueError(f"stage {stage.id}: retrain must name an earlier stage")
            if stage.new_case_from is not None and stage.new_case_from not in ids[: i + 1]:
                raise ValueError(f"stage {stage.id}: new_case_from must name it or an earlier one")
        if self.extension is not None and self.extension.before not in ids:
            raise ValueError(f"extension.before: '{self.extension.before}' is not a stage")
        workflow_ids = [w.id for w in self.workflows]
        if len(set(workflow_ids)) != len(workflow_ids):
            raise ValueError("workflow ids must be unique")
        return self

    def stage(self, stage_id: str) -> Stage | None:
        """The stage, or None when the file no longer has it (a request planned before an
        edit)."""
        return next((s for s in self.stages if s.id == stage_id), None)

    def workflow(self, workflow_id: str | None) -> Workflow | None:
        return next((w for w in self.workflows if w.id == workflow_id), None)

    def label(self, stage_id: str, workflow_id: str | None) -> str:
        """``Practice case (Coordinated Entry)``: a planned stage as people read it."""
        stage, workflow = self.stage(stage_id), self.workflow(workflow_id)
        name = stage.name if stage else stage_id
        return f"{name} ({workflow.name})" if workflow else name

    def plan(self, answered_yes: tuple[str, ...]) -> list[tuple[str, str | None]]:
        """The stages one new user takes, in order, as (stage id, workflow id or None): the
        per-workflow block once per workflow that applies to them."""
        mine = [w.id for w in self.workflows if w.when is None or w.when in answered_yes]
        block = [s.id for s in self.stages if s.per_workflow]
        plan: list[tuple[str, str | None]] = []
        for stage in self.stages:
            if not stage.per_workflow:
                plan.append((stage.id, None))
            elif stage.id == block[0]:
                plan += [(s, w) for w in mine for s in block]
        return plan
