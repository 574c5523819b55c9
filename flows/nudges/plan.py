"""Which rules a sweep runs at a given moment, with every cutoff computed from the community's
deadlines and calendar. Each request kind in the registry adds its own rules; accounts,
renewals and recurring reminders follow. The order matters: a rule that changes state
(expiry, disabling) runs before the rules it makes moot, and within a reminder series the
latest stage runs first."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from flows.accounts import AccountStatus
from flows.calendar import BusinessCalendar
from flows.community import Community
from flows.kit.registry import Registry
from flows.nudges.cutoffs import Cutoffs
from flows.nudges.rules import (
    AccountClock,
    AccountRule,
    MeetingRule,
    NudgeKind,
    RenewalRule,
    Rule,
    Window,
)


def plan(
    community: Community, calendar: BusinessCalendar, now: datetime, registry: Registry
) -> list[Rule]:
    cutoffs = Cutoffs(calendar, now)
    return [
        *(rule for kind in registry for rule in kind.nudge_rules(community, cutoffs)),
        *_first_login(community, cutoffs),
        *_renewals(community, cutoffs),
        *_inactivity(community, cutoffs),
        *(MeetingRule(reminder) for reminder in community.reminders),
    ]


def _first_login(community: Community, at: Cutoffs) -> Iterator[AccountRule]:
    pending, clock = (AccountStatus.PENDING_FIRST_LOGIN,), AccountClock.FIRST_LOGIN_DUE
    yield AccountRule(NudgeKind.FIRST_LOGIN_MISSED, pending, clock, Window(at.now))
    for stage, window in at.reminders(community.deadlines.first_login_reminders):
        yield AccountRule(NudgeKind.FIRST_LOGIN_REMINDER, pending, clock, window, stage)


def _renewals(community: Community, at: Cutoffs) -> Iterator[RenewalRule]:
    for training in community.trainings:
        if training.valid_for is not None:
            renewals = at.renewals(training.valid_for, community.deadlines.renewal_reminders)
            for stage, window in renewals:
                yield RenewalRule(training.id, window, stage)


def _inactivity(community: Community, at: Cutoffs) -> Iterator[AccountRule]:
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
