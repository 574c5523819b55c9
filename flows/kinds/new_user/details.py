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
    ACTIVE = "active"
    DENIED = "denied"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


DENIABLE = frozenset(
    {
        NewUserState.SUBMITTED,
        NewUserState.AWAITING_VERIFICATION,
        NewUserState.TRAINING,
        NewUserState.AWAITING_APPROVAL,
        NewUserState.APPROVED,
    }
)
"""States before the account exists, in which HMIS admins may still deny the request."""

OPEN_STATES = DENIABLE | {NewUserState.FULL_ROLE_TRAINING, NewUserState.AWAITING_FULL_ROLE}
"""States in which the request is still being worked; one per new user's e-mail at a time."""

ADMIN_STATES = frozenset(
    {NewUserState.AWAITING_APPROVAL, NewUserState.APPROVED, NewUserState.AWAITING_FULL_ROLE}
)
"""States in which the request waits for HMIS admins: approval, account creation, and the
full role once an interim role's trainings are done."""

IN_TRAINING = frozenset({NewUserState.TRAINING, NewUserState.FULL_ROLE_TRAINING})
"""States in which the new user reports trainings: before the account, or for the full role."""

WITHDRAWABLE = frozenset(
    {
        NewUserState.SUBMITTED,
        NewUserState.AWAITING_VERIFICATION,
        NewUserState.TRAINING,
        NewUserState.AWAITING_APPROVAL,
    }
)
"""States the requester may withdraw from: not once an admin approved it, when the account
may already be being created."""


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
