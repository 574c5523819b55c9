"""The flows' Ledger port on SQLAlchemy: one instance per transaction, for every request kind."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from chatbot.storage.identities import profile_name
from chatbot.storage.models import (
    Account,
    AccountGrantRow,
    AgencyChangeRow,
    AuditEventRow,
    RequestParty,
    RequestRow,
    RequestTransition,
    TrainingReportRow,
)
from chatbot.storage.routing import OutboxWriter
from chatbot.storage.training_records import completions_of, record_completions
from flows.accounts import HELD_STATUSES, AccountStatus, HmisAccount
from flows.directory import Action, AgencyChange
from flows.grants import Grant
from flows.model import (
    AuditEvent,
    Filing,
    Notification,
    Platform,
    StoredRequest,
    TrainingCompletion,
    TrainingReport,
    Transition,
)
from flows.ports import NewAccount

Clock = Callable[[], datetime]
FILED = ""  # the from-state of a request's first transition: it did not exist before


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
        self._outbox = OutboxWriter(session, platforms, admin_platforms)

    def now(self) -> datetime:
        return self._clock()

    # Requests -------------------------------------------------------------------------------

    def add_request(self, filing: Filing) -> StoredRequest | None:
        now = self.now()
        row = RequestRow(
            kind=filing.kind,
            version=1,
            state=filing.state,
            requester_email=filing.requester_email,
            subject_email=filing.subject_email,
            subject_name=filing.subject_name,
            agency_id=filing.agency_id,
            open_key=filing.open_key,
            details=filing.details.model_dump(mode="json"),
            filed_at=now,
            updated_at=now,
            state_entered_at=now,
            due_at=filing.due_at,
        )
        try:
            with self._session.begin_nested():
                self._session.add(row)
                self._session.flush()
        except IntegrityError:
            return None  # the unique open key: another open request of this kind won
        self._session.add_all(
            RequestParty(request_id=row.id, role=role, email=email)
            for role, email in filing.parties.items()
        )
        filed = Transition(row.id, 0, FILED, filing.state, filing.requester_email)
        self._transition_row(row.id, filed, now)
        return self._to_domain(row)

    def get_request(self, request_id: int) -> StoredRequest | None:
        row = self._session.get(RequestRow, request_id, populate_existing=True)
        return self._to_domain(row) if row else None

    def open_request(self, kind: str, open_key: str) -> StoredRequest | None:
        row = self._session.scalar(
            select(RequestRow).where(RequestRow.kind == kind, RequestRow.open_key == open_key)
        )
        return self._to_domain(row) if row else None

    def apply(self, transition: Transition) -> StoredRequest | None:
        now = self.now()
        values: dict[str, object] = {
            "state": transition.to_state,
            "version": transition.expected_version + 1,
            "updated_at": now,
            "due_at": transition.due_at,
        }
        if transition.to_state != transition.from_state:
            values["state_entered_at"] = now
        if transition.closes:
            values["open_key"] = None
        if transition.details is not None:
            values["details"] = transition.details.model_dump(mode="json")
        if transition.decided:
            values |= {
                "decided_by": transition.actor_email,
                "decided_at": now,
                "decision_reason": transition.reason or None,
            }
        result = self._session.execute(
            update(RequestRow)
            .where(
                RequestRow.id == transition.request_id,
                RequestRow.version == transition.expected_version,
            )
            .values(values)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            return None
        self._transition_row(transition.request_id, transition, now)
        return self.get_request(transition.request_id)

    def record_training_report(
        self,
        request_id: int,
        training_id: str,
        actor_email: str,
        completed_at: datetime | None = None,
    ) -> None:
        self._session.add(
            TrainingReportRow(
                request_id=request_id,
                training_id=training_id,
                reported_by=actor_email,
                reported_at=completed_at or self.now(),
            )
        )
        self._session.flush()

    def trainings_completed(self, email: str) -> Mapping[str, datetime]:
        rows = self._session.execute(
            select(TrainingReportRow.training_id, func.max(TrainingReportRow.reported_at))
            .join(RequestRow, RequestRow.id == TrainingReportRow.request_id)
            .where(RequestRow.subject_email == email)
            .group_by(TrainingReportRow.training_id)
        )
        latest = dict(completions_of(self._session, email))
        for training_id, at in rows:
            latest[training_id] = max(at, latest.get(training_id, at))
        return latest

    def record_training_completions(
        self, completions: Sequence[TrainingCompletion]
    ) -> list[TrainingCompletion]:
        return record_completions(self._session, completions, self.now())

    def requests_involving(self, email: str, limit: int = 20) -> list[StoredRequest]:
        mine = select(RequestParty.request_id).where(RequestParty.email == email)
        rows = self._session.scalars(
            select(RequestRow)
            .where(RequestRow.id.in_(mine))
            .order_by(RequestRow.id.desc())
            .limit(limit)
        )
        return [self._to_domain(r) for r in rows]

    def requests_about(self, email: str, kinds: Collection[str]) -> list[StoredRequest]:
        rows = self._session.scalars(
            select(RequestRow)
            .where(RequestRow.subject_email == email, RequestRow.kind.in_(list(kinds)))
            .order_by(RequestRow.id)
        )
        return [self._to_domain(r) for r in rows]

    def requests_waiting(
        self, states: Mapping[str, Collection[str]], limit: int = 20
    ) -> list[StoredRequest]:
        waiting = [
            and_(RequestRow.kind == kind, RequestRow.state.in_(list(these)))
            for kind, these in states.items()
            if these
        ]
        if not waiting:
            return []
        rows = self._session.scalars(
            select(RequestRow).where(or_(*waiting)).order_by(RequestRow.id).limit(limit)
        )
        return [self._to_domain(r) for r in rows]

    def person_name(self, email: str) -> str | None:
        return profile_name(self._session, email)

    # Accounts -------------------------------------------------------------------------------

    def account_by_email(self, email: str) -> HmisAccount | None:
        row = self._session.scalar(select(Account).where(Account.email == email))
        return to_account(row) if row else None

    def get_account(self, account_id: int) -> HmisAccount | None:
        row = self._session.get(Account, account_id, populate_existing=True)
        return to_account(row) if row else None

    def accounts_of(self, agency_ids: Collection[str], limit: int = 100) -> list[HmisAccount]:
        rows = self._session.scalars(
            select(Account)
            .where(
                Account.agency_id.in_(list(agency_ids)),
                Account.status.in_([s.value for s in HELD_STATUSES]),
            )
            .order_by(Account.name, Account.id)
            .limit(limit)
        )
        return [to_account(r) for r in rows]

    def open_account(self, account: NewAccount) -> HmisAccount:
        """A new account row, or the person's deactivated one opened again (its history, in
        the audit log, stays with it)."""
        now = self.now()
        row = self._session.scalar(select(Account).where(Account.email == account.email))
        if row is None:
            row = Account(email=account.email, created_at=now, version=1)
            self._session.add(row)
        else:
            row.version += 1
        row.name = account.name
        row.agency_id = account.agency_id
        row.access_role_id = account.access_role_id
        row.status = AccountStatus.PENDING_FIRST_LOGIN
        row.request_id = account.request_id
        row.first_login_due = account.first_login_due
        row.activated_at = None
        row.last_login_at = None
        row.disabled_by = None
        row.disabled_at = None
        self._session.flush()
        return to_account(row)

    def activate_account(self, email: str) -> None:
        self._session.execute(
            update(Account)
            .where(Account.email == email)
            .values(
                status=AccountStatus.ACTIVE,
                activated_at=self.now(),
                last_login_at=self.now(),
                version=Account.version + 1,
            )
        )

    def move_account(
        self,
        account: HmisAccount,
        to_status: AccountStatus,
        actor_email: str,
        access_role_id: str | None = None,
    ) -> HmisAccount | None:
        now = self.now()
        changes: dict[str, Any] = {"status": to_status.value, "version": account.version + 1}
        if to_status in (AccountStatus.DISABLED, AccountStatus.DEACTIVATED):
            changes |= {"disabled_by": actor_email, "disabled_at": now}
        if access_role_id is not None:
            changes["access_role_id"] = access_role_id
        result = self._session.execute(
            update(Account)
            .where(Account.id == account.id, Account.version == account.version)
            .values(changes)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            return None
        return self.get_account(account.id)

    def reinstate_account(
        self, account: HmisAccount, first_login_due: datetime
    ) -> HmisAccount | None:
        result = self._session.execute(
            update(Account)
            .where(Account.id == account.id, Account.version == account.version)
            .values(
                status=AccountStatus.PENDING_FIRST_LOGIN,
                version=account.version + 1,
                first_login_due=first_login_due,
                disabled_by=None,
                disabled_at=None,
            )
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            return None
        return self.get_account(account.id)

    # Grants ---------------------------------------------------------------------------------

    def grants_of(self, email: str) -> list[Grant]:
        rows = self._session.scalars(
            select(AccountGrantRow)
            .where(AccountGrantRow.email == email, AccountGrantRow.ended_at.is_(None))
            .order_by(AccountGrantRow.id)
        )
        return [_grant(r) for r in rows]

    def add_grant(
        self,
        email: str,
        kind: str,
        value: str,
        request_id: int | None,
        expires_at: datetime | None = None,
    ) -> Grant | None:
        row = AccountGrantRow(
            email=email,
            kind=kind,
            value=value,
            active_key=f"{email}:{kind}:{value}",
            request_id=request_id,
            granted_at=self.now(),
            expires_at=expires_at,
        )
        try:
            with self._session.begin_nested():
                self._session.add(row)
                self._session.flush()
        except IntegrityError:
            return None  # already held
        return _grant(row)

    def end_grant(self, grant: Grant, by: str) -> Grant | None:
        now = self.now()
        result = self._session.execute(
            update(AccountGrantRow)
            .where(AccountGrantRow.id == grant.id, AccountGrantRow.ended_at.is_(None))
            .values(ended_at=now, ended_by=by, active_key=None)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            return None
        return replace(grant, ended_at=now, ended_by=by)

    # The directory ----------------------------------------------------------------------

    def agency_changes(self) -> list[AgencyChange]:
        rows = self._session.scalars(select(AgencyChangeRow).order_by(AgencyChangeRow.id))
        return [
            AgencyChange(r.agency_id, r.field, Action(r.action), r.value, r.request_id, r.at)
            for r in rows
        ]

    def record_agency_change(self, change: AgencyChange) -> None:
        self._session.add(
            AgencyChangeRow(
                agency_id=change.agency_id,
                field=change.field,
                action=change.action.value,
                value=change.value,
                request_id=change.request_id,
                at=change.at or self.now(),
            )
        )
        self._session.flush()

    # Audit and outbox -----------------------------------------------------------------------

    def audit(self, event: AuditEvent) -> None:
        self.audit_many([event])

    def audit_many(self, events: Sequence[AuditEvent]) -> None:
        """Append the events to the audit log, in order, with one executemany."""
        if events:
            now = self.now()
            self._session.connection().execute(
                insert(AuditEventRow), [_audit_row(e, now) for e in events]
            )

    def notify(self, notification: Notification) -> None:
        self.notify_many([notification])

    def notify_many(self, notifications: Sequence[Notification]) -> None:
        self._outbox.queue(notifications, self.now())

    # Rows to records ------------------------------------------------------------------------

    def _transition_row(self, request_id: int, transition: Transition, at: datetime) -> None:
        self._session.add(
            RequestTransition(
                request_id=request_id,
                from_state=transition.from_state,
                to_state=transition.to_state,
                actor_email=transition.actor_email,
                at=at,
                reason=transition.reason,
            )
        )

    def _to_domain(self, row: RequestRow) -> StoredRequest:
        self._session.flush()
        reports = self._session.scalars(
            select(TrainingReportRow).where(TrainingReportRow.request_id == row.id)
        )
        return StoredRequest(
            id=row.id,
            kind=row.kind,
            version=row.version,
            state=row.state,
            requester_email=row.requester_email,
            subject_email=row.subject_email,
            subject_name=row.subject_name,
            agency_id=row.agency_id,
            filed_at=row.filed_at,
            state_entered_at=row.state_entered_at,
            details=dict(row.details),
            due_at=row.due_at,
            decided_by=row.decided_by,
            decided_at=row.decided_at,
            decision_reason=row.decision_reason,
            training_reports=tuple(TrainingReport(r.training_id, r.reported_at) for r in reports),
        )


def to_account(row: Account) -> HmisAccount:
    return HmisAccount(
        id=row.id,
        version=row.version,
        email=row.email,
        name=row.name,
        agency_id=row.agency_id,
        status=AccountStatus(row.status),
        last_login_at=row.last_login_at,
        access_role_id=row.access_role_id,
        first_login_due=row.first_login_due,
        disabled_by=row.disabled_by,
        disabled_at=row.disabled_at,
    )


def moved_account(
    account: HmisAccount, to_status: AccountStatus, actor_email: str, now: datetime
) -> HmisAccount:
    """The account as a compare-and-set move leaves it."""
    moved = replace(account, status=to_status, version=account.version + 1)
    if to_status in (AccountStatus.DISABLED, AccountStatus.DEACTIVATED):
        moved = replace(moved, disabled_by=actor_email, disabled_at=now)
    return moved


def _grant(row: AccountGrantRow) -> Grant:
    return Grant(
        id=row.id,
        email=row.email,
        kind=row.kind,
        value=row.value,
        granted_at=row.granted_at,
        request_id=row.request_id,
        expires_at=row.expires_at,
        ended_at=row.ended_at,
        ended_by=row.ended_by,
    )


def _audit_row(event: AuditEvent, at: datetime) -> dict[str, Any]:
    actor, subject = event.actor, event.subject
    return {
        "at": at,
        "actor_email": actor.email if actor else None,
        "platform": actor.platform.value if actor else None,
        "platform_user_id": actor.platform_user_id if actor else None,
        "action": event.action,
        "outcome": event.outcome,
        "subject_kind": subject.kind if subject else None,
        "subject_id": subject.id if subject else None,
        "details": dict(event.details),
    }
