"""What a New Program Request holds, and its states. It is about a program, not a person: its
subject is the program's name and it has no subject e-mail."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from flows.model import Request

NAME = "program"


class ProgramState(StrEnum):
    AWAITING_ADMIN = "awaiting_admin"
    BUILT = "built"
    DENIED = "denied"
    WITHDRAWN = "withdrawn"


OPEN_STATES = frozenset({ProgramState.AWAITING_ADMIN})
ADMIN_STATES = OPEN_STATES


class ProgramChange(StrEnum):
    NEW = "new"
    CHANGED = "changed"


CHANGE_LABELS = {
    ProgramChange.NEW: "A new program",
    ProgramChange.CHANGED: "A change to an existing program",
}


class ProgramDetails(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    change: ProgramChange
    needs: str
    """What is needed, in the lead's words (never client data)."""


ProgramRequest = Request[ProgramDetails]
