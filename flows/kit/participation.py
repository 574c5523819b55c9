"""Where an agency stands in HMIS, for every kind that asks: how far its onboarding checklist
has come, and whether its MOU is current. The wording is shared so that a refused new-user
request and the agency's own checklist say the same thing."""

from __future__ import annotations

from datetime import datetime, time

from flows.calendar import BusinessCalendar
from flows.community import Agency, AgencyStatus, ChecklistItem, Community

AGENCY_COMMAND = "agency"
"""The command word that shows an agency's leads their checklist (the agency kind's)."""


def checklist_done(community: Community, agency: Agency) -> list[ChecklistItem]:
    return [i for i in community.onboarding_checklist if i.id in agency.checklist]


def checklist_missing(community: Community, agency: Agency) -> list[ChecklistItem]:
    return [i for i in community.onboarding_checklist if i.id not in agency.checklist]


def still_onboarding(community: Community, agency: Agency) -> str | None:
    """Why an agency that is still applying cannot have staff requested yet, with how far its
    onboarding checklist has come; None when the community has no checklist or the agency is
    not applying."""
    steps = community.onboarding_checklist
    if not steps or agency.status is not AgencyStatus.APPLYING:
        return None
    done = len(checklist_done(community, agency))
    return (
        f"{agency.name} is still onboarding: {done} of {len(steps)} steps done. Its agency "
        f'leads see the checklist with the "{AGENCY_COMMAND}" command. Requests for its staff '
        "can be filed once HMIS approves the agency."
    )


def mou_problem(
    community: Community, calendar: BusinessCalendar, agency: Agency, now: datetime
) -> str | None:
    """Why the agency's MOU is not current under the community's rule, with what to do; None
    when it is, or when the community file sets no rule (``mou_valid_for``,
    ``mou_current_since``)."""
    valid_for, since = community.mou_valid_for, community.mou_current_since
    if valid_for is None and since is None:
        return None
    todo = (
        "Send HMIS the agency's signed MOU (its HMIS participation agreement); once HMIS has "
        "recorded its date, ask again."
    )
    signed = agency.mou_date
    if signed is None:
        return f"HMIS has no MOU on record for {agency.name}. {todo}"
    on = signed.strftime("%b %-d, %Y")
    if since is not None and signed < since:
        needed = since.strftime("%b %-d, %Y")
        return (
            f"{agency.name}'s MOU on record was signed {on}; HMIS needs one signed on or after "
            f"{needed}. {todo}"
        )
    if valid_for is not None:
        start = datetime.combine(signed, time(0), calendar.timezone)
        lapsed = calendar.deadline(start, valid_for)
        if lapsed <= now:
            return (
                f"{agency.name}'s MOU on record was signed {on} and lapsed "
                f"{calendar.day(lapsed)} (an MOU is current for {valid_for}). {todo}"
            )
    return None
