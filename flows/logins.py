"""What a login report does: last logins move forward, warned accounts become active again,
a first login completes the request that created the account, and an inactivity announcement
says the person logged in again. The CSV reading is the application's
(``chatbot.commands.logins``); these decisions are the domain's."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from flows.accounts import LoginChange
from flows.calendar import BusinessCalendar
from flows.community import Community
from flows.kit.machine import Machine
from flows.kit.registry import Registry
from flows.model import AuditEvent, Subject
from flows.nudges.inactivity import announcements
from flows.nudges.ports import NudgeLedger

LOGIN_IMPORTER = "login-import"  # who completes a request when a login report shows it


@dataclass(frozen=True)
class LoginsRecorded:
    known: int
    """E-mails with an account the bot tracks (the others are left alone)."""
    updated: int


def record_logins(
    ledger: NudgeLedger,
    community: Community,
    calendar: BusinessCalendar,
    registry: Registry,
    latest: Mapping[str, datetime],
) -> LoginsRecorded:
    """Move last logins forward; audit status changes and tell the kinds and announcements."""
    changes, known = ledger.record_logins(latest)
    for change in changes:
        if change.after.status != change.before.status:
            _status_changed(ledger, community, calendar, registry, change)
    ledger.audit(
        AuditEvent(
            None,
            "account.import_logins",
            "ok",
            None,
            {"rows": str(len(latest)), "updated": str(len(changes))},
        )
    )
    return LoginsRecorded(known, len(changes))


def _status_changed(
    ledger: NudgeLedger,
    community: Community,
    calendar: BusinessCalendar,
    registry: Registry,
    change: LoginChange,
) -> None:
    before, after = change.before, change.after
    ledger.audit(
        AuditEvent(
            None,
            "account.login_imported",
            "ok",
            Subject.account(after.id),
            {"from": before.status, "to": after.status},
        )
    )
    if change.first_login:
        for kind in registry:
            kind.after_first_login(
                Machine(kind, community, calendar, ledger, registry), after.email, LOGIN_IMPORTER
            )
    if change.ends_disabling and before.last_login_at is not None:
        stamp = int(after.last_login_at.timestamp()) if after.last_login_at else 0
        ledger.notify_many(
            announcements(community, after, before.last_login_at, cause=f"login.{stamp}")
        )
