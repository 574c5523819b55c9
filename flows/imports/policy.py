"""The community file's ``imports.users`` and ``imports.trainings``: the columns of the HMIS
staff list and of the LMS's completions, and how their values map to this community's ids."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

DATE_FORMATS = ("%m/%d/%Y %I:%M %p", "%m/%d/%Y %H:%M", "%m/%d/%Y")
"""strptime formats tried after ISO 8601; times without an offset are community-local."""

Id = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")]


class StaffStatus(StrEnum):
    """What an account status in the staff list means here."""

    ACTIVE = "active"
    """The account can be used: the bot tracks its logins (pending its first one, if none)."""
    DISABLED = "disabled"
    """Locked or disabled in HMIS, such as for inactivity; reinstating it is a request."""
    DEACTIVATED = "deactivated"
    """Closed for good: the person left the agency or no longer needs HMIS."""


CLARITY_STATUSES: Mapping[str, StaffStatus] = {
    "Active": StaffStatus.ACTIVE,
    "Inactive": StaffStatus.DEACTIVATED,
    "Locked": StaffStatus.DISABLED,
}
"""Clarity Human Services' staff statuses."""


def _columns(value: object) -> object:
    return (value,) if isinstance(value, str) else value


class StaffList(BaseModel):
    """The columns of the HMIS staff list (such as a Clarity staff or access-role user list)
    that ``hmis-bot import users`` reads; every other column is ignored.

    Agencies and access roles are matched to this community's by name or id (ignoring case);
    ``agencies`` and ``access_roles`` map the list's other spellings to ids.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    username: str = "Username"
    """Only read to name a bad row; the bot keys people by work e-mail and stores no username."""
    name: Annotated[tuple[str, ...], BeforeValidator(_columns), Field(min_length=1)] = (
        "Full Name",
    )
    """One column, or several joined with a space: ``[First Name, Last Name]``."""
    email: str = "Email"
    agency: str = "Primary Agency Name"
    access_role: str = "Primary Access Role"
    status: str = "Status"
    last_login: str = "Last Login"
    """Optional in the file: without it, last logins are left alone."""
    date_formats: tuple[str, ...] = DATE_FORMATS
    statuses: Mapping[str, StaffStatus] = Field(default_factory=lambda: dict(CLARITY_STATUSES))
    """The list's status values (ignoring case) and what each means here."""
    agencies: Mapping[str, Id] = Field(default_factory=dict)
    """The list's agency names that are neither an agency's name nor its id here."""
    access_roles: Mapping[str, Id] = Field(default_factory=dict)
    """The list's access role names that are neither a role's name nor its id here."""


class TrainingList(BaseModel):
    """The columns of the LMS's completions export that ``hmis-bot import trainings`` reads.

    A course is matched to this community's trainings by name or id (ignoring case), or through
    ``trainings`` (the LMS's course name to a training id); other courses are counted and left
    alone.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    email: str = "Email"
    training: str = "Course"
    completed_on: str = "Completion Date"
    date_formats: tuple[str, ...] = DATE_FORMATS
    trainings: Mapping[str, Id] = Field(default_factory=dict)
