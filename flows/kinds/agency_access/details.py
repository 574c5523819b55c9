"""What an additional agency access request holds beyond every request's columns, and its
states. The request's agency is the one whose clients the person will see; a staff member's own
request is endorsed by their own agency (``Endorsement.agency_id``)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from flows.kit.endorsement import Endorsable
from flows.model import Request

NAME = "agency_access"
HOME_LEAD = "home_lead"
"""The party of the leads of the person's own agency, who may object."""


class AgencyAccessState(StrEnum):
    AWAITING_ENDORSEMENT = "awaiting_endorsement"
    """A staff member asked to see another agency's clients; a lead or supervisor of their own
    agency endorses it (then it goes on as that agency's lead's request would) or declines it."""
    AWAITING_ADMIN = "awaiting_admin"
    ADDED = "added"
    DENIED = "denied"
    WITHDRAWN = "withdrawn"
    DECLINED = "declined"
    """Not endorsed: their own agency declined the staff member's request, with a reason."""


OPEN_STATES = frozenset({AgencyAccessState.AWAITING_ENDORSEMENT, AgencyAccessState.AWAITING_ADMIN})
ADMIN_STATES = frozenset({AgencyAccessState.AWAITING_ADMIN})


class Objection(BaseModel):
    """A lead of the person's own agency said this access should not be added, and why."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    by: str
    at: datetime
    reason: str


class AgencyAccessDetails(Endorsable):
    home_agency_id: str
    """The person's own agency, whose leads are told."""
    reason: str
    """What their work with the other agency's clients is."""
    account_id: int
    objections: tuple[Objection, ...] = ()

    def objected_by(self, email: str) -> bool:
        return any(o.by == email for o in self.objections)


AgencyAccessRequest = Request[AgencyAccessDetails]
