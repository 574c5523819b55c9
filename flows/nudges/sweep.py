"""Runs one sweep rule: selects what is due, records each nudge once, closes what a deadline
closes (expired requests, inactive accounts), and queues the messages, held until business
hours. Running a rule twice, or from two replicas at once, sends each nudge once.

A rule's writes are set-based: its accounts move in one compare-and-set, its nudges are
recorded in one call, and its audit events and its messages are written in one call each
(a request a rule moves, such as an expiry, still moves on its own through its kind's
state machine). Request rules come from the kinds in the registry, which word their letters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property, partial
from typing import Any

from flows.accounts import AccountStatus
from flows.calendar import BusinessCalendar
from flows.community import Community
from flows.kit.kind import CardView
from flows.kit.machine import Machine
from flows.kit.registry import Registry
from flows.model import ACCOUNT_SUBJECT, AuditEvent, Notification, Request, Subject
from flows.nudges.inactivity import announcements
from flows.nudges.letters import AccountLetters, Letter, audience_for, one_per_person
from flows.nudges.ports import NudgeLedger
from flows.nudges.rules import (
    AccountRule,
    DueAccount,
    MeetingRule,
    Move,
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
class _Due:
    """A nudge a rule found due: its letters, and the messages that go with it."""

    nudge: Nudge
    letters: list[Letter]
    after: tuple[Notification, ...] = ()
    """Queued after the letters, only by the sweep that records the nudge."""


@dataclass(frozen=True)
class NudgeSweep:
    community: Community
    calendar: BusinessCalendar
    ledger: NudgeLedger
    registry: Registry

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
    def _letters(self) -> AccountLetters:
        return AccountLetters(self.community, self.calendar)

    @cached_property
    def _deliver_at(self) -> datetime:
        return deliver_at(self.calendar, self.ledger.now())

    def _requests(self, rule: RequestRule) -> None:
        kind = self.registry.kind(rule.request_kind)
        if kind is None:
            return
        machine = Machine(kind, self.community, self.calendar, self.ledger, self.registry)
        found = [(machine.get(d.request_id), d.occurrence) for d in self.ledger.due_requests(rule)]
        # Another sweep, or a person, may have moved a request on since it was selected: the
        # compare-and-set below would pass against the new version, so drop it here.
        requests = [
            (request, occurrence)
            for request, occurrence in found
            if request is not None and request.state == rule.state
        ]
        if rule.move is not None:
            requests = self._move_requests(machine, requests, rule.move)
        view = CardView(self.community, self.calendar, self.ledger.person_name)
        self._send(
            [
                _Due(
                    Nudge(SubjectKind.REQUEST, str(request.id), rule.nudge, occurrence, rule.stage),
                    one_per_person(
                        kind.letters(view, rule.nudge, request, occurrence, self.ledger.now())
                    ),
                )
                for request, occurrence in requests
            ]
        )

    def _move_requests(
        self,
        machine: Machine[Any],
        requests: list[tuple[Request[Any], datetime]],
        move: Move,
    ) -> list[tuple[Request[Any], datetime]]:
        """Move each request; those this sweep moved (another may have been first), moved."""
        moved: list[tuple[Request[Any], datetime]] = []
        for request, occurrence in requests:
            due = machine.kind.due_in(machine, request, move.to_state)
            after = machine.move(
                request, SWEEP_ACTOR, move.to_state, move.verb, reason=move.reason, due_at=due
            )
            if after is not None:
                moved.append((after, occurrence))
        return moved

    def _accounts(self, rule: AccountRule) -> None:
        found = self.ledger.due_accounts(rule)
        if rule.kind in _ACCOUNT_MOVES:
            found = self._move(found, _ACCOUNT_MOVES[rule.kind], rule.kind)
        self._send([self._account_nudge(rule, due) for due in found])

    def _account_nudge(self, rule: AccountRule, due: DueAccount) -> _Due:
        account, occurrence = due.account, due.occurrence
        announced = (
            announcements(self.community, account, occurrence, "announced", self._deliver_at)
            if rule.kind is NudgeKind.INACTIVITY_DISABLE
            else []
        )
        return _Due(
            Nudge(SubjectKind.ACCOUNT, str(account.id), rule.kind, occurrence, rule.stage),
            self._letters.for_account(rule.kind, account, occurrence),
            after=tuple(announced),
        )

    def _move(
        self, found: list[DueAccount], to_status: AccountStatus, kind: NudgeKind
    ) -> list[DueAccount]:
        """Move the accounts; those this sweep moved (a login or another sweep may have moved
        one first), as moved, each audited."""
        due = {d.account.id: d for d in found}
        moved = self.ledger.move_accounts([d.account for d in found], to_status, SWEEP_ACTOR)
        self.ledger.audit_many(
            [
                AuditEvent(
                    None,
                    f"{ACCOUNT_SUBJECT}.{kind}",
                    "ok",
                    Subject.account(account.id),
                    {"from": due[account.id].account.status, "to": to_status},
                )
                for account in moved
            ]
        )
        return [DueAccount(account, due[account.id].occurrence) for account in moved]

    def _renewals(self, rule: RenewalRule) -> None:
        self._send(
            [
                _Due(
                    Nudge(
                        SubjectKind.TRAINING_REPORT,
                        due.subject_id,
                        rule.kind,
                        due.reported_at,
                        rule.stage,
                    ),
                    self._letters.renewal_reminder(due),
                )
                for due in self.ledger.due_renewals(rule)
            ]
        )

    def _meetings(self, rule: MeetingRule) -> None:
        """Each coming occurrence whose reminder is due gets its latest due stage, once."""
        reminder, now = rule.reminder, self.ledger.now()
        earliest = partial(reminder_time, self.calendar, before=reminder.notify_before[0])
        horizon = latest_start(earliest, now)
        due: list[_Due] = []
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
                letters = self._letters.meeting_reminder(reminder, occurrence, now)
                due.append(_Due(nudge, letters))
        self._send(due)

    def _send(self, due: list[_Due]) -> None:
        """Record the nudges and queue their messages, in order; a nudge recorded before (by
        any sweep) queues nothing again."""
        claimed = self.ledger.claim_many([d.nudge for d in due])
        messages: list[Notification] = []
        for d in due:
            if d.nudge in claimed:
                messages += [*self._messages(claimed[d.nudge], d.letters), *d.after]
        self.ledger.notify_many(messages)

    def _messages(self, nudge_id: int, letters: list[Letter]) -> list[Notification]:
        messages = []
        for letter in one_per_person(letters):
            audience = audience_for(letter.role, letter.email)
            messages.append(
                Notification(
                    NUDGE_SUBJECT,
                    str(nudge_id),
                    audience,
                    letter.email,
                    f"{NUDGE_SUBJECT}:{nudge_id}:{audience}",
                    card=letter.card,
                    not_before=None if letter.immediate else self._deliver_at,
                )
            )
        return messages
