"""What the flows need from the application, in domain verbs. ``chatbot.storage`` implements it
inside one database transaction per flow call."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from flows.model import (
    AccessRequest,
    Actor,
    AuditEvent,
    NewUserDraft,
    Notification,
    Platform,
    Transition,
)
from flows.outcomes import Outcome
from flows.ui import ActionCommand, Card, CardList, Notice

FormValues = Mapping[str, str | list[str] | None]


class Ledger(Protocol):
    def now(self) -> datetime:
        """The current time, aware and in UTC (injected so tests control it)."""
        ...

    def has_open_request_or_account(self, email: str) -> bool: ...

    def add_request(
        self,
        draft: NewUserDraft,
        verification_due: datetime | None,
        training_due: datetime | None,
    ) -> AccessRequest | None:
        """The stored request, or None when the e-mail got an open request meanwhile."""
        ...

    def get_request(self, request_id: int) -> AccessRequest | None: ...

    def apply(self, transition: Transition) -> AccessRequest | None:
        """Compare-and-set: the updated request, or None when the version no longer matches."""
        ...

    def record_training_report(
        self, request_id: int, training_id: str, actor_email: str
    ) -> None: ...

    def open_account(self, request: AccessRequest) -> None: ...

    def activate_account(self, email: str) -> None: ...

    def requests_involving(self, email: str) -> list[AccessRequest]: ...

    def requests_awaiting_admins(self) -> list[AccessRequest]: ...

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


class DeliveryError(Exception):
    """A platform refused a delivery; permanent ones (person not on it) are not retried."""

    def __init__(self, reason: str, *, permanent: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


class Messenger(Protocol):
    """The outbound port each platform adapter implements."""

    platform: Platform

    async def post(self, recipient: Recipient, card: Card) -> MessageRef: ...

    async def update(self, ref: MessageRef, card: Card) -> None: ...

    async def check_health(self) -> bool: ...


EmailLookup = Callable[[], Awaitable[str | None]]


class Inbound(Protocol):
    """What adapters call; every method re-checks the actor server-side."""

    async def identify(
        self, platform: Platform, platform_user_id: str, lookup_email: EmailLookup
    ) -> Actor | None: ...

    async def refuse_unidentified(
        self, platform: Platform, platform_user_id: str, action: str
    ) -> Notice: ...

    async def open_request_form(self, actor: Actor) -> Outcome: ...

    async def submit_form(
        self, actor: Actor, form_id: str, context: str, values: FormValues
    ) -> Outcome: ...

    async def click(self, actor: Actor, command: ActionCommand) -> Outcome: ...

    async def status(self, actor: Actor) -> CardList: ...

    async def admin_queue(self, actor: Actor) -> CardList | None: ...
