"""What a New User Access Request holds beyond every request's columns, and its states."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from flows.model import Request
from flows.new_user_settings import StaffVerification

NAME = "new_user"


class NewUserState(StrEnum):
    SUBMITTED = "submitted"
    AWAITING_VERIFICATION = "awaiting_verification"
    TRAINING = "training"
    AWAITING_APPROVAL = "awaiting_approval"
    APPROVED = "approved"
    ACCOUNT_CREATED = "account_created"
    FULL_ROLE_TRAINING = "full_role_training"
    """Logged in with the role's interim role; trainings the full role needs still to do."""
    AWAITING_FULL_ROLE = "awaiting_full_role"
    """Those trainings are reported; HMIS admins give the account its full role."""
    STAGED = "staged"
    """In the community's staged training (``new_user: staged_training:``): the new user's turn."""
    STAGE_REVIEW = "stage_review"
    """A stage's work is submitted; an HMIS admin reviews it."""
    ACTIVE = "active"
    DENIED = "denied"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


DENIABLE = frozenset(
    {
        NewUserState.SUBMITTED,
        NewUserState.AWAITING_VERIFICATION,
        NewUserState.TRAINING,
        NewUserState.STAGED,
        NewUserState.STAGE_REVIEW,
        NewUserState.AWAITING_APPROVAL,
        NewUserState.APPROVED,
    }
)
"""States before the account exists, in which HMIS admins may still deny the request."""

OPEN_STATES = DENIABLE | {NewUserState.FULL_ROLE_TRAINING, NewUserState.AWAITING_FULL_ROLE}
"""States in which the request is still being worked; one per new user's e-mail at a time."""

ADMIN_STATES = frozenset(
    {
        NewUserState.STAGE_REVIEW,
        NewUserState.AWAITING_APPROVAL,
        NewUserState.APPROVED,
        NewUserState.AWAITING_FULL_ROLE,
    }
)
"""States in which the request waits for HMIS admins: a stage's review, approval, account
creation, and the full role once an interim role's trainings are done."""

IN_STAGES = frozenset({NewUserState.STAGED, NewUserState.STAGE_REVIEW})
"""States of the community's staged training."""

IN_TRAINING = frozenset({NewUserState.TRAINING, NewUserState.FULL_ROLE_TRAINING})
"""States in which the new user reports trainings: before the account, or for the full role."""

WITHDRAWABLE = frozenset(
    {
        NewUserState.SUBMITTED,
        NewUserState.AWAITING_VERIFICATION,
        NewUserState.TRAINING,
        NewUserState.STAGED,
        NewUserState.STAGE_REVIEW,
        NewUserState.AWAITING_APPROVAL,
    }
)
"""States the requester may withdraw from: not once an admin approved it, when the account
may already be being created."""


class StageOutcome(StrEnum):
    DONE = "done"
    """Reported done by the new user (a stage nobody reviews)."""
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    CORRECTIONS = "corrections"
    RETRAIN = "retrain"
    WAIVED = "waived"
    NEW_CASE = "new_case"
    """An admin set a new case: the stage starts over."""


class StageEntry(BaseModel):
    """One thing that happened in the staged training, for cards and the record."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    stage: str
    workflow: str | None = None
    outcome: StageOutcome
    by: str
    at: datetime


class PlannedStage(BaseModel):
    """A stage of the new user's series, for one workflow where the stage repeats per
    workflow; fixed when the series starts."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    stage: str
    workflow: str | None = None


class StageProgress(BaseModel):
    """Where a new user is in the community's staged training."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    plan: tuple[PlannedStage, ...]
    started_at: datetime
    """When the series started (stages counted ``from: start`` count from here)."""
    index: int = 0
    """The current stage's place in ``plan``; ``len(plan)`` once all are done."""
    due: datetime
    """The current stage's deadline (the request's ``due_at`` while it is the new user's turn)."""
    new_case_at: datetime | None = None
    """From when an admin may set a new case for the current stage."""
    log: tuple[StageEntry, ...] = ()
    extension_asked: str | None = None
    """The new user's written request for more time."""
    extension_asked_at: datetime | None = None
    extension_decided_by: str | None = None
    extension_granted: bool | None = None

    @property
    def current(self) -> PlannedStage | None:
        return self.plan[self.index] if self.index < len(self.plan) else None

    @property
    def attempts(self) -> int:
        """Reviews that sent the current stage's work back (for its workflow), more training
        included: going back to train does not start the count again."""
        planned = self.current
        if planned is None:
            return 0
        return sum(
            (e.stage, e.workflow) == (planned.stage, planned.workflow)
            and e.outcome in (StageOutcome.CORRECTIONS, StageOutcome.RETRAIN)
            for e in self.log
        )


class NewUserDetails(BaseModel):
    """The form's answers, and the request's progress that cards show."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    requester_role: str = ""
    """Empty when the community's form does not ask it."""
    requester_name: str | None = None
    """The directory's name for the requester when filing, else their chat profile's."""
    directly_supervises: bool | None = None
    """None when the community's form does not ask it."""
    supervisor_name: str
    supervisor_email: str
    """The person answerable for the new user: the named supervisor, else the filer."""
    coc_id: str
    access_role_id: str
    monitors_contracts: bool | None = None
    additional_agency_ids: tuple[str, ...] = ()
    background_check_attested: bool = False
    verification: StaffVerification = StaffVerification.SUPERVISOR_CONFIRMS
    """The community's way of vouching for the background check, when the request was filed."""
    answered_yes: tuple[str, ...] = ()
    """The community's form questions (``questions:``) answered yes; requirements follow."""
    trained_first: bool = False
    """The filer attested that the trainings were done before the request (train first)."""
    interim_role_id: str | None = None
    """The role the account was created with while the full role's trainings are pending."""
    full_role_set_by: str | None = None
    full_role_set_at: datetime | None = None
    verification_due: datetime | None = None
    training_due: datetime | None = None
    first_login_due: datetime | None = None
    verified_by: str | None = None
    verified_at: datetime | None = None
    account_created_by: str | None = None
    account_created_at: datetime | None = None
    stages: StageProgress | None = None
    """The staged training, where the community has one."""

    @property
    def needs_staff_verification(self) -> bool:
        """The supervisor confirms the background check, where the community asks them to,
        unless they filed and attested it themselves."""
        if self.verification is not StaffVerification.SUPERVISOR_CONFIRMS:
            return False
        return not (self.directly_supervises and self.background_check_attested)


NewUserRequest = Request[NewUserDetails]


@dataclass(frozen=True)
class NewUserDraft:
    """A validated New User Access Request, before it is stored."""

    requester_email: str
    agency_id: str
    trainee_name: str
    trainee_email: str
    details: NewUserDetails
