"""Domain records the flows reason about. Storage maps its rows to and from these."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from flows.ui import Card


class Platform(StrEnum):
    SLACK = "slack"
    TEAMS = "teams"
    CONSOLE = "console"


@dataclass(frozen=True)
class Actor:
    """The person acting, resolved server-side from the platform's own user id."""

    email: str
    platform: Platform
    platform_user_id: str


class RequestState(StrEnum):
    SUBMITTED = "submitted"
    AWAITING_VERIFICATION = "awaiting_verification"
    TRAINING = "training"
    AWAITING_APPROVAL = "awaiting_approval"
    APPROVED = "approved"
    ACCOUNT_CREATED = "account_created"
    ACTIVE = "active"
    DENIED = "denied"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


OPEN_STATES = frozenset(
    {
        RequestState.SUBMITTED,
        RequestState.AWAITING_VERIFICATION,
        RequestState.TRAINING,
        RequestState.AWAITING_APPROVAL,
        RequestState.APPROVED,
    }
)
"""States in which the request is still being worked; one per new user's e-mail at a time."""


@dataclass(frozen=True)
class NewUserDraft:
    """A validated New User Access Request, before it is stored."""

    requester_email: str
    requester_role: str
    directly_supervises: bool
    supervisor_name: str
    supervisor_email: str
    agency_id: str
    coc_id: str
    trainee_name: str
    trainee_email: str
    access_role_id: str
    monitors_contracts: bool
    additional_agency_ids: tuple[str, ...]
    background_check_attested: bool

    @property
    def needs_staff_verification(self) -> bool:
        """The supervisor must confirm the background check unless they filed and attested it."""
        return not (self.directly_supervises and self.background_check_attested)


@dataclass(frozen=True)
class TrainingReport:
    training_id: str
    reported_at: datetime


@dataclass(frozen=True)
class AccessRequest:
    """A stored New User Access Request with its current state and optimistic-lock version."""

    id: int
    version: int
    state: RequestState
    draft: NewUserDraft
    filed_at: datetime
    verification_due: datetime | None
    training_due: datetime | None
    first_login_due: datetime | None
    verified_by: str | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    decision_reason: str | None = None
    account_created_by: str | None = None
    account_created_at: datetime | None = None
    training_reports: tuple[TrainingReport, ...] = field(default=())

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def reported(self, training_id: str) -> TrainingReport | None:
        return next((r for r in self.training_reports if r.training_id == training_id), None)


@dataclass(frozen=True)
class Transition:
    """A compare-and-set change of a request: applied only if the version still matches."""

    request_id: int
    expected_version: int
    from_state: RequestState
    to_state: RequestState
    actor_email: str
    reason: str = ""
    verified_by: str | None = None
    decided: bool = False
    account_created: bool = False
    training_due: datetime | None = None
    first_login_due: datetime | None = None


class Audience(StrEnum):
    """Who a request's living card is for; each has one card per request, updated in place."""

    ADMINS = "admins"
    REQUESTER = "requester"
    SUPERVISOR = "supervisor"
    TRAINEE = "trainee"
    TRAINEE_ACCOUNT = "trainee_account"


@dataclass(frozen=True)
class Notification:
    """An outbox entry, posted or updated in place per (subject, audience).

    Without ``card``, the subject's live card for the audience is rendered from the database
    at delivery time, so a missed update heals itself; with ``card``, that fixed message is
    sent. ``recipient_email`` None means the community's admin channel. ``not_before`` holds
    a nudge until business hours.
    """

    subject_kind: str
    subject_id: str
    audience: str
    recipient_email: str | None
    dedupe_key: str
    card: Card | None = None
    not_before: datetime | None = None


@dataclass(frozen=True)
class AuditEvent:
    actor: Actor | None
    action: str
    outcome: str
    request_id: int | None = None
    details: dict[str, str] = field(default_factory=dict)
