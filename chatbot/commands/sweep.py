"""``hmis-bot sweep`` and ``hmis-bot import logins``: the operator's side of the nudges."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from chatbot.commands.errors import require_current_schema
from chatbot.commands.logins import LoginImport, LoginReportError, read_logins
from chatbot.commands.subjects import Subjects
from chatbot.community_calendar import business_calendar
from chatbot.policy import load_community
from chatbot.runtime import admin_channel_platforms
from chatbot.scheduling.sweeper import Sweeper, SweepResult
from chatbot.settings import Settings
from chatbot.storage.database import Database
from chatbot.storage.nudge_ledger import SqlNudgeLedger
from chatbot.web.teams import teams_registration
from flows.calendar import BusinessCalendar
from flows.community import Community
from flows.kinds import default_registry
from flows.logins import record_logins
from flows.model import REQUEST_SUBJECT, Notification, Platform
from flows.nudges.inactivity import INACTIVITY_SUBJECT


def delivering_platforms(
    settings: Settings, community: Community
) -> tuple[list[Platform], frozenset[Platform]]:
    """The chat platforms ``hmis-bot serve`` turns on with these settings, and those of them
    that post to the admins."""
    on = []
    if settings.slack_credentials() is not None:
        on.append(Platform.SLACK)
    if teams_registration(settings) is not None:
        on.append(Platform.TEAMS)
    return on, admin_channel_platforms(community, on)


def parse_now(text: str, timezone: ZoneInfo) -> datetime:
    """An ISO 8601 moment; without an offset it is community-local time."""
    moment = datetime.fromisoformat(text)
    return (moment if moment.tzinfo else moment.replace(tzinfo=timezone)).astimezone(UTC)


def run_sweep(
    settings: Settings, now_text: str | None, *, dry_run: bool, out: TextIO, err: TextIO
) -> int:
    community = load_community(settings.policy_path)
    calendar = business_calendar(community)
    try:
        now = parse_now(now_text, calendar.timezone) if now_text else datetime.now(UTC)
    except ValueError:
        err.write(f"--now: '{now_text}' is not an ISO 8601 moment such as 2026-12-01T09:00\n")
        return 2
    platforms, admin_platforms = delivering_platforms(settings, community)
    if not platforms and not dry_run:
        err.write(
            "no chat platform is configured (SLACK_BOT_TOKEN with SLACK_SIGNING_SECRET or "
            "SLACK_APP_TOKEN, or "
            "MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD), so nothing could be delivered; "
            "use --dry-run to preview\n"
        )
        return 2
    db = Database(settings.database_url)
    try:
        require_current_schema(db.engine, settings.database_url)
        sweeper = Sweeper(db, community, calendar, default_registry(), platforms, admin_platforms)
        result = SweepResult(sweeper.dry_run(now), []) if dry_run else sweeper.run(now)
        with db.transaction() as session:
            subjects = Subjects(session, community)
            _print_sweep(out, subjects, calendar, now, result.queued, dry_run=dry_run)
    finally:
        db.dispose()
    if result.failed:
        err.write(
            f"{len(result.failed)} sweep rules failed (the others ran; see the log above): "
            f"{', '.join(result.failed)}\n"
        )
        return 1
    return 0


def _print_sweep(
    out: TextIO,
    subjects: Subjects,
    calendar: BusinessCalendar,
    now: datetime,
    queued: list[Notification],
    *,
    dry_run: bool,
) -> None:
    def local(moment: datetime) -> str:
        return calendar.local(moment).strftime("%Y-%m-%d %H:%M %Z")

    verb = "would queue" if dry_run else "queued"
    out.write(f"sweep at {local(now)} {verb} {_messages(len(queued))}\n")
    for notification in queued:
        when = local(notification.not_before or now)
        to = subjects.person(notification.recipient_email)
        out.write(f"  {when}  {_what(subjects, notification)} to {to}\n")


def _messages(count: int) -> str:
    return f"{count} message" if count == 1 else f"{count} messages"


def _what(subjects: Subjects, notification: Notification) -> str:
    """What a person would call the message: a nudge by its title, a live card by whom or
    which request it is about."""
    if notification.card is not None:
        return f'"{notification.card.title}"'
    kind, subject_id = notification.subject_kind, notification.subject_id
    if kind == INACTIVITY_SUBJECT:
        return f"inactivity announcement for {subjects.announced_account(subject_id)}"
    if kind == REQUEST_SUBJECT:
        return f"card of {subjects.subject(kind, subject_id)}"
    return f"{kind} card {subject_id}"


def run_login_import(settings: Settings, path: Path, out: TextIO, err: TextIO) -> int:
    community = load_community(settings.policy_path)
    calendar = business_calendar(community)
    platforms, admin_platforms = delivering_platforms(settings, community)
    db = Database(settings.database_url)
    try:
        require_current_schema(db.engine, settings.database_url)
        with path.open(newline="", encoding="utf-8-sig") as file:
            report = read_logins(
                file, community.imports.logins, calendar.timezone, datetime.now(UTC)
            )
        with db.transaction() as session:
            ledger = SqlNudgeLedger(session, lambda: datetime.now(UTC), platforms, admin_platforms)
            recorded = record_logins(ledger, community, calendar, default_registry(), report.latest)
        report.known, report.updated = recorded.known, recorded.updated
    except (LoginReportError, OSError, UnicodeDecodeError) as error:
        err.write(f"{path}: {error}\n")
        return 2
    finally:
        db.dispose()
    _print_import(out, err, path, report)
    return 0


def _print_import(out: TextIO, err: TextIO, path: Path, report: LoginImport) -> None:
    out.write(
        f"{path}: {len(report.latest)} people with a login date, {report.known} with an account "
        f"here, {report.updated} updated; {report.no_login} rows without a login date\n"
    )
    if report.problems:
        err.write(f"{len(report.problems)} bad rows skipped:\n")
        err.writelines(f"  {problem}\n" for problem in report.problems)
