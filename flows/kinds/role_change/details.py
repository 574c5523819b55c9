"""What a role change holds beyond every request's columns, and its states."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from flows.model import Request

NAME = "role_change"


class RoleChangeState(StrEnum):
    TRAINING = "training"
    """The new role needs trainings the person lacks; they report each one."""
    AWAITING_ADMIN = "awaiting_admin"
    CHANGED = "changed"
    DENIED = "denied"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


OPEN_STATES = frozenset({RoleChangeState.TRAINING, RoleChangeState.AWAITING_ADMIN})
ADMIN_STATES = frozenset({RoleChangeState.AWAITING_ADMIN})


class RoleChangeDetails(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

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
