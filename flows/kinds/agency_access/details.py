"""What an additional agency access request holds beyond every request's columns, and its
states. The request's agency is the one whose clients the person will see."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from flows.model import Request

NAME = "agency_access"
HOME_LEAD = "home_lead"
"""The party of the leads of the person's own agency, who may object."""


class AgencyAccessState(StrEnum):
    AWAITING_ADMIN = "awaiting_admin"
    ADDED = "added"
    DENIED = "denied"
    WITHDRAWN = "withdrawn"


OPEN_STATES = frozenset({AgencyAccessState.AWAITING_ADMIN})
ADMIN_STATES = OPEN_STATES


class Objection(BaseModel):
    """A lead of the person's own agency said this access should not be added, and why."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    by: str
    at: datetime
    reason: str


class AgencyAccessDetails(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    home_agency_id: str
    """The person's own agency, whose leads are told."""
    reason: str
    """What their work with the other agency's clients is."""
    account_id: int
    objections: tuple[Objection, ...] = ()

    def objected_by(self, email: str) -> bool:
        return any(o.by == email for o in self.objections)


AgencyAccessRequest = Request[AgencyAccessDetails]
