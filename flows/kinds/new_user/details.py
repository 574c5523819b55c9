"""What a New User Access Request holds beyond every request's columns, and its states."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from flows.model import Request

NAME = "new_user"


class NewUserState(StrEnum):
    SUBMITTED = "submitted"
    AWAITING_VERIFICATION = "awaiting_verification"
    TRAINING = "training"
    AWAITING_APPROVAL = "awaiting_approval"
    APPROVED = "approved"
    ACCOUNT_CREATED = "account_created"
    ACTIVE = "active"
    DENIED = "denied"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


OPEN_STATES = frozenset(
    {
        NewUserState.SUBMITTED,
        NewUserState.AWAITING_VERIFICATION,
        NewUserState.TRAINING,
        NewUserState.AWAITING_APPROVAL,
        NewUserState.APPROVED,
    }
)
"""States in which the request is still being worked; one per new user's e-mail at a time."""

ADMIN_STATES = frozenset({NewUserState.AWAITING_APPROVAL, NewUserState.APPROVED})
"""States in which the request waits for HMIS admins: approval, then account creation."""

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

    requester_role: str
    requester_name: str | None = None
    """The directory's name for the requester when filing, else their chat profile's."""
    directly_supervises: bool
    supervisor_name: str
    supervisor_email: str
    coc_id: str
    access_role_id: str
    monitors_contracts: bool
    additional_agency_ids: tuple[str, ...] = ()
    background_check_attested: bool
    verification_due: datetime | None = None
    training_due: datetime | None = None
    first_login_due: datetime | None = None
    verified_by: str | None = None
    verified_at: datetime | None = None
    account_created_by: str | None = None
    account_created_at: datetime | None = None

    @property
    def needs_staff_verification(self) -> bool:
        """The supervisor must confirm the background check unless they filed and attested it."""
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
