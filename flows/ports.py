"""What the flows need from the application, in domain verbs. ``chatbot.storage`` implements it
inside one database transaction per flow call; ``flows.memory`` implements it in memory."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from flows.accounts import AccountStatus, HmisAccount
from flows.directory import AgencyChange
from flows.grants import Grant
from flows.model import (
    Actor,
    AuditEvent,
    Filing,
    Notification,
    Platform,
    StoredRequest,
    TrainingCompletion,
    Transition,
)
from flows.outcomes import Outcome
from flows.ui import ActionCommand, Card, Notice

FormValues = Mapping[str, str | list[str] | None]


@dataclass(frozen=True)
class NewAccount:
    """An HMIS account the admins just created (or re-created for someone who left before)."""

    email: str
    name: str
    agency_id: str
    access_role_id: str
    request_id: int | None
    first_login_due: datetime | None


class Ledger(Protocol):
    def now(self) -> datetime:
        """The current time, aware and in UTC (injected so tests control it)."""
        ...

    # Requests of every kind ---------------------------------------------------------------

    def add_request(self, filing: Filing) -> StoredRequest | None:
        """The stored request, or None when its open key is taken by an open request."""
        ...

    def get_request(self, request_id: int) -> StoredRequest | None: ...

    def open_request(self, kind: str, open_key: str) -> StoredRequest | None:
        """The open request of this kind holding this key, if any."""
        ...

    def apply(self, transition: Transition) -> StoredRequest | None:
        """Compare-and-set: the updated request, or None when the version no longer matches."""
        ...

    def record_training_report(
        self,
        request_id: int,
        training_id: str,
        actor_email: str,
        completed_at: datetime | None = None,
    ) -> None:
        """Record a training as done on the request: ``completed_at`` when the person did it,
        if that was before now (an attested attendance date), else now."""
        ...

    def trainings_completed(self, email: str) -> Mapping[str, datetime]:
        """When the person last completed each training: reported on any of their requests, or
        recorded from the LMS."""
        ...

    def record_training_completions(
        self, completions: Sequence[TrainingCompletion]
    ) -> list[TrainingCompletion]:
        """Keep each person's latest completion of each training (from the LMS); those that
        were new or later than the one on record, each person and training once."""
        ...

    def requests_involving(self, email: str, limit: int = 20) -> list[StoredRequest]:
        """The newest requests the person has a role in, newest first."""
        ...

    def requests_about(self, email: str, kinds: Collection[str]) -> list[StoredRequest]:
        """Every request of these kinds whose subject is the person, oldest first."""
        ...

    def requests_waiting(
        self, states: Mapping[str, Collection[str]], limit: int = 20
    ) -> list[StoredRequest]:
        """Requests in the given states of each kind, oldest first (the admins' queue)."""
        ...

    def person_name(self, email: str) -> str | None:
        """The name this person's chat profile showed when the bot last resolved them (Slack's
        real name, Teams' display name); None when no platform has. The community directory's
        name comes first: ask this only for people the directory does not name."""
        ...

    # Accounts -------------------------------------------------------------------------------

    def account_by_email(self, email: str) -> HmisAccount | None: ...

    def get_account(self, account_id: int) -> HmisAccount | None: ...

    def accounts_of(self, agency_ids: Collection[str], limit: int = 100) -> list[HmisAccount]:
        """Held accounts of these agencies, by name."""
        ...

    def open_account(self, account: NewAccount) -> HmisAccount:
        """Record a created account, pending its first login (reusing a deactivated one)."""
        ...

    def activate_account(self, email: str) -> None: ...

    def move_account(
        self,
        account: HmisAccount,
        to_status: AccountStatus,
        actor_email: str,
        access_role_id: str | None = None,
    ) -> HmisAccount | None:
        """Compare-and-set on the account's version: the updated account, or None if it moved."""
        ...

    def reinstate_account(
        self, account: HmisAccount, first_login_due: datetime
    ) -> HmisAccount | None:
        """Compare-and-set an account disabled for inactivity back to pending its first login,
        with a new first-login deadline (its last login on record is kept); None if it moved."""
        ...

    # Grants ---------------------------------------------------------------------------------

    def grants_of(self, email: str) -> list[Grant]:
        """The person's active grants, oldest first."""
        ...

    def add_grant(
        self,
        email: str,
        kind: str,
        value: str,
        request_id: int | None,
        expires_at: datetime | None = None,
    ) -> Grant | None:
        """The new active grant, or None when the person already holds that one."""
        ...

    def end_grant(self, grant: Grant, by: str) -> Grant | None:
        """End an active grant; None when it had ended already."""
        ...

    # The directory ----------------------------------------------------------------------

    def agency_changes(self) -> list[AgencyChange]:
        """Every change the bot made to the community file's directory, oldest first."""
        ...

    def record_agency_change(self, change: AgencyChange) -> None: ...

    # Audit and outbox -----------------------------------------------------------------------

    def audit(self, event: AuditEvent) -> None: ...

    def audit_many(self, events: Sequence[AuditEvent]) -> None:
        """Append every event, in order, at once (a sweep audits all it changed)."""
        ...

    def notify(self, notification: Notification) -> None: ...

    def notify_many(self, notifications: Sequence[Notification]) -> None:
        """Queue every notification, in order, at once."""
        ...


@dataclass(frozen=True)
class AdminChannel:
    """The community's admin channel on whichever platform delivers."""


@dataclass(frozen=True)
class PersonRecipient:
    email: str


Recipient = AdminChannel | PersonRecipient


@dataclass(frozen=True)
class MessageRef:
    """Where a card was posted, in the platform's own terms, opaque to the flows."""

    channel: str
    message_id: str


@dataclass(frozen=True)
class PostMark:
    """Which card a post is, so that a post repeated after an ambiguous failure (the
    platform stored the message, then the bot died or lost the answer) can find the first
    message and update it instead of adding a second.

    ``card`` names the card on its platform (the same for every post and update of it);
    ``retry`` says an earlier attempt to post it may have got through. A messenger that can
    search its platform's history marks each post and, on a retry, looks first; one that
    cannot ignores the mark."""

    card: str
    retry: bool


class DeliveryError(Exception):
    """A platform refused a delivery; permanent ones (person not on it) are not retried.
    ``rate_limited``: the platform answered HTTP 429 (counted in ``/metrics``), for messengers
    that leave 429s to the outbox's retries rather than waiting them out themselves."""

    def __init__(self, reason: str, *, permanent: bool, rate_limited: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.rate_limited = rate_limited


class Messenger(Protocol):
    """The outbound port each platform adapter implements."""

    platform: Platform

    async def post(
        self, recipient: Recipient, card: Card, mark: PostMark | None = None
    ) -> MessageRef: ...

    async def update(self, ref: MessageRef, card: Card) -> None: ...

    async def check_health(self) -> bool: ...


EmailLookup = Callable[[], Awaitable[str | None]]
"""Asks the platform for the person's work e-mail: None when their profile has none; raises
``LookupFailedError`` when the platform could not be asked."""


class LookupFailedError(Exception):
    """The platform did not answer a lookup (an outage, a timeout): try again later."""


class ServiceUnavailableError(Exception):
    """The bot cannot reach its database: nothing was changed. ``str()`` is what to tell the
    person; ``cause`` names the error for the log."""

    MESSAGE = (
        "The HMIS bot cannot reach its database right now, so nothing was saved. "
        "Please try again in a few minutes."
    )

    def __init__(self, cause: str) -> None:
        super().__init__(self.MESSAGE)
        self.cause = cause


@dataclass(frozen=True)
class CommandHelp:
    """One command word and what it does, in words for any platform."""

    word: str
    text: str


class Inbound(Protocol):
    """What adapters call; every method re-checks the actor server-side."""

    def commands(self) -> Sequence[CommandHelp]:
        """Every command word, with its help line, in the order help shows them."""
        ...

    async def identify(
        self, platform: Platform, platform_user_id: str, lookup_email: EmailLookup
    ) -> Actor | None: ...

    async def refuse_unidentified(
        self,
        platform: Platform,
        platform_user_id: str,
        action: str,
        reason: str = "no_email_in_profile",
    ) -> Notice:
        """Tell someone the bot cannot tell who they are, and why; audited."""
        ...

    async def command(self, actor: Actor, words: Sequence[str]) -> Outcome:
        """A typed command without the command name: ``[]``, ``["status"]``, ``["role"]``."""
        ...

    async def submit_form(
        self, actor: Actor, form_id: str, context: str, values: FormValues
    ) -> Outcome: ...

    async def click(self, actor: Actor, command: ActionCommand) -> Outcome: ...
