"""What a sweep looks for: each rule is one set-based selection of due subjects, plus the
record of a nudge that makes sending it idempotent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from flows.accounts import AccountStatus, HmisAccount
from flows.community import Reminder


class NudgeKind(StrEnum):
    """Nudges about accounts and recurring events; request kinds name their own nudges."""

    FIRST_LOGIN_REMINDER = "first_login_reminder"
    FIRST_LOGIN_MISSED = "first_login_missed"
    RENEWAL_REMINDER = "renewal_reminder"
    INACTIVITY_WARNING = "inactivity_warning"
    INACTIVITY_DISABLE = "inactivity_disable"
    MEETING_REMINDER = "meeting_reminder"


class SubjectKind(StrEnum):
    REQUEST = "request"
    ACCOUNT = "account"
    TRAINING_REPORT = "training_report"
    REMINDER = "reminder"


@dataclass(frozen=True)
class Nudge:
    """One nudge, sent at most once: its subject, its kind, the occurrence it belongs to (the
    deadline, last login or meeting it counts from) and its stage in a series of reminders.

    A later stage of the same series supersedes the earlier ones: after downtime only the
    most recent reminder goes out, so nobody is told "7 days left" on the last day.
    """

    subject_kind: SubjectKind
    subject_id: str
    kind: str
    occurrence: datetime
    stage: int = 0

    @property
    def key(self) -> str:
        at = self.occurrence.astimezone(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
        return f"{self.subject_kind}:{self.subject_id}:{self.kind}:{at}:{self.stage}"


@dataclass(frozen=True)
class Window:
    """Subjects whose stored moment is after ``after`` (when given) and at or before ``upto``."""

    upto: datetime
    after: datetime | None = None


class RequestClock(StrEnum):
    """The stored moment a request nudge counts from."""

    DUE_AT = "due_at"
    """The deadline of the step the request is in."""
    STATE_ENTERED = "state_entered"
    GRANT_EXPIRES = "grant_expires"
    """When the still active grant the request added lapses (``flows.grants``): ended grants
    never come due, so a renewal or a deactivation that ended it stops the rule."""


class AccountClock(StrEnum):
    """The stored moment an account nudge counts from."""

    LAST_LOGIN = "last_login"
    FIRST_LOGIN_DUE = "first_login_due"


@dataclass(frozen=True)
class Move:
    """What a rule does to each due request before its letters go out (an expiry, a scheduled
    change taking effect): the state it moves to, the audit verb and the recorded reason."""

    to_state: str
    verb: str
    reason: str


@dataclass(frozen=True)
class RequestRule:
    """Requests of one kind in ``state`` whose clock fell in ``window``."""

    request_kind: str
    nudge: str
    state: str
    clock: RequestClock
    window: Window
    stage: int = 0
    move: Move | None = None


@dataclass(frozen=True)
class AccountRule:
    kind: NudgeKind
    statuses: tuple[AccountStatus, ...]
    clock: AccountClock
    window: Window
    stage: int = 0


@dataclass(frozen=True)
class RenewalRule:
    """Reminders to retake a training with a validity, counted from its reported completion."""

    training_id: str
    window: Window
    stage: int

    kind = NudgeKind.RENEWAL_REMINDER


@dataclass(frozen=True)
class MeetingRule:
    """A recurring reminder; its occurrences come from the RRULE, not from the database."""

    reminder: Reminder

    kind = NudgeKind.MEETING_REMINDER


Rule = RequestRule | AccountRule | RenewalRule | MeetingRule


@dataclass(frozen=True)
class DueRequest:
    request_id: int
    occurrence: datetime


@dataclass(frozen=True)
class DueAccount:
    account: HmisAccount
    occurrence: datetime


@dataclass(frozen=True)
class DueRenewal:
    """A completion whose renewal reminder is due: reported on a request (``request_id``), or
    imported from the LMS into the person's training record (``record_id``)."""

    account: HmisAccount
    request_id: int | None
    training_id: str
    reported_at: datetime
    record_id: int | None = None

    @property
    def subject_id(self) -> str:
        """The nudge's subject: the report on the request, or the training record."""
        if self.record_id is not None:
            return f"{RECORD_PREFIX}{self.record_id}:{self.training_id}"
        return f"{self.request_id}:{self.training_id}"


RECORD_PREFIX = "record."
"""Starts the nudge subject of a renewal counted from a training record."""
