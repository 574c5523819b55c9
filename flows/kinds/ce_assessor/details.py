"""What an assessor access request holds, and its states. The request's agency is the
person's; the attendance is kept as attested, with the moment the credential lapses."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from flows.model import Request

NAME = "ce_assessor"


class AssessorState(StrEnum):
    AWAITING_ADMIN = "awaiting_admin"
    ACTIVE = "active"
    """Assessor access added; the credential is valid until ``expires_at``."""
    LAPSED = "lapsed"
    """The credential ran out: the admins are asked to remove the access."""
    REMOVED = "removed"
    RENEWED = "renewed"
    """A later attendance, confirmed on another request, replaced this one."""
    DENIED = "denied"
    WITHDRAWN = "withdrawn"


OPEN_STATES = frozenset({AssessorState.AWAITING_ADMIN, AssessorState.LAPSED})
"""Waiting for the admins (to add, or to remove); an active credential holds no open key, so
a renewal can be filed before it lapses."""
ADMIN_STATES = OPEN_STATES
SUPERSEDED = frozenset({AssessorState.ACTIVE, AssessorState.LAPSED})
"""States a renewal moves an earlier request out of."""


class AssessorDetails(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    training_id: str
    training_name: str
    """The training as attested, by name."""
    attended_on: date
    attended_at: datetime
    """The close of that day, which the training's validity counts from."""
    expires_at: datetime | None
    """When the credential lapses (None: the training has no validity)."""
    account_id: int
    renewed_by: int | None = None


AssessorRequest = Request[AssessorDetails]
