"""Who leads, supervises or is security officer at each agency, and its status, as the bot
knows them now: the community file is the starting state, and every change the bot made since
(a lead designated, an agency approved) is applied to it in order.

The file stays the source for whatever the bot never changed, so an operator's edit still
takes effect; a change made through the bot outlives the next ``hmis-bot init``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from flows.community import Agency, AgencyStatus, Community

MEMBER_LISTS = ("leads", "supervisors", "security_officers")
CHECKLIST = "checklist"
MOU_DATE = "mou_date"
POSITION_PREFIX = "positions."


class Action(StrEnum):
    ADD = "add"
    REMOVE = "remove"
    SET = "set"


@dataclass(frozen=True)
class AgencyChange:
    """One change to an agency: a person added to or removed from a list (``leads``,
    ``positions.ce-trainer``), an onboarding step ticked (``checklist``, the step's id), or a
    value set (``status``, ``mou_date``)."""

    agency_id: str
    field: str
    action: Action
    value: str
    request_id: int | None = None
    at: datetime | None = None


def current(community: Community, changes: Iterable[AgencyChange]) -> Community:
    """The community with the bot's changes applied, oldest first."""
    agencies = {a.id: a for a in community.agencies}
    for change in changes:
        agency = agencies.get(change.agency_id)
        if agency is not None:
            agencies[agency.id] = _applied(agency, change)
    return community.model_copy(update={"agencies": tuple(agencies.values())})


def _applied(agency: Agency, change: AgencyChange) -> Agency:
    if change.field == "status" and change.action is Action.SET:
        return agency.model_copy(update={"status": AgencyStatus(change.value)})
    if change.field == MOU_DATE and change.action is Action.SET:
        return agency.model_copy(update={"mou_date": date.fromisoformat(change.value)})
    if change.field == CHECKLIST:
        return agency.model_copy(update={CHECKLIST: _changed(agency.checklist, change)})
    if change.field in MEMBER_LISTS:
        people = _changed(getattr(agency, change.field), change)
        return agency.model_copy(update={change.field: people})
    if change.field.startswith(POSITION_PREFIX):
        position = change.field.removeprefix(POSITION_PREFIX)
        people = _changed(agency.positions.get(position, ()), change)
        return agency.model_copy(update={"positions": agency.positions | {position: people}})
    return agency


def _changed(people: tuple[str, ...], change: AgencyChange) -> tuple[str, ...]:
    email = change.value.lower()
    if change.action is Action.ADD and email not in people:
        return (*people, email)
    if change.action is Action.REMOVE:
        return tuple(p for p in people if p != email)
    return people
