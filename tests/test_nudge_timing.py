"""The calendar arithmetic behind sweeps, as plain function calls: cutoffs that match the
deadline rule exactly, business-hours holds, reminder times, RRULE expansion, and the
community file's nudge settings."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path

import pytest

from chatbot.community_calendar import business_calendar
from chatbot.policy import PolicyError, load_community, parse_community
from flows.calendar import BusinessCalendar
from flows.community import Community
from flows.durations import Duration, Unit
from flows.nudges.policy import ReminderAudience
from flows.nudges.timing import deliver_at, latest_start, reminder_time
from flows.recurrence import occurrences
from tests.nudges import PACIFIC, local, shown

DATA = Path(__file__).parent / "data"


@pytest.fixture
def calendar(community: Community) -> BusinessCalendar:
    return business_calendar(community)


@pytest.mark.parametrize(
    "window",
    [
        Duration(2, Unit.BUSINESS_DAYS),
        Duration(3, Unit.DAYS),
        Duration(48, Unit.HOURS),
        Duration(1, Unit.WEEKS),
    ],
)
@pytest.mark.parametrize("now", ["2026-11-27 08:00", "2026-11-30 17:00", "2026-12-01 16:59"])
def test_the_cutoff_selects_exactly_what_the_deadline_rule_says_is_due(
    calendar: BusinessCalendar, window: Duration, now: str
) -> None:
    """Every quarter hour of the weeks around Thanksgiving, checked against the rule itself."""
    moment = local(now)
    cutoff = latest_start(partial(calendar.deadline, duration=window), moment)
    start = local("2026-11-16 00:00")
    while start < local("2026-12-02 00:00"):
        assert (start <= cutoff) == (calendar.deadline(start, window) <= moment), shown(start)
        start += timedelta(minutes=15)


@pytest.mark.parametrize(
    ("moment", "delivered"),
    [
        ("2026-11-24 12:00", "Tue 2026-11-24 12:00"),  # business hours: at once
        ("2026-11-24 07:59", "Tue 2026-11-24 08:00"),  # early: that morning
        ("2026-11-24 17:00", "Wed 2026-11-25 08:00"),  # closed: the next business morning
        ("2026-11-25 22:00", "Fri 2026-11-27 08:00"),  # over Thanksgiving
        ("2026-11-28 10:00", "Mon 2026-11-30 08:00"),  # over the weekend
        ("2026-12-24 18:00", "Mon 2026-12-28 08:00"),  # Christmas Day, then the weekend
    ],
)
def test_nudges_are_held_until_business_hours(
    calendar: BusinessCalendar, moment: str, delivered: str
) -> None:
    assert shown(deliver_at(calendar, local(moment))) == delivered


def test_a_closure_date_in_the_community_file_is_not_a_business_day(community: Community) -> None:
    closed = business_calendar(community.model_copy(update={"closures": (date(2026, 11, 30),)}))
    assert shown(deliver_at(closed, local("2026-11-28 10:00"))) == "Tue 2026-12-01 08:00"


@pytest.mark.parametrize(
    ("before", "reminded"),
    [
        (Duration(0, Unit.DAYS), "Tue 2026-12-01 08:00"),  # the morning of the day
        (Duration(7, Unit.DAYS), "Tue 2026-11-24 08:00"),
        (Duration(3, Unit.BUSINESS_DAYS), "Wed 2026-11-25 08:00"),  # skips Thanksgiving
        (Duration(4, Unit.HOURS), "Tue 2026-12-01 13:00"),  # exact
    ],
)
def test_reminder_times(calendar: BusinessCalendar, before: Duration, reminded: str) -> None:
    due = local("2026-12-01 17:00")
    assert shown(reminder_time(calendar, due, before)) == reminded


def test_a_monthly_meeting_keeps_its_local_time_across_daylight_saving() -> None:
    second_tuesdays = occurrences(
        "FREQ=MONTHLY;BYDAY=2TU;BYHOUR=10;BYMINUTE=0",
        date(2020, 1, 1),
        PACIFIC,
        datetime(2026, 10, 1, tzinfo=UTC),
        datetime(2026, 12, 31, tzinfo=UTC),
    )
    assert second_tuesdays == [
        datetime(2026, 10, 13, 17, 0, tzinfo=UTC),  # 10:00 PDT
        datetime(2026, 11, 10, 18, 0, tzinfo=UTC),  # 10:00 PST
        datetime(2026, 12, 8, 18, 0, tzinfo=UTC),
    ]


def test_the_issue_example_loads_unchanged() -> None:
    community = load_community(DATA / "issue5-community.yml")
    deadlines = community.deadlines
    assert deadlines.training_reminders == (
        Duration(7, Unit.DAYS),
        Duration(2, Unit.DAYS),
        Duration(0, Unit.DAYS),
    )
    assert deadlines.training_grace == Duration(3, Unit.DAYS)
    assert (deadlines.inactivity_warning, deadlines.inactivity_disable) == (
        Duration(45, Unit.DAYS),
        Duration(60, Unit.DAYS),
    )
    assert deadlines.deactivation == Duration(48, Unit.HOURS)
    assert deadlines.role_change == Duration(1, Unit.BUSINESS_DAYS)
    [meeting] = community.reminders
    assert meeting.audience is ReminderAudience.AGENCY_LEADS
    assert meeting.notify_before == (Duration(7, Unit.DAYS), Duration(1, Unit.DAYS))
    assert meeting.link == "https://meet.example.org/agency-leads"


@pytest.mark.parametrize(
    ("old", "new", "line", "path", "message"),
    [
        ("BYDAY=2TU;", "BYDAY=2XX;", 36, "reminders.0.rrule", "is not an RRULE"),
        (";BYHOUR=10;BYMINUTE=0", "", 36, "reminders.0.rrule", "BYHOUR"),
        ("audience: agency_leads", "audience: everyone", 37, "reminders.0.audience", "agency_"),
        ("[7 days, 1 day]", "[1 day, 7 days]", 38, "reminders.0.notify_before", "earliest"),
        ("[7 days, 1 day]", "[]", 38, "reminders.0.notify_before", "at least 1"),
        ("training_grace: 3 days", "training_grace: 3 dayz", 42, "deadlines.training_grace", ""),
    ],
)
def test_nudge_settings_mistakes_name_their_key_and_line(
    old: str, new: str, line: int, path: str, message: str
) -> None:
    text = (DATA / "issue5-community.yml").read_text()
    assert old in text
    with pytest.raises(PolicyError) as caught:
        parse_community(text.replace(old, new, 1), "my.yml")
    [problem] = caught.value.problems
    assert (problem.line, problem.path) == (line, path)
    assert message in problem.message
