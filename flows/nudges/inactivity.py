"""Inactive accounts: the announcement that an account is due to be disabled, and an HMIS
admin's "Disabled in HMIS" confirmation.

The announcement is a live card, one per admin and agency lead by DM, re-rendered from the
database on every change, so its button disappears for everyone once someone confirms.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flows.accounts import AccountStatus, HmisAccount
from flows.calendar import BusinessCalendar
from flows.community import Community
from flows.kit.machine import refuse
from flows.model import ACCOUNT_SUBJECT, Actor, AuditEvent, Notification, Subject
from flows.nudges.letters import Role, audience_for
from flows.nudges.ports import NudgeLedger
from flows.outcomes import Outcome
from flows.ui import ActionCommand, Button, ButtonStyle, Card, Fact, Notice

INACTIVITY_FLOW = ACCOUNT_SUBJECT  # buttons read "account disabled <account id> <version>"
DISABLED_VERB = "disabled"
INACTIVITY_SUBJECT = "inactivity"  # outbox subject kind of the live announcement

_STATUS_WORDS = {
    AccountStatus.PENDING_FIRST_LOGIN: "waiting for a first login",
    AccountStatus.ACTIVE: "active again after a login",
    AccountStatus.WARNED: "warned about inactivity",
    AccountStatus.DISABLE_DUE: "waiting to be disabled",
    AccountStatus.DISABLED: "already confirmed disabled",
    AccountStatus.DEACTIVATED: "deactivated",
}


@dataclass(frozen=True)
class Announcement:
    """Which inactivity period an announcement is about: the account and its last login."""

    account_id: int
    last_login_second: int

    @classmethod
    def of(cls, account_id: int, last_login: datetime) -> Announcement:
        return cls(account_id, int(last_login.timestamp()))

    @classmethod
    def parse(cls, subject_id: str) -> Announcement | None:
        account, _, second = subject_id.partition(".")
        if not (account.isdigit() and second.isdigit()):
            return None
        return cls(int(account), int(second))

    @property
    def subject_id(self) -> str:
        return f"{self.account_id}.{self.last_login_second}"

    def is_current(self, account: HmisAccount) -> bool:
        """Whether the account's last login is still the one announced."""
        last = account.last_login_at
        return last is not None and int(last.timestamp()) == self.last_login_second


def announcements(
    community: Community,
    account: HmisAccount,
    last_login: datetime,
    cause: str,
    not_before: datetime | None = None,
) -> list[Notification]:
    """The live announcement for every admin and the agency's leads, by DM."""
    subject = Announcement.of(account.id, last_login).subject_id
    agency = community.agency(account.agency_id)
    recipients = dict.fromkeys(agency.leads if agency else (), Role.LEAD)
    recipients |= {admin.email: Role.ADMIN for admin in community.admins}
    notifications = []
    for email, role in sorted(recipients.items()):
        audience = audience_for(role, email)
        notifications.append(
            Notification(
                INACTIVITY_SUBJECT,
                subject,
                audience,
                email,
                f"{INACTIVITY_SUBJECT}:{subject}:{audience}:{cause}",
                not_before=not_before,
            )
        )
    return notifications


class InactivityCard:
    def __init__(self, community: Community, calendar: BusinessCalendar) -> None:
        self._community = community
        self._calendar = calendar
        self._when = calendar.when

    def render(self, account: HmisAccount, announcement: Announcement, audience: str) -> Card:
        """The card for one recipient; only an admin's card has the button, while it matters."""
        last_login = datetime.fromtimestamp(announcement.last_login_second, self._calendar.timezone)
        waiting = account.status is AccountStatus.DISABLE_DUE and announcement.is_current(account)
        for_admin = audience.startswith(f"{Role.ADMIN}.")
        agency = self._community.agency(account.agency_id)
        return Card(
            title=f"Inactive HMIS account: {account.name}",
            summary=f"{account.name} has not logged in to HMIS since {self._when(last_login)}.",
            text=self._text(account, last_login, waiting=waiting, for_admin=for_admin),
            facts=(
                Fact("HMIS user", account.name),
                Fact("Work e-mail", account.email),
                Fact("Agency", agency.name if agency else account.agency_id),
                Fact("Last login", self._when(last_login)),
            ),
            buttons=(_disabled_button(account),) if waiting and for_admin else (),
            footer="" if waiting else self._outcome(account),
        )

    def _text(
        self, account: HmisAccount, last_login: datetime, *, waiting: bool, for_admin: bool
    ) -> str:
        limit = self._community.deadlines.inactivity_disable
        tense = "has" if waiting else "had"
        rule = (
            f"{account.name} {tense} not logged in to HMIS since {self._when(last_login)}, and "
            f"accounts without a login for {limit} are disabled"
        )
        if not waiting:
            return f"{rule}."
        if for_admin:
            return f"{rule}. Please disable this account in HMIS, then confirm here."
        return (
            f"{rule}; HMIS admins will disable this one. The user can ask the help desk to "
            "reinstate it."
        )

    def _outcome(self, account: HmisAccount) -> str:
        if account.status is AccountStatus.DISABLED and account.disabled_by:
            return (
                f"Disabled in HMIS, confirmed by "
                f"{self._community.display_name(account.disabled_by)} on "
                f"{self._when(account.disabled_at)}."
            )
        if account.last_login_at is not None:
            return f"Logged in again on {self._when(account.last_login_at)}; nothing to do."
        return f"The account is {_STATUS_WORDS[account.status]}; nothing to do."


@dataclass(frozen=True)
class InactivityFlow:
    """The "Disabled in HMIS" button: only HMIS admins, re-checked here on every click."""

    community: Community
    ledger: NudgeLedger

    def click(self, actor: Actor, command: ActionCommand) -> Outcome:
        action = f"{INACTIVITY_FLOW}.{command.verb}"
        account = self.ledger.get_account(command.subject_id)
        if command.verb != DISABLED_VERB or account is None:
            return self._refuse(
                actor, action, "unknown_account", command.subject_id, "That account is not known."
            )
        if not self.community.is_admin(actor.email):
            return self._refuse(
                actor,
                action,
                "not_admin",
                account.id,
                "Only HMIS admins can confirm that an account is disabled.",
            )
        if command.version != account.version or account.status is not AccountStatus.DISABLE_DUE:
            return self._refuse(actor, action, "stale", account.id, _already(account))
        moved = self.ledger.move_account(account, AccountStatus.DISABLED, actor.email)
        if moved is None or account.last_login_at is None:
            current = self.ledger.get_account(account.id) or account
            return self._refuse(actor, action, "lost_race", account.id, _already(current))
        self.ledger.audit(
            AuditEvent(actor, action, "ok", Subject.account(account.id), {"to": moved.status})
        )
        self.ledger.notify_many(
            announcements(self.community, moved, account.last_login_at, cause="disabled")
        )
        return Notice(f"Recorded: {account.name}'s HMIS account is disabled.")

    def _refuse(
        self, actor: Actor, action: str, code: str, account_id: int, message: str
    ) -> Notice:
        return refuse(
            self.ledger, actor, action, code, message, subject=Subject.account(account_id)
        )


def _disabled_button(account: HmisAccount) -> Button:
    command = ActionCommand(INACTIVITY_FLOW, DISABLED_VERB, account.id, account.version)
    return Button("Disabled in HMIS", command, ButtonStyle.PRIMARY)


def _already(account: HmisAccount) -> str:
    return f"{account.name}'s account is {_STATUS_WORDS[account.status]}. Nothing was changed."
