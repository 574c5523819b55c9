"""The community's business calendar: its time zone, business hours and public holidays."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import holidays

from flows.calendar import BusinessCalendar
from flows.community import Community


class _ClosedDays:
    """Public holidays of the community's country plus its own closure dates."""

    def __init__(self, community: Community) -> None:
        self._public = holidays.country_holidays(community.holidays) if community.holidays else {}
        self._closures = frozenset(community.closures)

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and (day in self._closures or day in self._public)


def business_calendar(community: Community) -> BusinessCalendar:
    return BusinessCalendar(
        timezone=ZoneInfo(community.timezone),
        closed_days=_ClosedDays(community),
        opens=community.business_hours.start,
        closes=community.business_hours.end,
    )
