"""Tables. Staff metadata only: never client data, credentials or background-check contents."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in and out, also on SQLite (which stores them naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use an aware UTC time")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UtcDateTime(), dict[str, Any]: JSON}


class Person(Base):
    __tablename__ = "people"
    email: Mapped[str] = mapped_column(String(254), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)


class AgencyRow(Base):
    __tablename__ = "agencies"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    coc_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))


class AgencyMembership(Base):
    """Who leads, supervises or is security officer at an agency, from the community file."""

    __tablename__ = "agency_memberships"
    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"), primary_key=True)
    email: Mapped[str] = mapped_column(String(254), primary_key=True)
    role: Mapped[str] = mapped_column(String(32), primary_key=True)


class AgencyChangeRow(Base):
    """A change the bot made to the community file's directory (a lead designated, an agency
    approved), applied in id order over the file by ``flows.directory.current``."""

    __tablename__ = "agency_changes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[str] = mapped_column(String(64))
    field: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(254))
    request_id: Mapped[int | None] = mapped_column(ForeignKey("requests.id"))
    at: Mapped[datetime]


class AccountGrantRow(Base):
    """Access beside an account's role (another agency's clients, CE assessor access).

    ``active_key`` is set while the grant is active and cleared when it ends, so the unique
    index allows one active grant per person, kind and value, and keeps the ended ones.
    """

    __tablename__ = "account_grants"
    __table_args__ = (UniqueConstraint("active_key"), Index("ix_account_grants_email", "email"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    kind: Mapped[str] = mapped_column(String(32))
    value: Mapped[str] = mapped_column(String(64))
    active_key: Mapped[str | None] = mapped_column(String(360))
    request_id: Mapped[int | None] = mapped_column(ForeignKey("requests.id"))
    granted_at: Mapped[datetime]
    expires_at: Mapped[datetime | None] = mapped_column(index=True)
    ended_at: Mapped[datetime | None]
    ended_by: Mapped[str | None] = mapped_column(String(254))


class ChatIdentity(Base):
    """A platform user id resolved to a work e-mail, cached to spare the platform's API, with
    the name the person's profile showed then (cards use it where the directory has none)."""

    __tablename__ = "chat_identities"
    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    platform_user_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    resolved_at: Mapped[datetime]
    name: Mapped[str | None] = mapped_column(String(200), nullable=True)


class RequestRow(Base):
    """A request of any kind. Columns hold what every kind has and what sweeps and lookups
    filter on; the kind's own answers and progress are in ``details``, validated by its model.

    ``open_key`` is set while the request is open (such as the new user's e-mail) and cleared
    when it closes, so the unique index allows one open request per kind and key.
    """

    __tablename__ = "requests"
    __table_args__ = (
        UniqueConstraint("kind", "open_key"),
        Index("ix_requests_subject_email", "subject_email"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    version: Mapped[int] = mapped_column(Integer, default=1)
    state: Mapped[str] = mapped_column(String(32))
    requester_email: Mapped[str] = mapped_column(String(254))
    subject_email: Mapped[str] = mapped_column(String(254))
    subject_name: Mapped[str] = mapped_column(String(200))
    agency_id: Mapped[str] = mapped_column(String(64))
    open_key: Mapped[str | None] = mapped_column(String(320))
    details: Mapped[dict[str, Any]] = mapped_column(JSON)
    filed_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    state_entered_at: Mapped[datetime]
    due_at: Mapped[datetime | None]
    decided_by: Mapped[str | None] = mapped_column(String(254))
    decided_at: Mapped[datetime | None]
    decision_reason: Mapped[str | None] = mapped_column(Text)


class RequestParty(Base):
    """Who holds which role in a request, so a person's requests are found by their e-mail."""

    __tablename__ = "request_parties"
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(32), primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)


class RequestTransition(Base):
    """Every state change of a request: who, when, from, to, why."""

    __tablename__ = "request_transitions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id"), index=True)
    from_state: Mapped[str] = mapped_column(String(32))
    to_state: Mapped[str] = mapped_column(String(32))
    actor_email: Mapped[str] = mapped_column(String(254))
    at: Mapped[datetime]
    reason: Mapped[str] = mapped_column(Text, default="")


class TrainingReportRow(Base):
    __tablename__ = "training_reports"
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id"), primary_key=True)
    training_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    reported_by: Mapped[str] = mapped_column(String(254))
    reported_at: Mapped[datetime]


class TrainingRecordRow(Base):
    """A person's latest completion of a training as the LMS reports it (``hmis-bot import
    trainings``), kept beside the reports on their requests: renewal reminders and the
    trainings a role change still needs read both. One row per person and training; an import
    only moves it forward."""

    __tablename__ = "training_records"
    __table_args__ = (UniqueConstraint("email", "training_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    training_id: Mapped[str] = mapped_column(String(64))
    completed_at: Mapped[datetime]
    recorded_at: Mapped[datetime]


class Account(Base):
    """An HMIS end-user account as the HMIS lead tracks it (the bot never sees credentials)."""

    __tablename__ = "accounts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    agency_id: Mapped[str] = mapped_column(String(64))
    access_role_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(32))
    request_id: Mapped[int | None] = mapped_column(ForeignKey("requests.id"))
    created_at: Mapped[datetime]
    activated_at: Mapped[datetime | None]
    first_login_due: Mapped[datetime | None]
    # Inactivity (flows/nudges): the last HMIS login on record and the confirmed disabling.
    last_login_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    disabled_by: Mapped[str | None] = mapped_column(String(254))
    disabled_at: Mapped[datetime | None]


class AuditEventRow(Base):
    """Append-only: rows are inserted, never updated or deleted. ``subject_kind`` and
    ``subject_id`` name what the event is about (a request, an account)."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_subject", "subject_kind", "subject_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    actor_email: Mapped[str | None] = mapped_column(String(254))
    platform: Mapped[str | None] = mapped_column(String(16))
    platform_user_id: Mapped[str | None] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(16))
    subject_kind: Mapped[str | None] = mapped_column(String(32))
    subject_id: Mapped[str | None] = mapped_column(String(128))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class OutboxRow(Base):
    """A card to post or update, written in the transaction of the change that caused it."""

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("dedupe_key"),
        Index("ix_outbox_due", "status", "next_attempt_at"),
        Index("ix_outbox_card", "platform", "subject_kind", "subject_id", "audience"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(200))
    platform: Mapped[str] = mapped_column(String(16))
    subject_kind: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[str] = mapped_column(String(128))
    audience: Mapped[str] = mapped_column(String(32))
    recipient_email: Mapped[str | None] = mapped_column(String(254))
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    claimed_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]


class MessageRef(Base):
    """Where a subject's card for one audience was posted, so changes update it in place."""

    __tablename__ = "message_refs"
    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    subject_kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    subject_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    audience: Mapped[str] = mapped_column(String(32), primary_key=True)
    channel: Mapped[str] = mapped_column(String(128))
    message_id: Mapped[str] = mapped_column(String(128))


class ChatConversation(Base):
    """A conversation the bot may write to proactively (Teams), with the platform's own
    reference to it; personal ones name the person, so they are found by e-mail."""

    __tablename__ = "chat_conversations"
    __table_args__ = (Index("ix_chat_conversations_person", "platform", "email"),)
    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(256), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    email: Mapped[str | None] = mapped_column(String(254))
    reference: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(index=True)


class NudgeRow(Base):
    """A nudge a sweep sent: one row per (subject, kind, occurrence, stage), never two, so
    sweeps that run twice or on two replicas at once send each nudge once."""

    __tablename__ = "nudges"
    __table_args__ = (
        UniqueConstraint("dedupe_key"),
        Index("ix_nudges_series", "subject_kind", "subject_id", "kind", "occurrence", "stage"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(200))
    subject_kind: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(32))
    occurrence: Mapped[datetime]
    stage: Mapped[int] = mapped_column(Integer)
    sent_at: Mapped[datetime]


class SchedulerLease(Base):
    """Which replica runs the scheduled sweeps; another takes over when the lease runs out."""

    __tablename__ = "scheduler_leases"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(128))
    expires_at: Mapped[datetime]


class InboundDelivery(Base):
    """A Slack request or Teams activity already acted on, by its delivery key (a signature,
    an event id or an activity id), kept for the replay window so a replay or retry is
    recognised on any replica."""

    __tablename__ = "inbound_deliveries"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(index=True)


# Sweeps select due rows by kind and state plus the moment they count from.
Index("ix_requests_due", RequestRow.kind, RequestRow.state, RequestRow.due_at)
Index("ix_requests_state_entered", RequestRow.kind, RequestRow.state, RequestRow.state_entered_at)
Index("ix_accounts_inactivity", Account.status, Account.last_login_at)
Index("ix_accounts_first_login", Account.status, Account.first_login_due)
Index("ix_accounts_request_id", Account.request_id)
Index("ix_accounts_agency", Account.agency_id, Account.status)
Index("ix_training_reports_renewal", TrainingReportRow.training_id, TrainingReportRow.reported_at)
Index("ix_training_records_renewal", TrainingRecordRow.training_id, TrainingRecordRow.completed_at)
