"""What an agency's onboarding holds beyond every request's columns, and its states.

The checklist is kept as it was when onboarding began, so the request reads the same even if
the community file's checklist changes later."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from flows.model import Request

NAME = "agency_participation"


class ParticipationState(StrEnum):
    ONBOARDING = "onboarding"
    """Steps of the checklist are still to be done; HMIS admins tick them."""
    READY = "ready"
    """Every step is done; HMIS admins approve the agency."""
    APPROVED = "approved"
    DENIED = "denied"


OPEN_STATES = frozenset({ParticipationState.ONBOARDING, ParticipationState.READY})
ADMIN_STATES = frozenset({ParticipationState.READY})


class Step(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    name: str


class Tick(BaseModel):
    """A step done: ticked by an HMIS admin, or already on record when onboarding began
    (``by`` empty)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    step: str
    by: str = ""
    at: datetime | None = None


class ParticipationDetails(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    checklist: tuple[Step, ...] = ()
    ticks: tuple[Tick, ...] = ()
    note: str = ""

    def tick(self, step_id: str) -> Tick | None:
        return next((t for t in self.ticks if t.step == step_id), None)

    def step(self, step_id: str) -> Step | None:
        return next((s for s in self.checklist if s.id == step_id), None)

    @property
    def missing(self) -> list[Step]:
        return [s for s in self.checklist if self.tick(s.id) is None]


ParticipationRequest = Request[ParticipationDetails]
