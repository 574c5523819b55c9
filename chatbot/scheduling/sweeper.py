"""Runs a sweep: every rule the plan lists for this moment, each in its own transaction, so a
long sweep holds no lock for long and a failure loses one rule's work, not all of it.

A rule that fails (its query, its writes, a bug in it) is rolled back, logged in one line
(with the traceback the first time its error type is seen), counted in ``/metrics`` and named
in the result; the sweep goes on with the next rule, and the next sweep tries it again."""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from chatbot import metrics
from chatbot.storage.database import Database
from chatbot.storage.nudge_ledger import SqlNudgeLedger
from chatbot.supervision import FailureLog
from flows.calendar import BusinessCalendar
from flows.community import Community
from flows.directory import current
from flows.kit.registry import Registry
from flows.model import Notification, Platform
from flows.nudges.plan import plan
from flows.nudges.rules import MeetingRule, RenewalRule, RequestRule, Rule
from flows.nudges.sweep import NudgeSweep

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SweepResult:
    queued: list[Notification]
    failed: list[str]  # the rules that failed, by ``rule_name``


@dataclass
class Sweeper:
    db: Database
    community: Community
    calendar: BusinessCalendar
    registry: Registry
    platforms: Sequence[Platform]
    admin_platforms: Collection[Platform] | None = None
    _failures: FailureLog = field(default_factory=lambda: FailureLog(log), init=False)

    def sweep(self, now: datetime) -> list[Notification]:
        """Send everything due at ``now``; the notifications queued (``run`` also names the
        rules that failed)."""
        return self.run(now).queued

    def run(self, now: datetime, still_leased: Callable[[], bool] | None = None) -> SweepResult:
        """Run every rule due at ``now``, each on its own, whatever the others do.

        ``still_leased``, asked before each rule, says whether the replica running it still
        holds the sweep lease; when it answers False another replica may be sweeping, and
        this sweep stops."""
        result = SweepResult([], [])
        for rule in plan(self.community, self.calendar, now, self.registry):
            if still_leased is not None and not still_leased():
                log.warning("nudge sweep stopped before %s: the lease was lost", rule_name(rule))
                break
            try:
                with self.db.transaction() as session:
                    queued = self._run(session, now, [rule])
            # One rule's failure must not cost the others theirs: it is rolled back, logged,
            # counted and named in the result.
            except Exception as error:  # noqa: BLE001
                self._failures.record(f"sweep rule {rule_name(rule)}", error)
                metrics.SWEEP_RULE_FAILURES.labels(nudge_of(rule)).inc()
                result.failed.append(rule_name(rule))
                continue
            result.queued.extend(queued)
        return result

    def dry_run(self, now: datetime) -> list[Notification]:
        """What a sweep at ``now`` would send, in one transaction that is rolled back."""
        with Session(self.db.engine) as session:
            queued = self._run(
                session, now, plan(self.community, self.calendar, now, self.registry)
            )
            session.rollback()
        return queued

    def _run(self, session: Session, now: datetime, rules: list[Rule]) -> list[Notification]:
        ledger = SqlNudgeLedger(session, lambda: now, self.platforms, self.admin_platforms)
        community = current(self.community, ledger.agency_changes())
        sweep = NudgeSweep(community, self.calendar, ledger, self.registry)
        for rule in rules:
            sweep.run(rule)
        return ledger.queued


def rule_name(rule: Rule) -> str:
    """The rule's nudge kind, with what tells it from the other rules of that kind."""
    if isinstance(rule, MeetingRule):
        return f"{rule.kind}:{rule.reminder.id}"
    if isinstance(rule, RenewalRule):
        return f"{rule.kind}:{rule.training_id}:stage {rule.stage}"
    if isinstance(rule, RequestRule):
        return f"{rule.request_kind}.{rule.nudge}:{rule.state}:stage {rule.stage}"
    return f"{rule.kind}:stage {rule.stage}"


def nudge_of(rule: Rule) -> str:
    """The nudge a rule sends, as /metrics labels its failures."""
    return f"{rule.request_kind}.{rule.nudge}" if isinstance(rule, RequestRule) else rule.kind
