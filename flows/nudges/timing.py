"""When nudges fall due and when they may be delivered, on the community's own calendar.

Sweeps select due rows in SQL by comparing a stored moment (a deadline, a last login) with a
cutoff. The calendar arithmetic (time zone, weekends, holidays) cannot run in SQL, so each
cutoff is found here by inverting the due-time function, which never decreases.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from flows.calendar import BusinessCalendar, add_months
from flows.durations import Duration, Unit

SEARCH_SPAN = timedelta(days=3660)  # ten years either way: longer than any window a community sets
RESOLUTION = timedelta(microseconds=1)  # what both databases store


def reminder_time(calendar: BusinessCalendar, deadline: datetime, before: Duration) -> datetime:
    """When the reminder ``before`` ahead of ``deadline`` falls due.

    Hours and minutes count exactly; a reminder some days ahead falls due when business opens
    on that local day, so ``0 days`` means the morning of the day something is due.
    """
    if before.unit is Unit.MINUTES:
        return deadline - timedelta(minutes=before.amount)
    if before.unit is Unit.HOURS:
        return deadline - timedelta(hours=before.amount)
    day = calendar.local(deadline).date()
    if before.unit is Unit.BUSINESS_DAYS:
        day = _business_days_before(calendar, day, before.amount)
    elif before.unit is Unit.MONTHS:
        day = add_months(day, -before.amount)
    else:
        day -= timedelta(days=before.amount * (7 if before.unit is Unit.WEEKS else 1))
    return _opening(calendar, day)


def latest_start(due_at: Callable[[datetime], datetime], now: datetime) -> datetime:
    """The latest moment ``x`` with ``due_at(x) <= now``, for a ``due_at`` that never decreases.

    Rows whose stored moment is at or before the result are due. Found by bisection to the
    microsecond, about fifty evaluations of ``due_at``.
    """
    low, high = now - SEARCH_SPAN, now + SEARCH_SPAN
    if due_at(low) > now:
        return low - RESOLUTION
    if due_at(high) <= now:
        return high
    while high - low > RESOLUTION:
        middle = low + (high - low) // 2
        if due_at(middle) <= now:
            low = middle
        else:
            high = middle
    return low


def deliver_at(calendar: BusinessCalendar, moment: datetime) -> datetime:
    """``moment`` if it is within business hours, else the next business morning."""
    local = calendar.local(moment)
    today = local.date()
    if calendar.is_business_day(today):
        if calendar.opens <= local.time() < calendar.closes:
            return moment
        if local.time() < calendar.opens:
            return _opening(calendar, today)
    return _opening(calendar, calendar.add_business_days(today, 1))


def _opening(calendar: BusinessCalendar, day: date) -> datetime:
    return datetime.combine(day, calendar.opens, calendar.timezone).astimezone(UTC)


def _business_days_before(calendar: BusinessCalendar, day: date, count: int) -> date:
    while count > 0:
        day -= timedelta(days=1)
        if calendar.is_business_day(day):
            count -= 1
    return day
