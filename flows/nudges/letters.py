"""The fixed messages nudges send: who gets what, worded for them. Pure; rendered per platform
by the adapters like every other card. Request kinds word their own nudges with ``Letter``;
the account, renewal and meeting nudges are worded here."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from hashlib import blake2b

from flows.accounts import HmisAccount
from flows.calendar import BusinessCalendar
from flows.community import Community, Reminder
from flows.nudges.policy import ReminderAudience
from flows.nudges.rules import DueRenewal, NudgeKind
from flows.nudges.timing import deliver_at
from flows.ui import Card, Fact


class Role:
    """Why someone gets a nudge; part of the outbox audience, so one message per person."""

    ADMINS = "admins"  # the admin channel
    ADMIN = "admin"
    LEAD = "lead"
    SECURITY_OFFICER = "security"
    REQUESTER = "requester"
    SUPERVISOR = "supervisor"
    TRAINEE = "trainee"
    ACCOUNT_HOLDER = "holder"


@dataclass(frozen=True)
class Letter:
    """A fixed message for one person, or for the admin channel when ``email`` is None.

    Nudges wait for business hours unless ``immediate`` (a security event, such as someone
    who left their agency still holding access).
    """

    role: str
    email: str | None
    card: Card
    immediate: bool = False


DAYS_IN_A_WEEK = 7


def days_until(calendar: BusinessCalendar, moment: datetime, now: datetime) -> int:
    """Calendar days from when a nudge written at ``now`` is read (it waits for business
    hours) to ``moment``, in the community's time zone: 0 on the day itself."""
    read = calendar.local(deliver_at(calendar, now)).date()
    return (calendar.local(moment).date() - read).days


def how_soon(days: int) -> str:
    """``today``, ``tomorrow``, ``in 3 days``, ``next week``, as people say it."""
    if days <= 0:
        return "today"
    if days == 1:
        return "tomorrow"
    if days == DAYS_IN_A_WEEK:
        return "next week"
    return f"in {days} days"


def audience_for(role: str, email: str | None) -> str:
    """The outbox audience of one recipient's message: their role and a digest of their
    e-mail (short, stable, and unique per person, so each gets their own message)."""
    if email is None:
        return role
    return f"{role}.{blake2b(email.encode(), digest_size=6).hexdigest()}"


def one_per_person(letters: Sequence[Letter]) -> list[Letter]:
    """The first letter for each recipient: a supervisor who also filed gets one message."""
    seen: set[str | None] = set()
    unique = []
    for letter in letters:
        if letter.email not in seen:
            seen.add(letter.email)
            unique.append(letter)
    return unique


class AccountLetters:
    """The nudges about accounts, renewals and recurring events."""

    def __init__(self, community: Community, calendar: BusinessCalendar) -> None:
        self._community = community
        self._calendar = calendar
        self.when = calendar.when

    # Accounts ---------------------------------------------------------------------------

    def for_account(
        self, kind: NudgeKind, account: HmisAccount, occurrence: datetime
    ) -> list[Letter]:
        letters: dict[NudgeKind, Callable[[HmisAccount, datetime], list[Letter]]] = {
            NudgeKind.FIRST_LOGIN_REMINDER: self.first_login_reminder,
            NudgeKind.FIRST_LOGIN_MISSED: self.first_login_missed,
            NudgeKind.INACTIVITY_WARNING: self.inactivity_warning,
            NudgeKind.INACTIVITY_DISABLE: self.inactivity_disable,
        }
        return one_per_person(letters[kind](account, occurrence))

    def first_login_reminder(self, account: HmisAccount, due: datetime) -> list[Letter]:
        if _returning(account):
            summary = f"Log in to HMIS by {self.when(due)} to keep your re-enabled access."
            text = (
                "Your HMIS access has been re-enabled. Log in with your usual username by "
                f"{self.when(due)} (HMIS resets your password if you ask it; this bot never "
                "asks for or handles passwords), then tell me with the button on the account "
                "message."
            )
        else:
            summary = f"Log in to HMIS by {self.when(due)} to keep your new account."
            text = (
                "Your HMIS account has been created. HMIS sends your login details directly; "
                "this bot never asks for or handles passwords. Log in and set your password by "
                f"{self.when(due)}, then tell me with the button on the account message."
            )
        card = Card(title="Reminder: log in to HMIS", summary=summary, text=text)
        return [Letter(Role.ACCOUNT_HOLDER, account.email, card)]

    def first_login_missed(self, account: HmisAccount, due: datetime) -> list[Letter]:
        which = "login after re-enabling" if _returning(account) else "first login"
        card = Card(
            title=f"Missed {which}: {account.name}",
            summary=f"{account.name} ({self._agency_name(account)}) has not logged in to HMIS; "
            f"the {which} was due {self.when(due)}.",
            text=(
                "Neither their confirmation nor a login report shows a first login. Please check "
                "that they received their login details from HMIS."
            ),
            facts=self._account_facts(account),
        )
        return [Letter(Role.ADMINS, None, card), *self._leads(account, card)]

    def inactivity_warning(self, account: HmisAccount, last_login: datetime) -> list[Letter]:
        limit = self._community.deadlines.inactivity_disable
        disable_at = self._calendar.deadline(last_login, limit)
        card = Card(
            title="Log in to HMIS to keep your access",
            summary=f"Log in to HMIS by {self.when(disable_at)} or your access will be disabled.",
            text=(
                f"Your last HMIS login on record is {self.when(last_login)}. Accounts without a "
                f"login for {limit} are disabled. Log in by {self.when(disable_at)} to keep "
                "your access."
            ),
        )
        return [Letter(Role.ACCOUNT_HOLDER, account.email, card)]

    def inactivity_disable(self, account: HmisAccount, last_login: datetime) -> list[Letter]:
        limit = self._community.deadlines.inactivity_disable
        card = Card(
            title="Your HMIS access is being disabled",
            summary=f"Your HMIS access is being disabled: no login since {self.when(last_login)}.",
            text=(
                f"Your last HMIS login on record is {self.when(last_login)}, and accounts "
                f"without a login for {limit} are disabled. To use HMIS again, contact the HMIS "
                "help desk to have your account reinstated."
            ),
            facts=(Fact("Last login", self.when(last_login)),),
        )
        return [Letter(Role.ACCOUNT_HOLDER, account.email, card)]

    def renewal_reminder(self, due: DueRenewal) -> list[Letter]:
        training = self._community.training(due.training_id)
        if training is None or training.valid_for is None:
            return []
        lapses = self._calendar.deadline(due.reported_at, training.valid_for)
        card = Card(
            title=f"Renew your {training.name}",
            summary=f"Your {training.name} lapses {self.when(lapses)}; retake it before then.",
            text=(
                f"You completed {training.name} on {self.when(due.reported_at)}; it is valid for "
                f"{training.valid_for}. Retake it before it lapses to keep your HMIS access."
            ),
            links=((training.name, training.url),),
        )
        return [Letter(Role.ACCOUNT_HOLDER, due.account.email, card)]

    # Recurring reminders ----------------------------------------------------------------

    def meeting_reminder(
        self, reminder: Reminder, occurrence: datetime, now: datetime
    ) -> list[Letter]:
        """The reminder of one occurrence, worded for when it is read: ``next week``,
        ``tomorrow``."""
        soon = how_soon(days_until(self._calendar, occurrence, now))
        join = "Join or RSVP with the link below." if reminder.link else ""
        said = (f"{reminder.title} is {soon}: {self.when(occurrence)}.", reminder.description, join)
        card = Card(
            title=f"{reminder.title} {soon}",
            summary=f"{reminder.title} {soon}: {self.when(occurrence)}.",
            text=" ".join(part for part in said if part),
            facts=(Fact("When", self.when(occurrence)),),
            links=(("Join or RSVP", reminder.link),) if reminder.link else (),
        )
        role = (
            Role.LEAD
            if reminder.audience is ReminderAudience.AGENCY_LEADS
            else Role.SECURITY_OFFICER
        )
        return [Letter(role, email, card) for email in self.audience(reminder.audience)]

    def audience(self, audience: ReminderAudience) -> list[str]:
        """Everyone in that role at a participating agency, once each."""
        agencies = self._community.participating_agencies()
        if audience is ReminderAudience.AGENCY_LEADS:
            emails = {email for agency in agencies for email in agency.leads}
        else:
            emails = {email for agency in agencies for email in agency.security_officers}
        return sorted(emails)

    # Helpers ----------------------------------------------------------------------------

    def _leads(self, account: HmisAccount, card: Card) -> list[Letter]:
        agency = self._community.agency(account.agency_id)
        return [Letter(Role.LEAD, email, card) for email in (agency.leads if agency else ())]

    def _agency_name(self, account: HmisAccount) -> str:
        agency = self._community.agency(account.agency_id)
        return agency.name if agency else account.agency_id

    def _account_facts(self, account: HmisAccount) -> tuple[Fact, ...]:
        return (
            Fact("HMIS user", account.name),
            Fact("Work e-mail", account.email),
            Fact("Agency", self._agency_name(account)),
        )


def _returning(account: HmisAccount) -> bool:
    """An account waiting for a login that has logged in before: re-enabled, not new."""
    return account.last_login_at is not None
