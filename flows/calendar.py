"""Deadline arithmetic in the community's own time zone, skipping weekends and holidays."""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Container
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flows.durations import Duration, Unit

_SATURDAY = 5


@dataclass(frozen=True)
class BusinessCalendar:
    timezone: ZoneInfo
    closed_days: Container[date]
    opens: time
    closes: time

    def is_business_day(self, day: date) -> bool:
        return day.weekday() < _SATURDAY and day not in self.closed_days

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.timezone)

    def when(self, moment: datetime | None) -> str:
        """A moment as people read it, in the community's time zone (``-`` when unset)."""
        if moment is None:
            return "-"
        return self.local(moment).strftime("%a %b %-d, %Y %-I:%M %p %Z")

    def day(self, moment: datetime) -> str:
        """The local date alone, as people read it."""
        return self.local(moment).strftime("%a %b %-d, %Y")

    def deadline(self, start: datetime, duration: Duration) -> datetime:
        """When something started at ``start`` (aware) is due, as an aware UTC datetime.

        Hours and minutes count exactly; calendar and business days, weeks and months end at
        the close of business on the last local day, which is what a person reading "within 5
        business days" expects.
        """
        if duration.unit is Unit.MINUTES:
            return (start + timedelta(minutes=duration.amount)).astimezone(UTC)
        if duration.unit is Unit.HOURS:
            return (start + timedelta(hours=duration.amount)).astimezone(UTC)
        day = self.local(start).date()
        if duration.unit is Unit.BUSINESS_DAYS:
            day = self.add_business_days(day, duration.amount)
        elif duration.unit is Unit.MONTHS:
            day = add_months(day, duration.amount)
        else:
            per_unit = 7 if duration.unit is Unit.WEEKS else 1
            day += timedelta(days=duration.amount * per_unit)
        return datetime.combine(day, self.closes, self.timezone).astimezone(UTC)

    def end_of(self, day: date) -> datetime:
        """The close of business on a local day, as an aware UTC datetime."""
        return datetime.combine(day, self.closes, self.timezone).astimezone(UTC)

    def add_business_days(self, day: date, count: int) -> date:
        while count > 0:
            day += timedelta(days=1)
            if self.is_business_day(day):
                count -= 1
        return day


def add_months(day: date, count: int) -> date:
    """The same day of the month ``count`` months later (earlier when negative), or that
    month's last day when it is shorter: Jan 31 plus one month is Feb 28 (or 29)."""
    index = day.year * 12 + day.month - 1 + count
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, monthrange(year, month + 1)[1]))


def how_long(span: timedelta) -> str:
    """How long, as people say it: ``2 days 3 hours``, ``5 hours``, ``40 minutes``."""
    minutes = max(int(span.total_seconds() // 60), 0)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = [(days, "day"), (hours, "hour")] if days else [(hours, "hour"), (minutes, "minute")]
    words = [f"{n} {unit}{'s' if n != 1 else ''}" for n, unit in parts if n]
    return " ".join(words) or "less than a minute"
