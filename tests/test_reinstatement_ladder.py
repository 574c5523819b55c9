"""The reinstatement ladder of a community file and the calendar months it may be written in,
as plain calls: months on the calendar, the ladder validated with each mistake at its own
line, and where a disabled account stands on it."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from functools import partial

import pytest

from chatbot.community_calendar import business_calendar
from chatbot.policy import PolicyError, bundled_preset_path, parse_community
from flows.accounts import AccountStatus, HmisAccount
from flows.calendar import BusinessCalendar, add_months
from flows.community import Community
from flows.durations import Duration, Unit, parse_duration
from flows.kinds.reinstatement.form import ladder_text
from flows.kinds.reinstatement.placement import disabled_since, place, reached
from flows.ladder import RE_ENABLE_ONLY, LadderStep, Needs
from flows.nudges.timing import latest_start, reminder_time
from tests.nudges import local, shown
from tests.reinstating import LADDER, with_ladder

PRESET = bundled_preset_path().read_text()


@pytest.fixture
def calendar(community: Community) -> BusinessCalendar:
    return business_calendar(community)


# Months ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("6 months", Duration(6, Unit.MONTHS)),
        ("1 month", Duration(1, Unit.MONTHS)),
        ("1 calendar month", Duration(1, Unit.MONTHS)),
        ("12 Months", Duration(12, Unit.MONTHS)),
    ],
)
def test_months_read_the_way_people_write_them(text: str, expected: Duration) -> None:
    assert parse_duration(text) == expected
    assert parse_duration(str(expected)) == expected
    assert str(Duration(1, Unit.MONTHS)) == "1 month"


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 11, 16), 6, date(2027, 5, 16)),
        (date(2026, 12, 5), 1, date(2027, 1, 5)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2026, 1, 15), -13, date(2024, 12, 15)),
    ],
)
def test_a_month_later_is_the_same_day_or_the_months_last(
    day: date, months: int, expected: date
) -> None:
    assert add_months(day, months) == expected


def test_a_deadline_in_months_ends_at_the_close_of_business(calendar: BusinessCalendar) -> None:
    due = calendar.deadline(local("2026-01-31 10:00"), Duration(1, Unit.MONTHS))
    assert shown(due) == "Sat 2026-02-28 17:00"
    before = reminder_time(calendar, local("2026-03-31 17:00"), Duration(1, Unit.MONTHS))
    assert shown(before) == "Sat 2026-02-28 08:00"


@pytest.mark.parametrize("now", ["2026-03-02 08:00", "2026-02-28 16:59", "2026-02-28 17:00"])
def test_the_cutoff_of_a_window_in_months_matches_the_deadline(
    calendar: BusinessCalendar, now: str
) -> None:
    window, moment = Duration(1, Unit.MONTHS), local(now)
    cutoff = latest_start(partial(calendar.deadline, duration=window), moment)
    start = moment - timedelta(days=40)
    while start < moment:
        assert (start <= cutoff) == (calendar.deadline(start, window) <= moment), shown(start)
        start += timedelta(hours=7)


def test_reminders_in_months_and_days_must_run_earliest_first() -> None:
    good = PRESET.replace(
        "  training_grace:", "  renewal_reminders: [1 month, 7 days]\n  training_grace:"
    )
    assert parse_community(good, "x.yml").deadlines.renewal_reminders[0] == Duration(1, Unit.MONTHS)
    bad = PRESET.replace(
        "  training_grace:", "  renewal_reminders: [7 days, 1 month]\n  training_grace:"
    )
    with pytest.raises(PolicyError) as caught:
        parse_community(bad, "x.yml")
    assert "from the earliest to the latest" in str(caught.value)


# The ladder in the community file ------------------------------------------------------------


def test_without_a_ladder_every_disabled_account_is_simply_re_enabled(
    community: Community,
) -> None:
    assert community.reinstatement == RE_ENABLE_ONLY
    assert ladder_text(community) == (
        "HMIS admins re-enable an account disabled for inactivity. Once re-enabled, the "
        "person logs in within 24 hours."
    )


LADDER_YAML = """
reinstatement:
  - {after: 0 days, needs: re_enable}
  - {after: 90 days, needs: trainings, trainings: [privacy]}
  - {after: 6 months, needs: role_trainings}
"""


def test_a_ladder_reads_as_written_and_in_words() -> None:
    community = parse_community(PRESET + LADDER_YAML, "x.yml")
    assert community.reinstatement == LADDER
    assert ladder_text(community).splitlines() == [
        "Disabled less than 90 days: HMIS admins re-enable it.",
        "Disabled 90 days or more: Privacy & Security Training again first, then HMIS "
        "re-enables it.",
        "Disabled 6 months or more: every training of the person's access role again first, "
        "then HMIS re-enables it.",
        "Once re-enabled, the person logs in within 24 hours.",
    ]


def test_a_ladder_starting_later_re_enables_before_its_first_step(community: Community) -> None:
    later = (LadderStep(after=Duration(3, Unit.MONTHS), needs=Needs.ROLE_TRAININGS),)
    text = ladder_text(community.model_copy(update={"reinstatement": later}))
    assert text.splitlines()[0] == "Disabled less than 3 months: HMIS admins re-enable it."


def test_each_ladder_mistake_is_reported_at_its_own_line() -> None:
    lines = len(PRESET.splitlines())
    text = PRESET + (
        "\nreinstatement:\n"
        "  - {after: 0 days, needs: re_enable, trainings: [privacy]}\n"
        "  - {after: 90 days, needs: trainings}\n"
        "  - {after: 6 months, needs: role_trainings, trainings: [privcy]}\n"
        "  - {after: soon, needs: retrain}\n"
    )
    with pytest.raises(PolicyError) as caught:
        parse_community(text, "x.yml")
    problems = [(p.line - lines, p.path) for p in caught.value.problems]
    assert problems == [
        (3, "reinstatement.0"),
        (4, "reinstatement.1"),
        (5, "reinstatement.2.trainings.0"),
        (6, "reinstatement.3.after"),
        (6, "reinstatement.3.needs"),
    ]
    messages = [p.message for p in caught.value.problems]
    assert "'needs: re_enable' takes no trainings" in messages[0]
    assert "lists the trainings to retake" in messages[1]
    assert "training 'privcy' is not in trainings (general, privacy)" in messages[2]
    assert "N months" in messages[3]


def test_a_ladder_out_of_order_says_how_to_write_it() -> None:
    text = PRESET + (
        "\nreinstatement:\n"
        "  - {after: 6 months, needs: role_trainings}\n"
        "  - {after: 90 days, needs: trainings, trainings: [privacy]}\n"
    )
    with pytest.raises(PolicyError) as caught:
        parse_community(text, "x.yml")
    [problem] = caught.value.problems
    assert problem.path == "reinstatement"
    assert "from the shortest 'after' to the longest" in problem.message


# Where an account stands ----------------------------------------------------------------------

ACCOUNT = HmisAccount(
    id=1,
    version=3,
    email="sid@riverhouse.example.org",
    name="Sid",
    agency_id="river-house",
    status=AccountStatus.DISABLED,
    last_login_at=local("2026-06-01 09:00"),
    access_role_id="dss",
    disabled_by="helpdesk@hmis.example.org",
    disabled_at=local("2026-08-03 09:00"),
)


@pytest.mark.parametrize(
    ("after", "now", "expected"),
    [
        (Duration(90, Unit.DAYS), "2026-11-01 00:01", True),  # 90 local days, any time that day
        (Duration(90, Unit.DAYS), "2026-10-31 23:59", False),
        (Duration(3, Unit.MONTHS), "2026-11-03 00:00", True),
        (Duration(3, Unit.MONTHS), "2026-11-02 23:00", False),
        (Duration(48, Unit.HOURS), "2026-08-05 09:00", True),
        (Duration(48, Unit.HOURS), "2026-08-05 08:59", False),
        (Duration(2, Unit.BUSINESS_DAYS), "2026-08-05 06:00", True),  # Mon -> Wed
        (Duration(0, Unit.DAYS), "2026-08-03 09:00", True),
    ],
)
def test_how_long_an_account_has_been_disabled(
    calendar: BusinessCalendar, after: Duration, now: str, expected: bool
) -> None:
    assert ACCOUNT.disabled_at is not None
    assert reached(calendar, ACCOUNT.disabled_at, after, local(now)) is expected


def test_an_unconfirmed_disabling_counts_from_the_last_login_and_the_limit(
    community: Community, calendar: BusinessCalendar
) -> None:
    due = replace(ACCOUNT, status=AccountStatus.DISABLE_DUE, disabled_by=None, disabled_at=None)
    since, confirmed = disabled_since(community, calendar, due, local("2026-09-15 09:00"))
    assert (shown(since), confirmed) == ("Fri 2026-07-31 17:00", False)  # 60 days after


@pytest.mark.parametrize(
    ("now", "needs", "trainings"),
    [
        ("2026-10-31 12:00", Needs.RE_ENABLE, ()),
        ("2026-11-01 12:00", Needs.TRAININGS, ("privacy",)),
        ("2027-02-03 12:00", Needs.ROLE_TRAININGS, ("general", "privacy")),
    ],
)
def test_the_step_and_its_trainings(
    community: Community,
    calendar: BusinessCalendar,
    now: str,
    needs: Needs,
    trainings: tuple[str, ...],
) -> None:
    placement = place(with_ladder(community), calendar, ACCOUNT, local(now))
    assert (placement.step.needs, placement.trainings) == (needs, trainings)
    assert placement.confirmed


def test_role_trainings_and_listed_ones_are_asked_once_each(
    community: Community, calendar: BusinessCalendar
) -> None:
    step = LadderStep(
        after=Duration(0, Unit.DAYS), needs=Needs.ROLE_TRAININGS, trainings=("privacy",)
    )
    laddered = community.model_copy(update={"reinstatement": (step,)})
    now = datetime.fromisoformat("2026-09-01T12:00:00+00:00")
    assert place(laddered, calendar, ACCOUNT, now).trainings == ("general", "privacy")
