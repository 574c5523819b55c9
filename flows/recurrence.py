"""Recurring community events written as RFC 5545 RRULEs, expanded in the community's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr

EXAMPLE = "FREQ=MONTHLY;BYDAY=2TU;BYHOUR=10;BYMINUTE=0"
_PROBE_START = datetime(2020, 1, 1, tzinfo=UTC)


def check_rrule(text: str) -> str:
    """The RRULE unchanged when it parses and names the local time of day (BYHOUR)."""
    try:
        rule = rrulestr(text, dtstart=_PROBE_START)
    except (ValueError, TypeError) as error:
        raise ValueError(f"'{text}' is not an RRULE such as '{EXAMPLE}' ({error})") from None
    if not isinstance(rule, rrule):
        raise ValueError(f"give one RRULE such as '{EXAMPLE}', not a set of rules")
    if "BYHOUR=" not in text.upper():
        raise ValueError(f"say when the event starts with BYHOUR (and BYMINUTE), as in '{EXAMPLE}'")
    return text


def occurrences(
    text: str, starts: date, timezone: ZoneInfo, after: datetime, until: datetime
) -> list[datetime]:
    """Occurrences strictly after ``after`` and up to ``until``, as aware UTC datetimes.

    The rule is expanded on the local wall clock from midnight of ``starts``, so a 10:00 meeting
    stays at 10:00 local time across daylight-saving changes.
    """
    rule = rrulestr(text, dtstart=datetime.combine(starts, time(0), timezone))
    local = rule.between(after.astimezone(timezone), until.astimezone(timezone), inc=True)
    return [moment.astimezone(UTC) for moment in local if moment > after]
