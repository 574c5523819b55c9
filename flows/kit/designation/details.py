"""What a designation holds beyond every request's columns, and its states."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from flows.model import Request


class DesignationState(StrEnum):
    AWAITING_APPROVAL = "awaiting_approval"
    """The agency has holders of the position; one of them approves the change."""
    TRAINING = "training"
    """The candidate lacks the position's training; they report it done."""
    AWAITING_ADMIN = "awaiting_admin"
    DESIGNATED = "designated"
    DECLINED = "declined"
    """A current holder declined it."""
    DENIED = "denied"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


OPEN_STATES = frozenset(
    {
        DesignationState.AWAITING_APPROVAL,
        DesignationState.TRAINING,
        DesignationState.AWAITING_ADMIN,
    }
)
ADMIN_STATES = frozenset({DesignationState.AWAITING_ADMIN})


class Answer(BaseModel):
    """A yes/no question of the form, as it was asked, and the answer."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    question: str
    yes: bool


class DesignationDetails(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    replaces: str = ""
    """The holder whose designation ends with this one (their e-mail); empty: an addition."""
    approvers: tuple[str, ...] = ()
    """The holders asked to approve; empty when none had to (no holder yet, or one filed)."""
    approved_by: str | None = None
    approved_at: datetime | None = None
    trainings: tuple[str, ...] = ()
    """The position's training, when the candidate lacked it."""
    training_due: datetime | None = None
    mou_date: date | None = None
    """The agency's MOU on record when it was filed."""
    has_account: bool = True
    """Whether the bot knew an HMIS account of the candidate's at the agency."""
    answers: tuple[Answer, ...] = ()
    note: str = ""
    names: dict[str, str] = {}
    """Names of the people it involves whom the community file does not name (from their
    HMIS accounts), by e-mail, so cards name them."""

    @property
    def needs_approval(self) -> bool:
        return bool(self.approvers)


DesignationRequest = Request[DesignationDetails]
