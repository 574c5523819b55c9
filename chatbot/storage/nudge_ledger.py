"""The nudge flows' ledger on SQLAlchemy: one set-based query per rule selecting only what is
due (each backed by an index), idempotent nudge records, and compare-and-set on accounts."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    String,
    bindparam,
    case,
    cast,
    exists,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.orm import InstrumentedAttribute, Session

from chatbot.storage.ledger import Clock, SqlLedger
from chatbot.storage.models import AccessRequestRow, Account, NudgeRow, TrainingReportRow
from chatbot.storage.upsert import insert_unless_present
from flows.accounts import (
    LIVE_STATUSES,
    REACTIVATED_BY_LOGIN,
    AccountStatus,
    HmisAccount,
    LoginChange,
)
from flows.model import Notification, Platform, RequestState
from flows.nudges.rules import (
    AccountClock,
    AccountRule,
    DueAccount,
    DueRenewal,
    DueRequest,
    Nudge,
    NudgeKind,
    RenewalRule,
    RequestClock,
    RequestRule,
    SubjectKind,
    Window,
)

LOOKUP_CHUNK = 500  # e-mails per IN (...) query, well under every database's parameter limit

_REQUEST_CLOCKS: dict[RequestClock, InstrumentedAttribute[datetime | None]] = {
    RequestClock.VERIFICATION_DUE: AccessRequestRow.verification_due,
    RequestClock.TRAINING_DUE: AccessRequestRow.training_due,
    RequestClock.STATE_ENTERED: AccessRequestRow.updated_at,
}


class SqlNudgeLedger(SqlLedger):
    """Also keeps every notification it queued in ``queued``, for ``hmis-bot sweep --dry-run``."""

    def __init__(
        self,
        session: Session,
        clock: Clock,
        platforms: Sequence[Platform],
        admin_platforms: Collection[Platform] | None = None,
    ) -> None:
        super().__init__(session, clock, platforms, admin_platforms)
        self.queued: list[Notification] = []

    @property
    def _connection(self) -> Connection:
        """Core statements that touch no pending ORM object skip the ORM's per-call overhead."""
        return self._session.connection()

    def notify(self, notification: Notification) -> None:
        self.queued.append(notification)
        super().notify(notification)

    # The due rows are sorted here, not in SQL: an ORDER BY tempts SQLite's planner into
    # scanning the table in key order instead of using the index, and processing in key order
    # makes concurrent sweeps take their row locks in the same order (no deadlocks).

    def due_requests(self, rule: RequestRule) -> list[DueRequest]:
        rows = self._session.execute(request_selection(rule))
        due = [DueRequest(request_id, at) for request_id, at in rows if at is not None]
        return sorted(due, key=lambda d: d.request_id)

    def due_accounts(self, rule: AccountRule) -> list[DueAccount]:
        rows = self._session.execute(account_selection(rule))
        due = [DueAccount(to_account(row), at) for row, at in rows if at is not None]
        return sorted(due, key=lambda d: d.account.id)

    def due_renewals(self, rule: RenewalRule) -> list[DueRenewal]:
        rows = self._session.execute(renewal_selection(rule))
        due = [
            DueRenewal(to_account(row), request_id, training_id, reported_at)
            for row, request_id, training_id, reported_at in rows
        ]
        return sorted(due, key=lambda d: d.request_id)

    def claim(self, nudge: Nudge) -> int | None:
        values: dict[str, Any] = {
            "dedupe_key": nudge.key,
            "subject_kind": nudge.subject_kind.value,
            "subject_id": nudge.subject_id,
            "kind": nudge.kind.value,
            "occurrence": nudge.occurrence,
            "stage": nudge.stage,
            "sent_at": self.now(),
        }
        statement = insert_unless_present(self._session, NudgeRow, values)
        return self._connection.scalar(statement.returning(NudgeRow.id))

    def latest_stage(self, nudge: Nudge) -> int | None:
        return self._session.scalar(
            select(func.max(NudgeRow.stage)).where(
                NudgeRow.subject_kind == nudge.subject_kind.value,
                NudgeRow.subject_id == nudge.subject_id,
                NudgeRow.kind == nudge.kind.value,
                NudgeRow.occurrence == nudge.occurrence,
            )
        )

    def get_account(self, account_id: int) -> HmisAccount | None:
        row = self._session.get(Account, account_id, populate_existing=True)
        return to_account(row) if row else None

    def move_account(
        self, account: HmisAccount, to_status: AccountStatus, actor_email: str
    ) -> HmisAccount | None:
        moved = replace(account, status=to_status, version=account.version + 1)
        if to_status is AccountStatus.DISABLED:
            moved = replace(moved, disabled_by=actor_email, disabled_at=self.now())
        result = self._connection.execute(
            update(Account)
            .where(Account.id == account.id, Account.version == account.version)
            .values(
                status=moved.status.value,
                version=moved.version,
                disabled_by=moved.disabled_by,
                disabled_at=moved.disabled_at,
            )
        )
        return moved if result.rowcount == 1 else None

    def record_logins(self, latest: Mapping[str, datetime]) -> tuple[list[LoginChange], int]:
        """Move each known account's last login forward to ``latest[email]``; the changes,
        and how many of the e-mails have an account at all.

        The update re-checks, row by row under its lock, that the login is newer, so a sweep
        running meanwhile cannot be overwritten with an older state.
        """
        emails = sorted(latest)
        known = [
            to_account(row)
            for start in range(0, len(emails), LOOKUP_CHUNK)
            for row in self._session.scalars(
                select(Account).where(Account.email.in_(emails[start : start + LOOKUP_CHUNK]))
            )
        ]
        changes = [_login_change(a, latest[a.email]) for a in known]
        moved = [c for c in changes if c is not None]
        if moved:  # one UPDATE, executemany (so no expanding IN), re-checking each row
            self._connection.execute(
                _LOGIN_UPDATE,
                [{"b_id": c.after.id, "b_login": c.after.last_login_at} for c in moved],
            )
        return moved, len(known)


def request_selection(rule: RequestRule) -> Select[int, datetime | None]:
    """The requests due under ``rule``: one indexed range on (state, moment), minus those
    whose nudge series already reached this stage."""
    moment = _REQUEST_CLOCKS[rule.clock]
    subject = cast(AccessRequestRow.id, String)
    return select(AccessRequestRow.id, moment).where(
        AccessRequestRow.state == rule.state.value,
        *_within(moment, rule.window),
        _unsent(SubjectKind.REQUEST, subject, rule.kind, moment, rule.stage),
    )


def account_selection(rule: AccountRule) -> Select[Account, datetime | None]:
    """The accounts due under ``rule``: an indexed range on (status, last login), or on the
    first-login deadline of requests whose account was created (joined to their account)."""
    moment: InstrumentedAttribute[datetime | None]
    if rule.clock is AccountClock.LAST_LOGIN:
        moment = Account.last_login_at
        query = select(Account, moment)
    else:
        moment = AccessRequestRow.first_login_due
        query = (
            select(Account, moment)
            .join(AccessRequestRow, AccessRequestRow.id == Account.request_id)
            .where(AccessRequestRow.state == RequestState.ACCOUNT_CREATED.value)
        )
    subject = cast(Account.id, String)
    return query.where(
        Account.status.in_([s.value for s in rule.statuses]),
        *_within(moment, rule.window),
        _unsent(SubjectKind.ACCOUNT, subject, rule.kind, moment, rule.stage),
    )


def renewal_selection(rule: RenewalRule) -> Select[Account, int, str, datetime]:
    """Reported trainings of live accounts whose renewal reminder is due: an indexed range on
    (training, reported at)."""
    report = TrainingReportRow
    subject = cast(report.request_id, String) + ":" + report.training_id
    return (
        select(Account, report.request_id, report.training_id, report.reported_at)
        .join(Account, Account.request_id == report.request_id)
        .where(
            report.training_id == rule.training_id,
            Account.status.in_([s.value for s in LIVE_STATUSES]),
            *_within(report.reported_at, rule.window),
            _unsent(
                SubjectKind.TRAINING_REPORT, subject, rule.kind, report.reported_at, rule.stage
            ),
        )
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
        disabled_by=row.disabled_by,
        disabled_at=row.disabled_at,
    )


def _login_change(account: HmisAccount, login: datetime) -> LoginChange | None:
    if account.last_login_at is not None and login <= account.last_login_at:
        return None
    after = replace(account, last_login_at=login, version=account.version + 1)
    if account.status in REACTIVATED_BY_LOGIN:
        after = replace(after, status=AccountStatus.ACTIVE)
    return LoginChange(account, after)


_LOGIN_UPDATE = (
    update(Account)
    .where(
        Account.id == bindparam("b_id"),
        or_(Account.last_login_at.is_(None), Account.last_login_at < bindparam("b_login")),
    )
    .values(
        last_login_at=bindparam("b_login"),
        activated_at=func.coalesce(Account.activated_at, bindparam("b_login")),
        version=Account.version + 1,
        status=case(
            (
                or_(*(Account.status == s.value for s in REACTIVATED_BY_LOGIN)),
                AccountStatus.ACTIVE.value,
            ),
            else_=Account.status,
        ),
    )
)


def _within(
    moment: ColumnElement[datetime | None] | InstrumentedAttribute[datetime | None],
    window: Window,
) -> list[ColumnElement[bool]]:
    conditions = [moment <= window.upto]
    if window.after is not None:
        conditions.append(moment > window.after)
    return conditions


def _unsent(
    subject_kind: SubjectKind,
    subject_id: ColumnElement[str],
    kind: NudgeKind,
    occurrence: ColumnElement[datetime | None] | InstrumentedAttribute[datetime | None],
    stage: int,
) -> ColumnElement[bool]:
    """No nudge of this series, for this occurrence, at this stage or a later one."""
    return ~exists().where(
        NudgeRow.subject_kind == subject_kind.value,
        NudgeRow.subject_id == subject_id,
        NudgeRow.kind == kind.value,
        NudgeRow.occurrence == occurrence,
        NudgeRow.stage >= stage,
    )
