"""The community file's settings for nudges: reminder lists, reminder audiences, login reports."""

from __future__ import annotations

from enum import StrEnum
from itertools import pairwise
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict

from flows.durations import Duration, DurationField
from flows.imports.policy import StaffList, TrainingList


def _earliest_first(offsets: tuple[Duration, ...]) -> tuple[Duration, ...]:
    lengths = [o.nominal_minutes for o in offsets]
    if any(earlier <= later for earlier, later in pairwise(lengths)):
        raise ValueError(
            "list reminders from the earliest to the latest, such as [7 days, 2 days, 0 days]"
        )
    return offsets


ReminderOffsets = Annotated[tuple[DurationField, ...], AfterValidator(_earliest_first)]
"""How long before a deadline each reminder goes out, earliest first (``0 days``: that day)."""


class ReminderAudience(StrEnum):
    AGENCY_LEADS = "agency_leads"
    SECURITY_OFFICERS = "security_officers"


class LoginReport(BaseModel):
    """The columns of the HMIS login report (such as a Clarity staff export) that
    ``hmis-bot import logins`` reads; every other column is ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    email: str = "Email"
    last_login: str = "Last Login"
    date_formats: tuple[str, ...] = ("%m/%d/%Y %I:%M %p", "%m/%d/%Y %H:%M", "%m/%d/%Y")
    """strptime formats tried after ISO 8601; times without an offset are community-local."""


class Imports(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    logins: LoginReport = LoginReport()
    users: StaffList = StaffList()
    trainings: TrainingList = TrainingList()
