"""The Ledger port in memory, for flow tests that need no database. It keeps the same promises
as the SQL ledger (``tests/test_ledger_contract.py`` runs both): compare-and-set on versions,
one open request per kind and key, the audit log and the outbox in order."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from itertools import count

from flows.accounts import HELD_STATUSES, AccountStatus, HmisAccount
from flows.directory import AgencyChange
from flows.grants import Grant
from flows.model import (
    AuditEvent,
    Filing,
    Notification,
    StoredRequest,
    TrainingCompletion,
    TrainingReport,
    Transition,
)
from flows.ports import NewAccount


@dataclass
class _Row:
    request: StoredRequest
    open_key: str | None
    parties: dict[str, str]


@dataclass
class MemoryLedger:
    clock: Callable[[], datetime]
    audit_log: list[AuditEvent] = field(default_factory=list)
    outbox: list[Notification] = field(default_factory=list)
    transitions: list[Transition] = field(default_factory=list)
    directory: list[AgencyChange] = field(default_factory=list)
    grants: dict[int, Grant] = field(default_factory=dict)
    training_records: dict[tuple[str, str], datetime] = field(default_factory=dict)
    _requests: dict[int, _Row] = field(default_factory=dict)
    _accounts: dict[int, HmisAccount] = field(default_factory=dict)
    _ids: count[int] = field(default_factory=lambda: count(1))
    _account_ids: count[int] = field(default_factory=lambda: count(1))
    profile_names: dict[str, str] = field(default_factory=dict)
    """Names chat profiles showed, by e-mail, as the SQL ledger's identity cache keeps them."""

    def now(self) -> datetime:
        return self.clock()

    # Requests -------------------------------------------------------------------------------

    def add_request(self, filing: Filing) -> StoredRequest | None:
        if self.open_request(filing.kind, filing.open_key) is not None:
            return None
        now = self.now()
        request = StoredRequest(
            id=next(self._ids),
            kind=filing.kind,
            version=1,
            state=filing.state,
            requester_email=filing.requester_email,
            subject_email=filing.subject_email,
            subject_name=filing.subject_name,
            agency_id=filing.agency_id,
            filed_at=now,
            state_entered_at=now,
            details=filing.details.model_dump(mode="json"),
            due_at=filing.due_at,
        )
        self._requests[request.id] = _Row(request, filing.open_key, dict(filing.parties))
        return request

    def get_request(self, request_id: int) -> StoredRequest | None:
        row = self._requests.get(request_id)
        return row.request if row else None

    def open_request(self, kind: str, open_key: str) -> StoredRequest | None:
        return next(
            (
                row.request
                for row in self._requests.values()
                if row.request.kind == kind and row.open_key == open_key
            ),
            None,
        )

    def apply(self, transition: Transition) -> StoredRequest | None:
        row = self._requests.get(transition.request_id)
        if row is None or row.request.version != transition.expected_version:
            return None
        now, before = self.now(), row.request
        after = replace(
            before,
            state=transition.to_state,
            version=before.version + 1,
            due_at=transition.due_at,
            state_entered_at=now
            if transition.to_state != transition.from_state
            else before.state_entered_at,
        )
        if transition.details is not None:
            after = replace(after, details=transition.details.model_dump(mode="json"))
        if transition.decided:
            after = replace(
                after,
                decided_by=transition.actor_email,
                decided_at=now,
                decision_reason=transition.reason or None,
            )
        row.request = after
        if transition.closes:
            row.open_key = None
        self.transitions.append(transition)
        return after

    def record_training_report(
        self,
        request_id: int,
        training_id: str,
        actor_email: str,
        completed_at: datetime | None = None,
    ) -> None:
        row = self._requests[request_id]
        report = TrainingReport(training_id, completed_at or self.now())
        row.request = replace(row.request, training_reports=(*row.request.training_reports, report))

    def trainings_completed(self, email: str) -> Mapping[str, datetime]:
        latest = {
            training_id: at
            for (person, training_id), at in self.training_records.items()
            if person == email
        }
        for row in self._requests.values():
            if row.request.subject_email == email:
                for report in row.request.training_reports:
                    latest[report.training_id] = max(
                        report.reported_at, latest.get(report.training_id, report.reported_at)
                    )
        return latest

    def record_training_completions(
        self, completions: Sequence[TrainingCompletion]
    ) -> list[TrainingCompletion]:
        changed: dict[tuple[str, str], TrainingCompletion] = {}
        for completion in completions:
            key = (completion.email, completion.training_id)
            on_record = self.training_records.get(key)
            if on_record is None or completion.completed_at > on_record:
                self.training_records[key] = completion.completed_at
                changed[key] = completion
        return list(changed.values())

    def requests_involving(self, email: str, limit: int = 20) -> list[StoredRequest]:
        mine = [r.request for r in self._requests.values() if email in r.parties.values()]
        return sorted(mine, key=lambda r: -r.id)[:limit]

    def requests_about(self, email: str, kinds: Collection[str]) -> list[StoredRequest]:
        return [
            r.request
            for r in self._requests.values()
            if r.request.subject_email == email and r.request.kind in kinds
        ]

    def requests_waiting(
        self, states: Mapping[str, Collection[str]], limit: int = 20
    ) -> list[StoredRequest]:
        return [
            r.request
            for r in self._requests.values()
            if r.request.state in states.get(r.request.kind, ())
        ][:limit]

    def person_name(self, email: str) -> str | None:
        return self.profile_names.get(email)

    # Accounts -------------------------------------------------------------------------------

    def account_by_email(self, email: str) -> HmisAccount | None:
        return next((a for a in self._accounts.values() if a.email == email), None)

    def get_account(self, account_id: int) -> HmisAccount | None:
        return self._accounts.get(account_id)

    def accounts_of(self, agency_ids: Collection[str], limit: int = 100) -> list[HmisAccount]:
        held = [
            a
            for a in self._accounts.values()
            if a.agency_id in agency_ids and a.status in HELD_STATUSES
        ]
        return sorted(held, key=lambda a: (a.name, a.id))[:limit]

    def open_account(self, account: NewAccount) -> HmisAccount:
        existing = self.account_by_email(account.email)
        opened = HmisAccount(
            id=existing.id if existing else next(self._account_ids),
            version=existing.version + 1 if existing else 1,
            email=account.email,
            name=account.name,
            agency_id=account.agency_id,
            status=AccountStatus.PENDING_FIRST_LOGIN,
            last_login_at=None,
            access_role_id=account.access_role_id,
            first_login_due=account.first_login_due,
        )
        self._accounts[opened.id] = opened
        return opened

    def activate_account(self, email: str) -> None:
        account = self.account_by_email(email)
        if account is not None:
            self._accounts[account.id] = replace(
                account,
                status=AccountStatus.ACTIVE,
                last_login_at=self.now(),
                version=account.version + 1,
            )

    def move_account(
        self,
        account: HmisAccount,
        to_status: AccountStatus,
        actor_email: str,
        access_role_id: str | None = None,
    ) -> HmisAccount | None:
        current = self._accounts.get(account.id)
        if current is None or current.version != account.version:
            return None
        moved = replace(current, status=to_status, version=current.version + 1)
        if to_status in (AccountStatus.DISABLED, AccountStatus.DEACTIVATED):
            moved = replace(moved, disabled_by=actor_email, disabled_at=self.now())
        if access_role_id is not None:
            moved = replace(moved, access_role_id=access_role_id)
        self._accounts[moved.id] = moved
        return moved

    def reinstate_account(
        self, account: HmisAccount, first_login_due: datetime
    ) -> HmisAccount | None:
        current = self._accounts.get(account.id)
        if current is None or current.version != account.version:
            return None
        reinstated = replace(
            current,
            status=AccountStatus.PENDING_FIRST_LOGIN,
            version=current.version + 1,
            first_login_due=first_login_due,
            disabled_by=None,
            disabled_at=None,
        )
        self._accounts[reinstated.id] = reinstated
        return reinstated

    # Grants ---------------------------------------------------------------------------------

    def grants_of(self, email: str) -> list[Grant]:
        return [g for g in self.grants.values() if g.email == email and g.active]

    def add_grant(
        self,
        email: str,
        kind: str,
        value: str,
        request_id: int | None,
        expires_at: datetime | None = None,
    ) -> Grant | None:
        if any(g.kind == kind and g.value == value for g in self.grants_of(email)):
            return None
        grant = Grant(len(self.grants) + 1, email, kind, value, self.now(), request_id, expires_at)
        self.grants[grant.id] = grant
        return grant

    def end_grant(self, grant: Grant, by: str) -> Grant | None:
        current = self.grants.get(grant.id)
        if current is None or not current.active:
            return None
        ended = replace(current, ended_at=self.now(), ended_by=by)
        self.grants[grant.id] = ended
        return ended

    # The directory ----------------------------------------------------------------------

    def agency_changes(self) -> list[AgencyChange]:
        return list(self.directory)

    def record_agency_change(self, change: AgencyChange) -> None:
        self.directory.append(replace(change, at=change.at or self.now()))

    # Audit and outbox -----------------------------------------------------------------------

    def audit(self, event: AuditEvent) -> None:
        self.audit_log.append(event)

    def audit_many(self, events: Sequence[AuditEvent]) -> None:
        self.audit_log.extend(events)

    def notify(self, notification: Notification) -> None:
        self.notify_many([notification])

    def notify_many(self, notifications: Sequence[Notification]) -> None:
        """Queued once per dedupe key, as the SQL outbox's unique key does."""
        seen = {n.dedupe_key for n in self.outbox}
        for notification in notifications:
            if notification.dedupe_key not in seen:
                seen.add(notification.dedupe_key)
                self.outbox.append(notification)
