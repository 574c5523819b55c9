"""Runs one sweep rule: selects what is due, records each nudge once, closes what a deadline
closes (expired requests, inactive accounts), and queues the messages, held until business
hours. Running a rule twice, or from two replicas at once, sends each nudge once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property, partial

from flows.accounts import AccountStatus, HmisAccount
from flows.calendar import BusinessCalendar
from flows.community import Community
from flows.model import AccessRequest, AuditEvent, Notification, RequestState, Transition
from flows.new_user.lifecycle import card_refreshes
from flows.nudges.inactivity import announcements
from flows.nudges.letters import Letter, NudgeLetters, audience_for, one_per_person
from flows.nudges.ports import NudgeLedger
from flows.nudges.rules import (
    AccountRule,
    MeetingRule,
    Nudge,
    NudgeKind,
    RenewalRule,
    RequestRule,
    Rule,
    SubjectKind,
)
from flows.nudges.timing import deliver_at, latest_start, reminder_time
from flows.recurrence import occurrences

SWEEP_ACTOR = "hmis-bot"  # who transitions and the audit log name for scheduled changes
NUDGE_SUBJECT = "nudge"  # outbox subject kind of a nudge's fixed messages

_ACCOUNT_MOVES = {
    NudgeKind.INACTIVITY_WARNING: AccountStatus.WARNED,
    NudgeKind.INACTIVITY_DISABLE: AccountStatus.DISABLE_DUE,
}


@dataclass(frozen=True)
class NudgeSweep:
    community: Community
    calendar: BusinessCalendar
    ledger: NudgeLedger

    def run(self, rule: Rule) -> None:
        if isinstance(rule, RequestRule):
            self._requests(rule)
        elif isinstance(rule, AccountRule):
            self._accounts(rule)
        elif isinstance(rule, RenewalRule):
            self._renewals(rule)
        else:
            self._meetings(rule)

    @cached_property
    def _letters(self) -> NudgeLetters:
        return NudgeLetters(self.community, self.calendar)

    @cached_property
    def _deliver_at(self) -> datetime:
        return deliver_at(self.calendar, self.ledger.now())

    def _requests(self, rule: RequestRule) -> None:
        for due in self.ledger.due_requests(rule):
            request = self.ledger.get_request(due.request_id)
            if request is not None and rule.kind is NudgeKind.TRAINING_EXPIRED:
                request = self._expire(request)
            if request is None:
                continue
            nudge = Nudge(
                SubjectKind.REQUEST, str(request.id), rule.kind, due.occurrence, rule.stage
            )
            self._send(nudge, self._letters.for_request(rule.kind, request, due.occurrence))

    def _expire(self, request: AccessRequest) -> AccessRequest | None:
        grace = self.community.deadlines.training_grace
        moved = self.ledger.apply(
            Transition(
                request.id,
                request.version,
                request.state,
                RequestState.EXPIRED,
                SWEEP_ACTOR,
                reason=f"training not reported by the deadline or within the {grace} grace",
            )
        )
        if moved is None:
            return None
        self.ledger.audit(
            AuditEvent(
                None,
                "new_user.expire",
                "ok",
                request.id,
                {"from": request.state, "to": moved.state},
            )
        )
        for notification in card_refreshes(moved, cause="expired"):
            self.ledger.notify(notification)
        return moved

    def _accounts(self, rule: AccountRule) -> None:
        for due in self.ledger.due_accounts(rule):
            account: HmisAccount | None = due.account
            if rule.kind in _ACCOUNT_MOVES:
                account = self._move(due.account, _ACCOUNT_MOVES[rule.kind], rule.kind)
            if account is None:
                continue
            nudge = Nudge(
                SubjectKind.ACCOUNT, str(account.id), rule.kind, due.occurrence, rule.stage
            )
            letters = self._letters.for_account(rule.kind, account, due.occurrence)
            if self._send(nudge, letters) and rule.kind is NudgeKind.INACTIVITY_DISABLE:
                for notification in announcements(
                    self.community, account, due.occurrence, "announced", self._deliver_at
                ):
                    self.ledger.notify(notification)

    def _move(
        self, account: HmisAccount, to_status: AccountStatus, kind: NudgeKind
    ) -> HmisAccount | None:
        moved = self.ledger.move_account(account, to_status, SWEEP_ACTOR)
        if moved is not None:
            self.ledger.audit(
                AuditEvent(
                    None,
                    f"account.{kind}",
                    "ok",
                    None,
                    {"account": str(account.id), "from": account.status, "to": to_status},
                )
            )
        return moved

    def _renewals(self, rule: RenewalRule) -> None:
        for due in self.ledger.due_renewals(rule):
            subject = f"{due.request_id}:{due.training_id}"
            nudge = Nudge(
                SubjectKind.TRAINING_REPORT, subject, rule.kind, due.reported_at, rule.stage
            )
            self._send(nudge, self._letters.renewal_reminder(due))

    def _meetings(self, rule: MeetingRule) -> None:
        """Each coming occurrence whose reminder is due gets its latest due stage, once."""
        reminder, now = rule.reminder, self.ledger.now()
        earliest = partial(reminder_time, self.calendar, before=reminder.notify_before[0])
        horizon = latest_start(earliest, now)
        for occurrence in occurrences(
            reminder.rrule, reminder.starts, self.calendar.timezone, now, horizon
        ):
            stage = max(
                stage
                for stage, before in enumerate(reminder.notify_before)
                if reminder_time(self.calendar, occurrence, before) <= now
            )
            nudge = Nudge(SubjectKind.REMINDER, reminder.id, rule.kind, occurrence, stage)
            latest = self.ledger.latest_stage(nudge)
            if latest is None or latest < stage:
                self._send(nudge, self._letters.meeting_reminder(reminder, occurrence))

    def _send(self, nudge: Nudge, letters: list[Letter]) -> bool:
        """Record the nudge and queue its messages; False when it was sent before."""
        nudge_id = self.ledger.claim(nudge)
        if nudge_id is None:
            return False
        for letter in one_per_person(letters):
            audience = audience_for(letter.role, letter.email)
            self.ledger.notify(
                Notification(
                    NUDGE_SUBJECT,
                    str(nudge_id),
                    audience,
                    letter.email,
                    f"{NUDGE_SUBJECT}:{nudge_id}:{audience}",
                    card=letter.card,
                    not_before=self._deliver_at,
                )
            )
        return True
