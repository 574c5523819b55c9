"""Runs a sweep: every rule the plan lists for this moment, each in its own transaction, so a
long sweep holds no lock for long and a failure loses one rule's work, not all of it."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from chatbot.storage.database import Database
from chatbot.storage.nudge_ledger import SqlNudgeLedger
from flows.calendar import BusinessCalendar
from flows.community import Community
from flows.directory import current
from flows.kit.registry import Registry
from flows.model import Notification, Platform
from flows.nudges.plan import plan
from flows.nudges.rules import Rule
from flows.nudges.sweep import NudgeSweep


@dataclass
class Sweeper:
    db: Database
    community: Community
    calendar: BusinessCalendar
    registry: Registry
    platforms: Sequence[Platform]
    admin_platforms: Collection[Platform] | None = None

    def sweep(self, now: datetime) -> list[Notification]:
        """Send everything due at ``now``; the notifications queued."""
        queued: list[Notification] = []
        for rule in plan(self.community, self.calendar, now, self.registry):
            with self.db.transaction() as session:
                queued += self._run(session, now, [rule])
        return queued

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
