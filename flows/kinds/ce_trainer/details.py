"""What a CE trainer designation holds, and its states. The request's agency is the one the
person trains for."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from flows.model import Request

NAME = "ce_trainer"


class CeTrainerState(StrEnum):
    AWAITING_ADMIN = "awaiting_admin"
    DESIGNATED = "designated"
    DENIED = "denied"
    WITHDRAWN = "withdrawn"


OPEN_STATES = frozenset({CeTrainerState.AWAITING_ADMIN})
ADMIN_STATES = OPEN_STATES


class CeTrainerDetails(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    account_id: int
    trainers_before: tuple[str, ...] = ()
    """The agency's CE trainers when it was filed (none: the admins' card says so)."""


CeTrainerRequest = Request[CeTrainerDetails]
