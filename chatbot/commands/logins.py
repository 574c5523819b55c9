"""``hmis-bot import logins FILE.csv``: last HMIS logins from a login report export.

Only the e-mail and last-login columns the community file names are read; every other column
is ignored, and nothing but the last-login moment is stored. A bad row is reported with its
line number and skipped; the rest are imported. A login newer than the one on record makes a
warned account (or one waiting to be disabled) active again.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from flows.nudges.policy import LoginReport

CLOCK_SKEW = timedelta(days=1)  # a report stamped in another time zone is not "in the future"


class LoginReportError(Exception):
    """The file cannot be read as a login report at all; nothing was imported."""


@dataclass
class LoginImport:
    latest: dict[str, datetime] = field(default_factory=dict)
    """Each e-mail's latest login in the report."""
    problems: list[str] = field(default_factory=list)
    """Bad rows, skipped: ``line N: why``."""
    no_login: int = 0
    """Rows with an empty last-login cell (never logged in)."""
    known: int = 0
    """E-mails with an account the bot tracks (the others are left alone)."""
    updated: int = 0


def read_logins(
    lines: Iterable[str], columns: LoginReport, timezone: ZoneInfo, now: datetime
) -> LoginImport:
    reader = csv.DictReader(lines)
    email_column, login_column = _find_columns(reader.fieldnames or (), columns)
    report = LoginImport()
    try:
        for row in reader:
            email = str(row.get(email_column) or "").strip().lower()
            text = str(row.get(login_column) or "").strip()
            problem = _read_row(report, email, text, columns=columns, timezone=timezone, now=now)
            if problem:
                report.problems.append(f"line {reader.line_num}: {problem}")
    except csv.Error as error:
        raise LoginReportError(f"line {reader.line_num}: not readable as CSV ({error})") from None
    return report


def _find_columns(headers: Sequence[str], columns: LoginReport) -> tuple[str, str]:
    """The report's own spelling of the two columns (matched ignoring case and spaces)."""
    by_name = {header.strip().lower(): header for header in headers}
    found = [by_name.get(name.strip().lower()) for name in (columns.email, columns.last_login)]
    if found[0] is None or found[1] is None:
        raise LoginReportError(
            f"the report needs the columns '{columns.email}' and '{columns.last_login}' but has "
            f"{', '.join(repr(h) for h in headers) or 'none'}; name yours under "
            "imports.logins in the community file"
        )
    return found[0], found[1]


def _read_row(
    report: LoginImport,
    email: str,
    text: str,
    *,
    columns: LoginReport,
    timezone: ZoneInfo,
    now: datetime,
) -> str | None:
    """Record the row's login; what is wrong with the row, if anything."""
    if "@" not in email or any(c.isspace() for c in email):
        return f"no e-mail address in column '{columns.email}'"
    if not text:
        report.no_login += 1
        return None
    moment = parse_moment(text, columns.date_formats, timezone)
    if moment is None:
        expected = "; ".join(("ISO 8601", *columns.date_formats))
        return f"'{text}' is not a date and time (expected {expected})"
    if moment > now + CLOCK_SKEW:
        return f"{text} is in the future"
    report.latest[email] = max(moment, report.latest.get(email, moment))
    return None


def parse_moment(text: str, formats: Sequence[str], timezone: ZoneInfo) -> datetime | None:
    """ISO 8601, or one of ``formats`` (strptime); a time without an offset is in ``timezone``."""
    parsers: list[Callable[[str], datetime]] = [
        datetime.fromisoformat,
        *(partial(_strptime, layout=f) for f in formats),
    ]
    for parse in parsers:
        try:
            moment = parse(text)
        except ValueError:
            continue
        return (moment if moment.tzinfo else moment.replace(tzinfo=timezone)).astimezone(UTC)
    return None


def _strptime(text: str, layout: str) -> datetime:
    return datetime.strptime(text, layout)  # noqa: DTZ007 - the caller applies the time zone
