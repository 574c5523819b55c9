"""What the HMIS staff list does (``hmis-bot import users``): accounts the bot does not hold
are created, those it holds take the list's name, agency, access role and status, last logins
move forward under the login report's rules, and accounts missing from the list are reported,
never deleted.

Statuses follow the account's life here: the list can close an account (disabled or
deactivated in HMIS) but not open a closed one again, because reinstatement is a request of its
own; such accounts are reported instead. The bot's own inactivity states (warned, waiting to be
disabled) are kept while HMIS shows the account active. People the list shows as disabled or
deactivated whom the bot never held are not added: there is nothing to track.

Only staff metadata is kept: name, work e-mail, agency, access role, status, last login. The
username in the list is read to name a row, never stored.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from flows.accounts import AccountStatus, HmisAccount, login_change
from flows.calendar import BusinessCalendar
from flows.community import Community
from flows.imports.policy import StaffStatus
from flows.imports.ports import AccountUpdate, ImportLedger, ListedAccount
from flows.kit.registry import Registry
from flows.logins import record_logins
from flows.model import AuditEvent, Notification, Subject
from flows.nudges.inactivity import announcements

STAFF_IMPORTER = "staff-import"
"""Who changes an account when the staff list shows it changed in HMIS."""
WRITE_CHUNK = 1_000
"""Accounts written per statement, so a progress bar moves on a large list."""

Progress = Callable[[int, int], None]
"""Told (done, total) as accounts are written."""
CLOSED = (AccountStatus.DISABLED, AccountStatus.DEACTIVATED)


@dataclass(frozen=True)
class StaffRow:
    """A good row of the staff list, mapped to this community's ids."""

    line: int
    email: str
    name: str
    agency_id: str
    access_role_id: str
    status: StaffStatus
    last_login: datetime | None


@dataclass
class StaffPlan:
    creates: list[ListedAccount] = field(default_factory=list)
    updates: list[AccountUpdate] = field(default_factory=list)
    logins: dict[str, datetime] = field(default_factory=dict)
    """The list's last login of each account the bot held already, where it is newer than the
    one on record (the login report's rules then decide what it does)."""
    vanished: list[HmisAccount] = field(default_factory=list)
    """Accounts someone holds here that the list does not show: reported, not deleted."""
    still_closed: list[HmisAccount] = field(default_factory=list)
    """Disabled or deactivated here, active in HMIS: reinstatement is a request."""
    not_added: int = 0
    """People the list shows as disabled or deactivated whom the bot never held."""
    unchanged: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)
    """Rows skipped: (line, why)."""


def plan_staff(
    rows: Sequence[StaffRow],
    listed: Collection[str],
    accounts: Sequence[HmisAccount],
    now: datetime,
) -> StaffPlan:
    """What the list changes. ``listed`` holds every e-mail on the list, including those on
    rows skipped as bad, so that a bad row does not make its account look vanished."""
    by_email = {account.email: account for account in accounts}
    plan = StaffPlan()
    first_line: dict[str, int] = {}
    for row in rows:
        if row.email in first_line:
            plan.problems.append(
                (row.line, f"{row.email} is also on line {first_line[row.email]}; skipped")
            )
            continue
        first_line[row.email] = row.line
        account = by_email.get(row.email)
        if account is None:
            _add(plan, row)
        else:
            _compare(plan, account, row, now)
    plan.vanished = sorted(
        (a for a in accounts if a.is_held and a.email not in listed and a.email not in first_line),
        key=lambda a: (a.agency_id, a.name, a.email),
    )
    return plan


def _add(plan: StaffPlan, row: StaffRow) -> None:
    if row.status is not StaffStatus.ACTIVE:
        plan.not_added += 1
        return
    status = AccountStatus.ACTIVE if row.last_login else AccountStatus.PENDING_FIRST_LOGIN
    plan.creates.append(
        ListedAccount(
            row.email, row.name, row.agency_id, row.access_role_id, status, row.last_login
        )
    )


def _compare(plan: StaffPlan, account: HmisAccount, row: StaffRow, now: datetime) -> None:
    if row.last_login is not None and login_change(account, row.last_login) is not None:
        plan.logins[row.email] = row.last_login
    if row.status is StaffStatus.ACTIVE and account.status in CLOSED:
        plan.still_closed.append(account)
    after = replace(
        account,
        name=row.name,
        agency_id=row.agency_id,
        access_role_id=row.access_role_id,
        status=status_after(account.status, row.status),
    )
    if after == account:
        plan.unchanged += 1
        return
    if after.status != account.status and after.status in CLOSED:
        after = replace(after, disabled_by=STAFF_IMPORTER, disabled_at=now)
    plan.updates.append(AccountUpdate(account, replace(after, version=account.version + 1)))


def status_after(current: AccountStatus, listed: StaffStatus) -> AccountStatus:
    """The account's status once the list shows ``listed``: the list closes accounts, never
    opens a closed one, and leaves the bot's inactivity states to the login rules."""
    if listed is StaffStatus.DEACTIVATED:
        return AccountStatus.DEACTIVATED
    if listed is StaffStatus.DISABLED:
        return current if current is AccountStatus.DEACTIVATED else AccountStatus.DISABLED
    return current


# Applying a plan ---------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffImported:
    plan: StaffPlan
    created: int
    updated: int
    logins: int
    """Accounts whose last login moved forward."""
    changed_meanwhile: int
    """Updates left alone because the account changed while the import ran."""


def import_staff(
    ledger: ImportLedger,
    community: Community,
    calendar: BusinessCalendar,
    registry: Registry,
    *,
    rows: Sequence[StaffRow],
    listed: Collection[str],
    progress: Progress = lambda done, total: None,
) -> StaffImported:
    """Plan against every account the bot has, then write it: accounts added and updated
    (each audited), last logins through the login report's rules, and the inactivity
    announcement of an account the list shows closed updated so its button goes."""
    plan = plan_staff(rows, listed, ledger.accounts_for_import(), ledger.now())
    created, updated = _write(ledger, plan, progress)
    ledger.audit_many(
        [_created_event(account) for account in created]
        + [_updated_event(update) for update in updated]
    )
    ledger.notify_many([n for update in updated for n in _announcements(community, update)])
    logins = record_logins(ledger, community, calendar, registry, plan.logins)
    imported = StaffImported(
        plan, len(created), len(updated), logins.updated, len(plan.updates) - len(updated)
    )
    ledger.audit(_summary_event(imported, len(rows)))
    return imported


def _write(
    ledger: ImportLedger, plan: StaffPlan, progress: Progress
) -> tuple[list[HmisAccount], list[AccountUpdate]]:
    """The accounts added and the updates written, a chunk at a time."""
    total = len(plan.creates) + len(plan.updates)
    created: list[HmisAccount] = []
    for start in range(0, len(plan.creates), WRITE_CHUNK):
        created += ledger.create_accounts(plan.creates[start : start + WRITE_CHUNK])
        progress(len(created), total)
    updated: list[AccountUpdate] = []
    for start in range(0, len(plan.updates), WRITE_CHUNK):
        updated += ledger.update_accounts(plan.updates[start : start + WRITE_CHUNK])
        progress(len(created) + len(updated), total)
    return created, updated


def _summary_event(imported: StaffImported, rows: int) -> AuditEvent:
    counts = {
        "rows": rows,
        "created": imported.created,
        "updated": imported.updated,
        "vanished": len(imported.plan.vanished),
    }
    return AuditEvent(
        None, "account.import_users", "ok", None, {k: str(v) for k, v in counts.items()}
    )


def _created_event(account: HmisAccount) -> AuditEvent:
    return AuditEvent(
        None,
        "account.imported",
        "ok",
        Subject.account(account.id),
        {
            "by": STAFF_IMPORTER,
            "change": "created",
            "agency": account.agency_id,
            "access_role": account.access_role_id,
            "status": account.status,
        },
    )


def _updated_event(update: AccountUpdate) -> AuditEvent:
    details: Mapping[str, str] = {"by": STAFF_IMPORTER, "change": "updated"} | update.changes()
    return AuditEvent(
        None, "account.imported", "ok", Subject.account(update.after.id), dict(details)
    )


def _announcements(community: Community, update: AccountUpdate) -> list[Notification]:
    """An account waiting to be disabled that the list shows closed: its live announcement
    drops the "Disabled in HMIS" button for everyone."""
    before, after = update.before, update.after
    if before.status is not AccountStatus.DISABLE_DUE or before.last_login_at is None:
        return []
    if after.status not in CLOSED:
        return []
    return announcements(community, after, before.last_login_at, cause=STAFF_IMPORTER)
