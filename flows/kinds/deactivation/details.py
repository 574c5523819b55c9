"""What a deactivation holds beyond every request's columns, and its states."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from flows.model import Request

NAME = "deactivation"


class DeactivationState(StrEnum):
    SCHEDULED = "scheduled"
    """Filed ahead of a known last day; waits until it takes effect."""
    AWAITING_ADMIN = "awaiting_admin"
    DEACTIVATED = "deactivated"
    WITHDRAWN = "withdrawn"


OPEN_STATES = frozenset({DeactivationState.SCHEDULED, DeactivationState.AWAITING_ADMIN})
ADMIN_STATES = frozenset({DeactivationState.AWAITING_ADMIN})


class Reason(StrEnum):
    LEFT_AGENCY = "left_agency"
    NO_LONGER_NEEDED = "no_longer_needed"
    OTHER = "other"


REASON_LABELS = {
    Reason.LEFT_AGENCY: "Left the agency",
    Reason.NO_LONGER_NEEDED: "No longer needs HMIS",
    Reason.OTHER: "Other",
}


class DeactivationDetails(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    reason: Reason
    reason_text: str = ""
    effective_at: datetime
    account_id: int | None = None
    access_role_id: str = ""

    @property
    def security_event(self) -> bool:
        """Someone who left the agency still holding access: admins are told at once."""
        return self.reason is Reason.LEFT_AGENCY

    @property
    def reason_line(self) -> str:
        label = REASON_LABELS[self.reason]
        return f"{label}: {self.reason_text}" if self.reason_text else label


DeactivationRequest = Request[DeactivationDetails]
