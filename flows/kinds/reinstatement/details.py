"""What a reinstatement holds beyond every request's columns, and its states."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flows.kit.endorsement import Endorsable
from flows.ladder import Needs
from flows.model import Request

NAME = "reinstatement"


class ReinstatementState(StrEnum):
    AWAITING_ENDORSEMENT = "awaiting_endorsement"
    """The person asked themselves; a lead or supervisor of their agency endorses or declines."""
    TRAINING = "training"
    """The ladder asks for trainings first; the person reports each one."""
    AWAITING_ADMIN = "awaiting_admin"
    REENABLED = "reenabled"
    """Re-enabled in HMIS: the account waits for the person's login (closed for filing)."""
    REINSTATED = "reinstated"
    """The person logged in again."""
    DENIED = "denied"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


OPEN_STATES = frozenset(
    {
        ReinstatementState.AWAITING_ENDORSEMENT,
        ReinstatementState.TRAINING,
        ReinstatementState.AWAITING_ADMIN,
    }
)
ADMIN_STATES = frozenset({ReinstatementState.AWAITING_ADMIN})
ADMIN_OPEN_STATES = frozenset({ReinstatementState.TRAINING, ReinstatementState.AWAITING_ADMIN})
"""Open states HMIS admins see (and may deny in): every one after the endorsement."""


class ReinstatementDetails(Endorsable):
    account_id: int
    access_role_id: str = ""
    disabled_since: datetime
    disabled_confirmed: bool
    """Whether an HMIS admin confirmed the disabling (else counted from the last login)."""
    needs: Needs
    """What the community's ladder asks for, decided when the request reaches HMIS (for a
    person's own request, decided again when it is endorsed)."""
    step_after: str = ""
    """The ladder step's ``after`` as the community file writes it: ``90 days``."""
    trainings: tuple[str, ...] = ()
    training_due: datetime | None = None
    note: str = ""
    first_login_due: datetime | None = None


ReinstatementRequest = Request[ReinstatementDetails]
