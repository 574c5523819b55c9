"""Where a disabled account stands on the community's reinstatement ladder: since when it has
been disabled, and what it needs before it is re-enabled."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flows.accounts import AccountStatus, HmisAccount
from flows.calendar import BusinessCalendar, add_months
from flows.community import Community
from flows.durations import Duration, Unit
from flows.ladder import LadderStep, Needs, step_for

REINSTATABLE = (AccountStatus.DISABLE_DUE, AccountStatus.DISABLED)
"""Accounts disabled (or due to be disabled) for inactivity: the only ones reinstated."""


@dataclass(frozen=True)
class Placement:
    since: datetime
    confirmed: bool
    """An admin confirmed the disabling at ``since``; otherwise ``since`` is the last login
    plus the community's inactivity limit."""
    step: LadderStep
    trainings: tuple[str, ...]


def place(
    community: Community, calendar: BusinessCalendar, account: HmisAccount, now: datetime
) -> Placement:
    since, confirmed = disabled_since(community, calendar, account, now)
    step = step_for(community.reinstatement, lambda after: reached(calendar, since, after, now))
    return Placement(since, confirmed, step, trainings_for(community, step, account))


def disabled_since(
    community: Community, calendar: BusinessCalendar, account: HmisAccount, now: datetime
) -> tuple[datetime, bool]:
    """When the account was disabled, and whether an admin confirmed it then."""
    if account.disabled_at is not None:
        return account.disabled_at, True
    if account.last_login_at is not None:
        limit = community.deadlines.inactivity_disable
        return min(calendar.deadline(account.last_login_at, limit), now), False
    return now, False


def reached(calendar: BusinessCalendar, since: datetime, after: Duration, now: datetime) -> bool:
    """Whether something disabled at ``since`` has been disabled for ``after`` at ``now``:
    hours exactly, days, weeks and months by the community's local date."""
    if after.unit is Unit.MINUTES:
        return since + timedelta(minutes=after.amount) <= now
    if after.unit is Unit.HOURS:
        return since + timedelta(hours=after.amount) <= now
    return calendar.local(now).date() >= _day_after(calendar, calendar.local(since).date(), after)


def _day_after(calendar: BusinessCalendar, start: date, after: Duration) -> date:
    if after.unit is Unit.BUSINESS_DAYS:
        return calendar.add_business_days(start, after.amount)
    if after.unit is Unit.MONTHS:
        return add_months(start, after.amount)
    return start + timedelta(days=after.amount * (7 if after.unit is Unit.WEEKS else 1))


def trainings_for(community: Community, step: LadderStep, account: HmisAccount) -> tuple[str, ...]:
    """Every training the step names, once each; for ``role_trainings`` the person's access
    role's trainings first. All are retaken, even a completion still within its validity: a
    refresher is the point after a long absence."""
    role = community.access_role(account.access_role_id)
    wanted = role.training_ids if step.needs is Needs.ROLE_TRAININGS and role else ()
    return tuple(dict.fromkeys((*wanted, *step.trainings)))


def days_between(calendar: BusinessCalendar, since: datetime, now: datetime) -> int:
    return (calendar.local(now).date() - calendar.local(since).date()).days
