"""``hmis-bot import users`` and ``hmis-bot import trainings``: the HMIS staff list and the LMS's
completions, read here, decided in ``flows.imports``, written in one transaction.

Unknown columns are ignored; a bad row is reported with its line number and skipped, and the
good rows are imported. ``--dry-run`` runs the whole import, prints what it would change and
rolls it back. On a terminal a large file shows a progress bar on standard error.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Generic, TextIO, TypeVar

from chatbot.commands.csv_reports import ReportError, count_lines
from chatbot.commands.errors import require_current_schema
from chatbot.commands.progress import ProgressBar, shows_progress
from chatbot.commands.staff_list import StaffListRead, StaffListReader
from chatbot.commands.sweep import delivering_platforms
from chatbot.commands.training_list import TrainingListRead, TrainingListReader
from chatbot.community_calendar import business_calendar
from chatbot.policy import load_community
from chatbot.settings import Settings
from chatbot.storage.database import Database
from chatbot.storage.import_ledger import SqlImportLedger
from flows.accounts import AccountStatus, HmisAccount
from flows.calendar import BusinessCalendar
from flows.community import Community
from flows.directory import current
from flows.imports.ports import AccountUpdate
from flows.imports.staff import StaffImported, import_staff
from flows.imports.trainings import TrainingsImported, import_trainings
from flows.kinds import default_registry

T = TypeVar("T")
LISTED = 50
"""Accounts listed by name under each heading (missing, still closed) before "and N more"."""
STATUS_WORDS = {
    AccountStatus.PENDING_FIRST_LOGIN: "waiting for a first login",
    AccountStatus.ACTIVE: "active",
    AccountStatus.WARNED: "warned about inactivity",
    AccountStatus.DISABLE_DUE: "waiting to be disabled",
    AccountStatus.DISABLED: "disabled",
    AccountStatus.DEACTIVATED: "deactivated",
}


class _RollBackError(Exception, Generic[T]):
    """Ends a dry run's transaction with a rollback, carrying what it would have done."""

    def __init__(self, result: T) -> None:
        super().__init__("dry run")
        self.result = result


@dataclass(frozen=True)
class _Run:
    """One import's setting: the community (as the file has it), its calendar, the database."""

    settings: Settings
    path: Path
    community: Community
    calendar: BusinessCalendar
    db: Database
    err: TextIO

    def progress(self, label: str, total: int) -> ProgressBar:
        return ProgressBar(self.err, label, total, shown=shows_progress(self.err, total))

    def read(self, read: Callable[[Iterator[str], Callable[[int], None]], T]) -> T:
        bar = self.progress(f"reading {self.path.name}", count_lines(self.path))
        with self.path.open(newline="", encoding="utf-8-sig") as file:
            result = read(file, bar.update)
        bar.close()
        return result

    def write(self, dry_run: bool, work: Callable[[SqlImportLedger, Community], T]) -> T:
        """``work`` in one transaction, committed, or rolled back on a dry run."""
        platforms, admin_platforms = delivering_platforms(self.settings, self.community)
        try:
            with self.db.transaction() as session:
                ledger = SqlImportLedger(
                    session, lambda: datetime.now(UTC), platforms, admin_platforms
                )
                result = work(ledger, current(self.community, ledger.agency_changes()))
                if dry_run:
                    raise _RollBackError(result)
        except _RollBackError as rolled_back:
            return rolled_back.result  # type: ignore[no-any-return]
        return result


@contextmanager
def _import(settings: Settings, path: Path, err: TextIO) -> Iterator[_Run]:
    community = load_community(settings.policy_path)
    db = Database(settings.database_url)
    try:
        require_current_schema(db.engine, settings.database_url)
        yield _Run(settings, path, community, business_calendar(community), db, err)
    finally:
        db.dispose()


def _refused(path: Path, err: TextIO, error: Exception) -> int:
    err.write(f"{path}: {error}\n")
    return 2


# import users ------------------------------------------------------------------------------


def run_user_import(
    settings: Settings, path: Path, *, dry_run: bool, out: TextIO, err: TextIO
) -> int:
    try:
        with _import(settings, path, err) as run:
            reader = StaffListReader(
                run.community.imports.users, run.community, run.calendar.timezone, _now()
            )
            staff = run.read(reader.read)
            saving = run.progress("saving accounts", len(staff.rows))
            imported = run.write(
                dry_run,
                lambda ledger, community: import_staff(
                    ledger,
                    community,
                    run.calendar,
                    default_registry(),
                    rows=staff.rows,
                    listed=staff.listed,
                    progress=saving.update,
                ),
            )
            saving.close()
    except (ReportError, OSError, UnicodeDecodeError) as error:
        return _refused(path, err, error)
    StaffReport(run.community, out, dry_run=dry_run).print(path, staff, imported)
    _print_problems(err, [*staff.problems.sorted(), *_plan_problems(imported)])
    return 0


def _plan_problems(imported: StaffImported) -> list[str]:
    return [f"line {line}: {why}" for line, why in imported.plan.problems]


@dataclass(frozen=True)
class StaffReport:
    community: Community
    out: TextIO
    dry_run: bool

    def print(self, path: Path, staff: StaffListRead, imported: StaffImported) -> None:
        plan = imported.plan
        added = "would be added" if self.dry_run else "added"
        heading = f"{path} (dry run: nothing was saved)" if self.dry_run else f"{path}"
        rows, accounts = count(staff.read, "row"), count(imported.created, "account")
        logins = count(imported.logins, "last login")
        self.out.write(
            f"{heading}: {rows} read; {accounts} {added}, {imported.updated} updated, {logins} "
            f"moved forward, {plan.unchanged} unchanged; {plan.not_added} not added (disabled or "
            f"deactivated in HMIS, never held here); {len(plan.vanished)} missing from the list\n"
        )
        if not staff.has_logins:
            column = self.community.imports.users.last_login
            self.out.write(f"  no '{column}' column: last logins were left alone\n")
        if imported.changed_meanwhile:
            self.out.write(
                f"  {count(imported.changed_meanwhile, 'account')} changed while the import ran "
                "and were left alone; run it again\n"
            )
        if self.dry_run:
            self._changes(imported)
        self._accounts(
            "Missing from the list, kept as they are (deactivate anyone who left):",
            plan.vanished,
        )
        self._accounts(
            "Active in HMIS but closed here, kept as they are (reinstating someone is a "
            "request of its own):",
            plan.still_closed,
        )

    def _changes(self, imported: StaffImported) -> None:
        for created in imported.plan.creates:
            self.out.write(
                f"  add     {created.name} <{created.email}>: {self._agency(created.agency_id)}, "
                f"{self._role(created.access_role_id)}, {STATUS_WORDS[created.status]}\n"
            )
        for update in imported.plan.updates:
            after = update.after
            self.out.write(f"  update  {after.name} <{after.email}>: {self._changed(update)}\n")

    def _changed(self, update: AccountUpdate) -> str:
        before, after = update.before, update.after
        pairs = (
            ("name", before.name, after.name),
            ("agency", self._agency(before.agency_id), self._agency(after.agency_id)),
            ("access role", self._role(before.access_role_id), self._role(after.access_role_id)),
            ("status", STATUS_WORDS[before.status], STATUS_WORDS[after.status]),
        )
        return ", ".join(f"{what} {old} → {new}" for what, old, new in pairs if old != new)

    def _accounts(self, heading: str, accounts: list[HmisAccount]) -> None:
        if not accounts:
            return
        self.out.write(f"{heading}\n")
        for account in accounts[:LISTED]:
            self.out.write(
                f"  {account.name} <{account.email}>, {self._agency(account.agency_id)}, "
                f"{STATUS_WORDS[account.status]}\n"
            )
        if len(accounts) > LISTED:
            self.out.write(f"  and {len(accounts) - LISTED} more\n")

    def _agency(self, agency_id: str) -> str:
        agency = self.community.agency(agency_id)
        return agency.name if agency else agency_id

    def _role(self, role_id: str) -> str:
        role = self.community.access_role(role_id)
        return role.name if role else role_id


# import trainings --------------------------------------------------------------------------


def run_training_import(
    settings: Settings, path: Path, *, dry_run: bool, out: TextIO, err: TextIO
) -> int:
    try:
        with _import(settings, path, err) as run:
            reader = TrainingListReader(
                run.community.imports.trainings, run.community, run.calendar.timezone, _now()
            )
            report = run.read(reader.read)
            imported = run.write(
                dry_run,
                lambda ledger, community: import_trainings(
                    ledger, community, run.calendar, default_registry(), report.completions
                ),
            )
    except (ReportError, OSError, UnicodeDecodeError) as error:
        return _refused(path, err, error)
    _print_trainings(out, run, report, imported, dry_run=dry_run)
    _print_problems(err, report.problems.sorted())
    return 0


def _print_trainings(
    out: TextIO,
    run: _Run,
    report: TrainingListRead,
    imported: TrainingsImported,
    *,
    dry_run: bool,
) -> None:
    heading = f"{run.path} (dry run: nothing was saved)" if dry_run else f"{run.path}"
    verb = "would be recorded" if dry_run else "recorded"
    completions = count(len(report.latest), "completion")
    out.write(
        f"{heading}: {count(report.read, 'row')} read; {completions} of trainings tracked here, "
        f"{len(imported.recorded)} {verb} (new or later than the one on record); "
        f"{imported.reported} counted on open requests, {count(imported.moved_on, 'request')} "
        f"moved on; {count(report.not_completed, 'row')} without a completion date\n"
    )
    if report.other_courses:
        courses = ", ".join(f"{c} ({n})" for c, n in report.other_courses.most_common(5))
        more = ", ..." if len(report.other_courses) > 5 else ""
        out.write(
            f"  {count(report.other_courses.total(), 'row')} of courses not tracked here, left "
            f"alone: {courses}{more}\n"
        )
    if dry_run:
        for completion in imported.recorded:
            training = run.community.training(completion.training_id)
            out.write(
                f"  record  {completion.email}: "
                f"{training.name if training else completion.training_id}, completed "
                f"{run.calendar.when(completion.completed_at)}\n"
            )


def _print_problems(err: TextIO, problems: list[str]) -> None:
    if problems:
        err.write(f"{count(len(problems), 'bad row')} skipped:\n")
        err.writelines(f"  {problem}\n" for problem in sorted(problems, key=_line))
    err.flush()


def _line(problem: str) -> int:
    number = problem.removeprefix("line ").split(" ", 1)[0].rstrip(":")
    return int(number) if number.isdigit() else 0


def count(number: int, noun: str) -> str:
    """``1 row``, ``2 rows``."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _now() -> datetime:
    return datetime.now(UTC)
