"""The flows' Ledger port on SQLAlchemy: one instance per transaction."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Connection, exists, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from chatbot.storage.models import (
    AccessRequestRow,
    Account,
    AuditEventRow,
    ChatConversation,
    OutboxRow,
    RequestTransition,
    TrainingReportRow,
)
from chatbot.storage.upsert import insert_unless_present
from flows.accounts import AccountStatus
from flows.model import (
    OPEN_STATES,
    AccessRequest,
    AuditEvent,
    NewUserDraft,
    Notification,
    Platform,
    RequestState,
    TrainingReport,
    Transition,
)
from flows.ui import card_to_dict

Clock = Callable[[], datetime]
PERSONAL_CHAT = "personal"  # ChatConversation.kind of a one-to-one chat with a person
LOOKUP_CHUNK = 500  # values per IN (...) list, well under every database's parameter limit

T = TypeVar("T")


ADMIN_WORK_STATES = (
    RequestState.AWAITING_APPROVAL,
    RequestState.APPROVED,
    RequestState.AWAITING_VERIFICATION,
    RequestState.TRAINING,
)


# Platforms that can message a person only in a conversation the bot already has with them
# (Teams: a stored conversation reference). Elsewhere (Slack) anyone in the workspace is
# found by e-mail at delivery time, so delivery is always tried.
NEEDS_CONVERSATION = frozenset({Platform.TEAMS})


class SqlLedger:
    def __init__(
        self,
        session: Session,
        clock: Clock,
        platforms: Sequence[Platform],
        admin_platforms: Collection[Platform] | None = None,
    ) -> None:
        """``admin_platforms``: those with an admin channel (default: every platform)."""
        self._session = session
        self._clock = clock
        self._platforms = platforms
        self._admin_platforms = platforms if admin_platforms is None else admin_platforms

    def now(self) -> datetime:
        return self._clock()

    def has_open_request_or_account(self, email: str) -> bool:
        open_request = exists().where(
            AccessRequestRow.trainee_email == email, AccessRequestRow.state.in_(list(OPEN_STATES))
        )
        account = exists().where(Account.email == email)
        return bool(self._session.scalar(select(or_(open_request, account))))

    def add_request(
        self, draft: NewUserDraft, verification_due: datetime | None, training_due: datetime | None
    ) -> AccessRequest | None:
        now = self.now()
        row = AccessRequestRow(
            version=1,
            state=RequestState.SUBMITTED.value,
            filed_at=now,
            updated_at=now,
            verification_due=verification_due,
            training_due=training_due,
            requester_email=draft.requester_email,
            requester_role=draft.requester_role,
            directly_supervises=draft.directly_supervises,
            supervisor_name=draft.supervisor_name,
            supervisor_email=draft.supervisor_email,
            agency_id=draft.agency_id,
            coc_id=draft.coc_id,
            trainee_name=draft.trainee_name,
            trainee_email=draft.trainee_email,
            access_role_id=draft.access_role_id,
            monitors_contracts=draft.monitors_contracts,
            additional_agency_ids=list(draft.additional_agency_ids),
            background_check_attested=draft.background_check_attested,
        )
        try:
            with self._session.begin_nested():
                self._session.add(row)
        except IntegrityError:
            return None  # the partial unique index: another open request for this e-mail won
        return self._to_domain(row)

    def get_request(self, request_id: int) -> AccessRequest | None:
        row = self._session.get(AccessRequestRow, request_id, populate_existing=True)
        return self._to_domain(row) if row else None

    def apply(self, transition: Transition) -> AccessRequest | None:
        now = self.now()
        values: dict[str, object] = {
            "state": transition.to_state.value,
            "version": transition.expected_version + 1,
            "updated_at": now,
        }
        if transition.verified_by:
            values["verified_by"] = transition.verified_by
        if transition.decided:
            values |= {
                "decided_by": transition.actor_email,
                "decided_at": now,
                "decision_reason": transition.reason or None,
            }
        if transition.account_created:
            values |= {"account_created_by": transition.actor_email, "account_created_at": now}
        if transition.training_due:
            values["training_due"] = transition.training_due
        if transition.first_login_due:
            values["first_login_due"] = transition.first_login_due
        result = self._session.execute(
            update(AccessRequestRow)
            .where(
                AccessRequestRow.id == transition.request_id,
                AccessRequestRow.version == transition.expected_version,
            )
            .values(values)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            return None
        self._session.add(
            RequestTransition(
                request_id=transition.request_id,
                from_state=transition.from_state.value,
                to_state=transition.to_state.value,
                actor_email=transition.actor_email,
                at=now,
                reason=transition.reason,
            )
        )
        return self.get_request(transition.request_id)

    def record_training_report(self, request_id: int, training_id: str, actor_email: str) -> None:
        self._session.add(
            TrainingReportRow(
                request_id=request_id,
                training_id=training_id,
                reported_by=actor_email,
                reported_at=self.now(),
            )
        )
        self._session.flush()

    def open_account(self, request: AccessRequest) -> None:
        draft = request.draft
        self._session.add(
            Account(
                email=draft.trainee_email,
                name=draft.trainee_name,
                agency_id=draft.agency_id,
                access_role_id=draft.access_role_id,
                status=AccountStatus.PENDING_FIRST_LOGIN,
                request_id=request.id,
                created_at=self.now(),
                activated_at=None,
            )
        )

    def activate_account(self, email: str) -> None:
        self._session.execute(
            update(Account)
            .where(Account.email == email)
            .values(status=AccountStatus.ACTIVE, activated_at=self.now(), last_login_at=self.now())
        )

    def requests_involving(self, email: str) -> list[AccessRequest]:
        rows = self._session.scalars(
            select(AccessRequestRow)
            .where(
                or_(
                    AccessRequestRow.requester_email == email,
                    AccessRequestRow.supervisor_email == email,
                    AccessRequestRow.trainee_email == email,
                )
            )
            .order_by(AccessRequestRow.id.desc())
            .limit(20)
        )
        return [self._to_domain(r) for r in rows]

    def requests_awaiting_admins(self) -> list[AccessRequest]:
        rows = self._session.scalars(
            select(AccessRequestRow)
            .where(AccessRequestRow.state.in_([s.value for s in ADMIN_WORK_STATES]))
            .order_by(AccessRequestRow.id)
            .limit(20)
        )
        return [self._to_domain(r) for r in rows]

    def audit(self, event: AuditEvent) -> None:
        self.audit_many([event])

    def audit_many(self, events: Sequence[AuditEvent]) -> None:
        """Append the events to the audit log, in order, with one executemany."""
        if events:
            now = self.now()
            self._connection.execute(insert(AuditEventRow), [_audit_row(e, now) for e in events])

    def notify(self, notification: Notification) -> None:
        self.notify_many([notification])

    def notify_many(self, notifications: Sequence[Notification]) -> None:
        """Queue each notification once per platform, in order, with one executemany; a dedupe
        key already queued, by this or a concurrent transaction (another replica's sweep), is
        skipped, never an error."""
        now = self.now()
        chats = self._personal_chats(
            {n.recipient_email for n in notifications if n.recipient_email}
        )
        rows = [row for n in notifications for row in self._outbox_rows(n, chats, now)]
        if rows:
            self._connection.execute(insert_unless_present(self._session, OutboxRow), rows)

    @property
    def _connection(self) -> Connection:
        """Core statements that touch no pending ORM object skip the ORM's per-call overhead."""
        return self._session.connection()

    def _outbox_rows(
        self, notification: Notification, chats: Collection[tuple[Platform, str]], now: datetime
    ) -> list[dict[str, Any]]:
        payload = card_to_dict(notification.card) if notification.card else None
        return [
            {
                "dedupe_key": f"{platform.value}:{notification.dedupe_key}",
                "platform": platform.value,
                "subject_kind": notification.subject_kind,
                "subject_id": notification.subject_id,
                "audience": notification.audience,
                "recipient_email": notification.recipient_email,
                "payload": payload,
                "status": "pending",
                "attempts": 0,
                "next_attempt_at": notification.not_before or now,
                "created_at": now,
            }
            for platform in self._routes(notification.recipient_email, chats)
        ]

    def _routes(self, email: str | None, chats: Collection[tuple[Platform, str]]) -> list[Platform]:
        """Admin posts go to each platform with an admin channel; a person's messages to each
        platform that may reach them (``chats``), or to all when none is known to (so the
        failure is reported to the admins rather than nothing being sent)."""
        if email is None:
            return [p for p in self._platforms if p in self._admin_platforms]
        reachable = [
            p for p in self._platforms if p not in NEEDS_CONVERSATION or (p, email) in chats
        ]
        return reachable or list(self._platforms)

    def _personal_chats(self, emails: Collection[str]) -> set[tuple[Platform, str]]:
        """Which of these people the bot has a personal chat with, on each of its platforms
        that needs one to reach them."""
        platforms = [p.value for p in self._platforms if p in NEEDS_CONVERSATION]
        if not platforms:
            return set()
        found: set[tuple[Platform, str]] = set()
        for chunk in chunked(sorted(emails)):
            rows = self._session.execute(
                select(ChatConversation.platform, ChatConversation.email).where(
                    ChatConversation.platform.in_(platforms),
                    ChatConversation.kind == PERSONAL_CHAT,
                    ChatConversation.email.in_(chunk),
                )
            )
            found |= {(Platform(platform), email) for platform, email in rows if email}
        return found

    def _to_domain(self, row: AccessRequestRow) -> AccessRequest:
        self._session.flush()
        reports = self._session.scalars(
            select(TrainingReportRow).where(TrainingReportRow.request_id == row.id)
        )
        return AccessRequest(
            id=row.id,
            version=row.version,
            state=RequestState(row.state),
            draft=NewUserDraft(
                requester_email=row.requester_email,
                requester_role=row.requester_role,
                directly_supervises=row.directly_supervises,
                supervisor_name=row.supervisor_name,
                supervisor_email=row.supervisor_email,
                agency_id=row.agency_id,
                coc_id=row.coc_id,
                trainee_name=row.trainee_name,
                trainee_email=row.trainee_email,
                access_role_id=row.access_role_id,
                monitors_contracts=row.monitors_contracts,
                additional_agency_ids=tuple(row.additional_agency_ids),
                background_check_attested=row.background_check_attested,
            ),
            filed_at=row.filed_at,
            verification_due=row.verification_due,
            training_due=row.training_due,
            first_login_due=row.first_login_due,
            verified_by=row.verified_by,
            decided_by=row.decided_by,
            decided_at=row.decided_at,
            decision_reason=row.decision_reason,
            account_created_by=row.account_created_by,
            account_created_at=row.account_created_at,
            training_reports=tuple(TrainingReport(r.training_id, r.reported_at) for r in reports),
        )


def chunked(items: Sequence[T], size: int = LOOKUP_CHUNK) -> Iterator[Sequence[T]]:
    """``items`` in consecutive slices of at most ``size``."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _audit_row(event: AuditEvent, at: datetime) -> dict[str, Any]:
    actor = event.actor
    return {
        "at": at,
        "actor_email": actor.email if actor else None,
        "platform": actor.platform.value if actor else None,
        "platform_user_id": actor.platform_user_id if actor else None,
        "action": event.action,
        "outcome": event.outcome,
        "request_id": event.request_id,
        "details": dict(event.details),
    }
