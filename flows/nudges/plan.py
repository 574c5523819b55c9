"""Which rules a sweep runs at a given moment, with every cutoff computed from the community's
deadlines and calendar. The order matters: a rule that changes state (expiry, disabling) runs
before the rules it makes moot, and within a reminder series the latest stage runs first."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from functools import partial

from flows.accounts import AccountStatus
from flows.calendar import BusinessCalendar
from flows.community import Community
from flows.durations import Duration
from flows.model import RequestState
from flows.nudges.rules import (
    AccountClock,
    AccountRule,
    MeetingRule,
    NudgeKind,
    RenewalRule,
    RequestClock,
    RequestRule,
    Rule,
    Window,
)
from flows.nudges.timing import latest_start, reminder_time

ADMIN_WORK = (RequestState.AWAITING_APPROVAL, RequestState.APPROVED)
"""Request states in which the request waits for HMIS admins, on the approval SLA."""


def plan(community: Community, calendar: BusinessCalendar, now: datetime) -> list[Rule]:
    cutoffs = _Cutoffs(calendar, now)
    return [
        *_training(community, cutoffs),
        *_verification(community, cutoffs),
        *_admin_sla(community, cutoffs),
        *_first_login(community, cutoffs),
        *_renewals(community, cutoffs),
        *_inactivity(community, cutoffs),
        *(MeetingRule(reminder) for reminder in community.reminders),
    ]


class _Cutoffs:
    def __init__(self, calendar: BusinessCalendar, now: datetime) -> None:
        self.calendar = calendar
        self.now = now

    def ended(self, window: Duration) -> datetime:
        """Things that started at or before this moment have had ``window`` run out."""
        return latest_start(partial(self.calendar.deadline, duration=window), self.now)

    def reminders(self, offsets: tuple[Duration, ...]) -> Iterator[tuple[int, Window]]:
        """Per stage, latest first: deadlines still ahead whose reminder has fallen due."""
        for stage in reversed(range(len(offsets))):
            due_at = partial(reminder_time, self.calendar, before=offsets[stage])
            yield stage, Window(upto=latest_start(due_at, self.now), after=self.now)

    def renewals(
        self, valid_for: Duration, offsets: tuple[Duration, ...]
    ) -> Iterator[tuple[int, Window]]:
        """Per stage, latest first: completions still valid whose renewal reminder is due."""
        lapsed = self.ended(valid_for)
        for stage in reversed(range(len(offsets))):

            def due_at(reported: datetime, before: Duration = offsets[stage]) -> datetime:
                lapses = self.calendar.deadline(reported, valid_for)
                return reminder_time(self.calendar, lapses, before)

            yield stage, Window(upto=latest_start(due_at, self.now), after=lapsed)


def _training(community: Community, at: _Cutoffs) -> Iterator[RequestRule]:
    deadlines, state, clock = community.deadlines, RequestState.TRAINING, RequestClock.TRAINING_DUE
    yield RequestRule(
        NudgeKind.TRAINING_EXPIRED, state, clock, Window(at.ended(deadlines.training_grace))
    )
    yield RequestRule(NudgeKind.TRAINING_OVERDUE, state, clock, Window(at.now))
    for stage, window in at.reminders(deadlines.training_reminders):
        yield RequestRule(NudgeKind.TRAINING_REMINDER, state, clock, window, stage)


def _verification(community: Community, at: _Cutoffs) -> Iterator[RequestRule]:
    state, clock = RequestState.AWAITING_VERIFICATION, RequestClock.VERIFICATION_DUE
    yield RequestRule(NudgeKind.VERIFICATION_OVERDUE, state, clock, Window(at.now))
    for stage, window in at.reminders(community.deadlines.staff_verification_reminders):
        yield RequestRule(NudgeKind.VERIFICATION_REMINDER, state, clock, window, stage)


def _admin_sla(community: Community, at: _Cutoffs) -> Iterator[RequestRule]:
    window = Window(at.ended(community.deadlines.approval))
    for state in ADMIN_WORK:
        yield RequestRule(NudgeKind.ADMIN_SLA, state, RequestClock.STATE_ENTERED, window)


def _first_login(community: Community, at: _Cutoffs) -> Iterator[AccountRule]:
    pending, clock = (AccountStatus.PENDING_FIRST_LOGIN,), AccountClock.FIRST_LOGIN_DUE
    yield AccountRule(NudgeKind.FIRST_LOGIN_MISSED, pending, clock, Window(at.now))
    for stage, window in at.reminders(community.deadlines.first_login_reminders):
        yield AccountRule(NudgeKind.FIRST_LOGIN_REMINDER, pending, clock, window, stage)


def _renewals(community: Community, at: _Cutoffs) -> Iterator[RenewalRule]:
    for training in community.trainings:
        if training.valid_for is not None:
            renewals = at.renewals(training.valid_for, community.deadlines.renewal_reminders)
            for stage, window in renewals:
                yield RenewalRule(training.id, window, stage)


def _inactivity(community: Community, at: _Cutoffs) -> Iterator[AccountRule]:
    deadlines, clock = community.deadlines, AccountClock.LAST_LOGIN
    yield AccountRule(
        NudgeKind.INACTIVITY_DISABLE,
        (AccountStatus.ACTIVE, AccountStatus.WARNED),
        clock,
        Window(at.ended(deadlines.inactivity_disable)),
    )
    yield AccountRule(
        NudgeKind.INACTIVITY_WARNING,
        (AccountStatus.ACTIVE,),
        clock,
        Window(at.ended(deadlines.inactivity_warning)),
    )
