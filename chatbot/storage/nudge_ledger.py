"""The nudge flows' ledger on SQLAlchemy: one set-based query per rule selecting only what is
due (each backed by an index), idempotent nudge records, and compare-and-set on accounts."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    bindparam,
    case,
    cast,
    exists,
    func,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from chatbot.storage.ledger import Clock, SqlLedger, moved_account, to_account
from chatbot.storage.models import (
    Account,
    AccountGrantRow,
    NudgeRow,
    RequestRow,
    TrainingRecordRow,
    TrainingReportRow,
)
from chatbot.storage.routing import chunked
from chatbot.storage.upsert import insert_unless_present
from flows.accounts import (
    LIVE_STATUSES,
    REACTIVATED_BY_LOGIN,
    AccountStatus,
    HmisAccount,
    LoginChange,
    login_change,
)
from flows.model import Notification, Platform
from flows.nudges.rules import (
    RECORD_PREFIX,
    AccountClock,
    AccountRule,
    DueAccount,
    DueRenewal,
    DueRequest,
    Nudge,
    RenewalRule,
    RequestClock,
    RequestRule,
    SubjectKind,
    Window,
)

_REQUEST_CLOCKS: dict[RequestClock, InstrumentedAttribute[datetime | None]] = {
    RequestClock.DUE_AT: RequestRow.due_at,
    RequestClock.STATE_ENTERED: RequestRow.state_entered_at,
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

    def notify_many(self, notifications: Sequence[Notification]) -> None:
        self.queued += notifications
        super().notify_many(notifications)

    # The due rows are sorted here, not in SQL: an ORDER BY tempts SQLite's planner into
    # scanning the table in key order instead of using the index, and processing in key order
    # makes concurrent sweeps take their row locks in the same order (no deadlocks).

    def due_requests(self, rule: RequestRule) -> list[DueRequest]:
        rows = self._session.execute(request_selection(rule))
        due = [
            DueRequest(request_id, at)
            for request_id, at in rows
            if request_id is not None and at is not None
        ]
        return sorted(due, key=lambda d: d.request_id)

    def due_accounts(self, rule: AccountRule) -> list[DueAccount]:
        rows = self._session.execute(account_selection(rule))
        due = [DueAccount(to_account(row), at) for row, at in rows if at is not None]
        return sorted(due, key=lambda d: d.account.id)

    def due_renewals(self, rule: RenewalRule) -> list[DueRenewal]:
        """Completions reported on requests, then those imported into training records."""
        reports = self._session.execute(renewal_selection(rule))
        records = self._session.execute(record_renewal_selection(rule))
        due = [
            DueRenewal(to_account(row), request_id, training_id, reported_at)
            for row, request_id, training_id, reported_at in reports
        ] + [
            DueRenewal(to_account(row), None, training_id, completed_at, record_id)
            for row, record_id, training_id, completed_at in records
        ]
        return sorted(due, key=lambda d: (d.request_id or 0, d.record_id or 0))

    def claim_many(self, nudges: Sequence[Nudge]) -> dict[Nudge, int]:
        """One INSERT .. ON CONFLICT DO NOTHING for all (executemany, which SQLAlchemy sends as
        multi-row VALUES); RETURNING names only the rows it inserted."""
        if not nudges:
            return {}
        by_key = {nudge.key: nudge for nudge in nudges}
        now = self.now()
        rows = [_nudge_row(nudge, now) for nudge in by_key.values()]
        statement = insert_unless_present(self._session, NudgeRow).returning(
            NudgeRow.id, NudgeRow.dedupe_key
        )
        return {
            by_key[key]: nudge_id
            for nudge_id, key in self._session.connection().execute(statement, rows)
        }

    def latest_stage(self, nudge: Nudge) -> int | None:
        return self._session.scalar(
            select(func.max(NudgeRow.stage)).where(
                NudgeRow.subject_kind == nudge.subject_kind.value,
                NudgeRow.subject_id == nudge.subject_id,
                NudgeRow.kind == nudge.kind,
                NudgeRow.occurrence == nudge.occurrence,
            )
        )

    def move_accounts(
        self, accounts: Sequence[HmisAccount], to_status: AccountStatus, actor_email: str
    ) -> list[HmisAccount]:
        """One UPDATE per chunk, matching each row on its (id, version) pair, RETURNING those
        it moved. The rows are locked in id order first, so sweeps racing over the same
        accounts queue behind each other instead of deadlocking; the loser's UPDATE then
        finds the versions changed and moves nothing."""
        now = self.now()
        ordered = sorted(accounts, key=lambda a: a.id)
        changes: dict[str, Any] = {"status": to_status.value, "version": Account.version + 1}
        if to_status is AccountStatus.DISABLED:
            changes |= {"disabled_by": actor_email, "disabled_at": now}
        moved_ids: set[int] = set()
        for chunk in chunked(ordered):
            ids = [a.id for a in chunk]
            self._session.connection().scalars(
                select(Account.id).where(Account.id.in_(ids)).order_by(Account.id).with_for_update()
            ).all()
            moved_ids.update(
                self._session.connection().scalars(
                    update(Account)
                    .where(  # the id list lets both planners use the primary key
                        Account.id.in_(ids),
                        tuple_(Account.id, Account.version).in_([(a.id, a.version) for a in chunk]),
                    )
                    .values(changes)
                    .returning(Account.id)
                )
            )
        return [moved_account(a, to_status, actor_email, now) for a in ordered if a.id in moved_ids]

    def record_logins(self, latest: Mapping[str, datetime]) -> tuple[list[LoginChange], int]:
        """Move each known account's last login forward to ``latest[email]``; the changes,
        and how many of the e-mails have an account at all.

        The update re-checks, row by row under its lock, that the login is newer, so a sweep
        running meanwhile cannot be overwritten with an older state.
        """
        emails = sorted(latest)
        known = [
            to_account(row)
            for chunk in chunked(emails)
            for row in self._session.scalars(select(Account).where(Account.email.in_(chunk)))
        ]
        changes = [login_change(a, latest[a.email]) for a in known]
        moved = [c for c in changes if c is not None]
        if moved:  # one UPDATE, executemany (so no expanding IN), re-checking each row
            self._session.connection().execute(
                _LOGIN_UPDATE,
                [{"b_id": c.after.id, "b_login": c.after.last_login_at} for c in moved],
            )
        return moved, len(known)


def request_selection(rule: RequestRule) -> Select[int | None, datetime | None]:
    """The requests due under ``rule``: one indexed range on (state, moment), minus those
    whose nudge series already reached this stage."""
    if rule.clock is RequestClock.GRANT_EXPIRES:
        return grant_expiry_selection(rule)
    moment = _REQUEST_CLOCKS[rule.clock]
    subject = cast(RequestRow.id, String)
    return select(RequestRow.id, moment).where(
        RequestRow.kind == rule.request_kind,
        RequestRow.state == rule.state,
        *_within(moment, rule.window),
        _unsent(SubjectKind.REQUEST, subject, rule.nudge, moment, rule.stage),
    )


def grant_expiry_selection(rule: RequestRule) -> Select[int | None, datetime | None]:
    """The requests due under a rule on the expiry of the grant each added: an indexed range
    on the grants' expiry, each still active grant's request checked by its primary key to be
    of the rule's kind and state, minus those whose nudge series already reached this stage."""
    grant, moment = AccountGrantRow, AccountGrantRow.expires_at
    subject = cast(grant.request_id, String)
    of_rule = exists().where(
        RequestRow.id == grant.request_id,
        RequestRow.kind == rule.request_kind,
        RequestRow.state == rule.state,
    )
    return select(grant.request_id, moment).where(
        *_within(moment, rule.window),
        grant.ended_at.is_(None),
        grant.request_id.is_not(None),
        of_rule,
        _unsent(SubjectKind.REQUEST, subject, rule.nudge, moment, rule.stage),
    )


def account_selection(rule: AccountRule) -> Select[Account, datetime | None]:
    """The accounts due under ``rule``: an indexed range on (status, last login) or on
    (status, first-login deadline)."""
    moment = (
        Account.last_login_at if rule.clock is AccountClock.LAST_LOGIN else Account.first_login_due
    )
    subject = cast(Account.id, String)
    return select(Account, moment).where(
        Account.status.in_([s.value for s in rule.statuses]),
        *_within(moment, rule.window),
        _unsent(SubjectKind.ACCOUNT, subject, rule.kind, moment, rule.stage),
    )


def renewal_selection(rule: RenewalRule) -> Select[Account, int, str, datetime]:
    """Each live account holder's latest report of the training, on any of their requests,
    whose renewal reminder is due: an indexed range on (training, reported at). A later
    completion in their training record (from the LMS) supersedes it; an equal one does not."""
    report, request = TrainingReportRow, RequestRow
    later, later_request = aliased(TrainingReportRow), aliased(RequestRow)
    record = TrainingRecordRow
    newer = exists().where(
        later.training_id == report.training_id,
        later.reported_at > report.reported_at,
        later_request.id == later.request_id,
        later_request.subject_email == request.subject_email,
    ) | exists().where(
        record.email == request.subject_email,
        record.training_id == report.training_id,
        record.completed_at > report.reported_at,
    )
    subject = cast(report.request_id, String) + ":" + report.training_id
    return (
        select(Account, report.request_id, report.training_id, report.reported_at)
        .join(request, request.id == report.request_id)
        .join(Account, Account.email == request.subject_email)
        .where(
            report.training_id == rule.training_id,
            Account.status.in_([s.value for s in LIVE_STATUSES]),
            *_within(report.reported_at, rule.window),
            ~newer,
            _unsent(
                SubjectKind.TRAINING_REPORT, subject, rule.kind, report.reported_at, rule.stage
            ),
        )
    )


def record_renewal_selection(rule: RenewalRule) -> Select[Account, int, str, datetime]:
    """Each live account holder's training record (their latest completion from the LMS)
    whose renewal reminder is due, unless a report on one of their requests is as recent
    (that report's reminder is the one sent): an indexed range on (training, completed at)."""
    record = TrainingRecordRow
    report, request = aliased(TrainingReportRow), aliased(RequestRow)
    reported = exists().where(
        report.training_id == record.training_id,
        report.reported_at >= record.completed_at,
        request.id == report.request_id,
        request.subject_email == record.email,
    )
    subject = RECORD_PREFIX + cast(record.id, String) + ":" + record.training_id
    return (
        select(Account, record.id, record.training_id, record.completed_at)
        .join(Account, Account.email == record.email)
        .where(
            record.training_id == rule.training_id,
            Account.status.in_([s.value for s in LIVE_STATUSES]),
            *_within(record.completed_at, rule.window),
            ~reported,
            _unsent(
                SubjectKind.TRAINING_REPORT, subject, rule.kind, record.completed_at, rule.stage
            ),
        )
    )


def _nudge_row(nudge: Nudge, sent_at: datetime) -> dict[str, Any]:
    return {
        "dedupe_key": nudge.key,
        "subject_kind": nudge.subject_kind.value,
        "subject_id": nudge.subject_id,
        "kind": nudge.kind,
        "occurrence": nudge.occurrence,
        "stage": nudge.stage,
        "sent_at": sent_at,
    }


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
    kind: str,
    occurrence: ColumnElement[datetime | None] | InstrumentedAttribute[datetime | None],
    stage: int,
) -> ColumnElement[bool]:
    """No nudge of this series, for this occurrence, at this stage or a later one."""
    return ~exists().where(
        NudgeRow.subject_kind == subject_kind.value,
        NudgeRow.subject_id == subject_id,
        NudgeRow.kind == kind,
        NudgeRow.occurrence == occurrence,
        NudgeRow.stage >= stage,
    )
