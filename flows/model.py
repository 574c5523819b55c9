"""Domain records the flows reason about, for every request kind. Storage maps its rows to and
from these; each kind keeps its own details in a pydantic model (``Request.details``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any, Generic, TypeVar, cast

from pydantic import BaseModel

from flows.ui import Card

D = TypeVar("D")
M = TypeVar("M", bound=BaseModel)

Details = Mapping[str, Any]
"""A kind's details as stored (JSON), before its own model has validated them."""


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


@dataclass(frozen=True)
class TrainingReport:
    training_id: str
    reported_at: datetime


@dataclass(frozen=True)
class TrainingCompletion:
    """A person's completion of a training as another system (the LMS) reports it."""

    email: str
    training_id: str
    completed_at: datetime


@dataclass(frozen=True)
class Request(Generic[D]):
    """A stored request of any kind, with its optimistic-lock version.

    ``subject`` is the person the request is about (the new user, the person leaving);
    ``due_at`` is the deadline of the step the request is in, which the sweeps watch.
    ``details`` are the kind's own, validated by its model (see ``with_details``).
    """

    id: int
    kind: str
    version: int
    state: str
    requester_email: str
    subject_email: str
    subject_name: str
    agency_id: str
    filed_at: datetime
    state_entered_at: datetime
    details: D
    due_at: datetime | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    decision_reason: str | None = None
    training_reports: tuple[TrainingReport, ...] = field(default=())

    def reported(self, training_id: str) -> TrainingReport | None:
        return next((r for r in self.training_reports if r.training_id == training_id), None)

    def typed(self, model: type[M]) -> Request[M]:
        """This request with its details validated by the kind's model."""
        details = self.details
        typed = details if isinstance(details, model) else model.model_validate(details)
        return cast("Request[M]", replace(cast("Request[Any]", self), details=typed))


StoredRequest = Request[Details]


@dataclass(frozen=True)
class Filing:
    """A validated request, before it is stored.

    ``parties`` are everyone with a role in it, by role (``requester``, ``subject``, a named
    supervisor): the request is found under each of their e-mails. ``open_key`` makes it the
    only open request of its kind with that key (such as the new user's e-mail).
    """

    kind: str
    state: str
    requester_email: str
    subject_email: str
    subject_name: str
    agency_id: str
    details: BaseModel
    parties: Mapping[str, str]
    open_key: str
    due_at: datetime | None = None


@dataclass(frozen=True)
class Transition:
    """A compare-and-set change of a request: applied only if the version still matches.

    ``closes`` ends the request (its open key is released); ``details``, when given, replace
    the stored details; ``due_at`` is the deadline of the state it moves to.
    """

    request_id: int
    expected_version: int
    from_state: str
    to_state: str
    actor_email: str
    reason: str = ""
    decided: bool = False
    closes: bool = False
    details: BaseModel | None = None
    due_at: datetime | None = None


@dataclass(frozen=True)
class Subject:
    """What an audit event or a button is about: a request, an account, an agency."""

    kind: str
    id: str

    @classmethod
    def request(cls, request_id: int) -> Subject:
        return cls(REQUEST_SUBJECT, str(request_id))

    @classmethod
    def account(cls, account_id: int) -> Subject:
        return cls(ACCOUNT_SUBJECT, str(account_id))


REQUEST_SUBJECT = "request"  # audit and outbox subject of every request, whatever its kind
ACCOUNT_SUBJECT = "account"


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
    subject: Subject | None = None
    details: dict[str, str] = field(default_factory=dict)
