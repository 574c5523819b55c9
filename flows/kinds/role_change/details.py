"""What a role change holds beyond every request's columns, and its states."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flows.kit.endorsement import Endorsable
from flows.model import Request

NAME = "role_change"


class RoleChangeState(StrEnum):
    AWAITING_ENDORSEMENT = "awaiting_endorsement"
    """A staff member asked for their own role to change; a lead or supervisor of their
    agency endorses it (then it goes on as a lead's request would) or declines it."""
    TRAINING = "training"
    """The new role needs trainings the person lacks; they report each one."""
    AWAITING_ADMIN = "awaiting_admin"
    CHANGED = "changed"
    DENIED = "denied"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"
    DECLINED = "declined"
    """Not endorsed: a lead or supervisor declined the staff member's request, with a reason."""


OPEN_STATES = frozenset(
    {
        RoleChangeState.AWAITING_ENDORSEMENT,
        RoleChangeState.TRAINING,
        RoleChangeState.AWAITING_ADMIN,
    }
)
ADMIN_STATES = frozenset({RoleChangeState.AWAITING_ADMIN})
ADMIN_OPEN_STATES = frozenset({RoleChangeState.TRAINING, RoleChangeState.AWAITING_ADMIN})
"""Open states HMIS admins see (and may deny in): every one after the endorsement."""


class RoleChangeDetails(Endorsable):
    from_role_id: str = ""
    """The role on record; empty when the bot does not know the account."""
    to_role_id: str
    reason: str
    trainings: tuple[str, ...] = ()
    """Trainings of the new role the person lacked when it was filed."""
    training_due: datetime | None = None
    interim_role_id: str = ""
    """The role to hold meanwhile, when the community defines one for the new role."""
    interim_set_by: str | None = None
    interim_set_at: datetime | None = None

    @property
    def needs_interim(self) -> bool:
        return bool(self.interim_role_id) and self.interim_set_by is None


RoleChangeRequest = Request[RoleChangeDetails]
