"""What a request to end additional agency access holds, and its states. The request's agency
is the one whose clients the person will no longer see."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from flows.model import Request

NAME = "end_agency_access"


class EndAccessState(StrEnum):
    AWAITING_ADMIN = "awaiting_admin"
    REMOVED = "removed"
    WITHDRAWN = "withdrawn"


OPEN_STATES = frozenset({EndAccessState.AWAITING_ADMIN})
ADMIN_STATES = OPEN_STATES


class EndAccessDetails(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    home_agency_id: str
    reason: str
    grant_id: int
    granted_at: datetime


EndAccessRequest = Request[EndAccessDetails]
