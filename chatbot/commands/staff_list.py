"""Reading the HMIS staff list for ``hmis-bot import users``: the columns ``imports.users``
names, each row's agency, access role and status mapped to this community's ids. What the rows
change is decided in ``flows.imports.staff``."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from chatbot.commands.csv_reports import (
    NAME_LENGTH,
    Columns,
    Moments,
    Problems,
    choices,
    read_email,
)
from chatbot.commands.logins import CLOCK_SKEW
from flows.community import Community
from flows.imports.policy import StaffList
from flows.imports.staff import StaffRow

KEY = "imports.users"


@dataclass
class StaffListRead:
    rows: list[StaffRow] = field(default_factory=list)
    listed: set[str] = field(default_factory=set)
    """Every e-mail on the list, also on rows skipped as bad."""
    problems: Problems = field(default_factory=Problems)
    read: int = 0
    """Rows read."""
    has_logins: bool = True
    """Whether the list has the last-login column."""


class _Names:
    """A community's agencies or access roles by name, id or the list's own spelling."""

    def __init__(self, known: Iterable[tuple[str, str]], spellings: Mapping[str, str]) -> None:
        pairs = list(known)
        self.names = {name for _, name in pairs}
        self._ids: dict[str, str] = {}
        for item_id, name in pairs:
            self._ids[item_id.lower()] = item_id
            self._ids[name.lower()] = item_id
        self._ids |= {spelling.strip().lower(): item_id for spelling, item_id in spellings.items()}

    def id_of(self, text: str) -> str | None:
        return self._ids.get(text.lower())


class StaffListReader:
    def __init__(
        self, columns: StaffList, community: Community, timezone: ZoneInfo, now: datetime
    ) -> None:
        self._columns = columns
        self._moments = Moments(columns.date_formats, timezone)
        self._latest = now + CLOCK_SKEW
        self._agencies = _Names(((a.id, a.name) for a in community.agencies), columns.agencies)
        self._roles = _Names(((r.id, r.name) for r in community.access_roles), columns.access_roles)
        self._statuses = {value.lower(): status for value, status in columns.statuses.items()}

    def read(
        self, lines: Iterable[str], progress: Callable[[int], None] = lambda line: None
    ) -> StaffListRead:
        columns = self._find_columns(lines)
        report = StaffListRead(has_logins=columns.has("last_login"))
        for line, values in columns:
            report.read += 1
            self._read_row(report, line, values)
            progress(line)
        return report

    def _find_columns(self, lines: Iterable[str]) -> Columns:
        c = self._columns
        wanted = {f"name.{i}": name for i, name in enumerate(c.name)} | {
            "email": c.email,
            "agency": c.agency,
            "access_role": c.access_role,
            "status": c.status,
            "last_login": c.last_login,
            "username": c.username,
        }
        return Columns(lines, wanted, KEY, optional=("last_login", "username"))

    def _read_row(self, report: StaffListRead, line: int, values: dict[str, str]) -> None:
        email, email_problem = read_email(values["email"], self._columns.email)
        if email:
            report.listed.add(email)
        name = " ".join(v for k, v in values.items() if k.startswith("name.") and v)
        agency_id, role_id = self._agency(values["agency"]), self._role(values["access_role"])
        status = self._statuses.get(values["status"].lower())
        login, login_problem = self._login(values["last_login"])
        why = [
            email_problem,
            self._name_problem(name),
            "" if agency_id else self._unknown_agency(values["agency"]),
            "" if role_id else self._unknown_role(values["access_role"]),
            "" if status else self._unknown_status(values["status"]),
            login_problem,
        ]
        if any(why) or agency_id is None or role_id is None or status is None:
            report.problems.add(line, why, values["username"] or email)
            return
        report.rows.append(StaffRow(line, email, name, agency_id, role_id, status, login))

    def _agency(self, text: str) -> str | None:
        return self._agencies.id_of(text)

    def _role(self, text: str) -> str | None:
        return self._roles.id_of(text)

    def _name_problem(self, name: str) -> str:
        columns = " and ".join(f"'{n}'" for n in self._columns.name)
        if not name:
            return f"no name in {columns}"
        if len(name) > NAME_LENGTH:
            return f"the name in {columns} is longer than {NAME_LENGTH} characters"
        return ""

    def _unknown_agency(self, text: str) -> str:
        if not text:
            return f"no agency in column '{self._columns.agency}'"
        return (
            f"agency '{text}' is not one of this community's ({choices(self._agencies.names)}); "
            f"map it under {KEY}.agencies"
        )

    def _unknown_role(self, text: str) -> str:
        if not text:
            return f"no access role in column '{self._columns.access_role}'"
        return (
            f"access role '{text}' is not one of this community's "
            f"({choices(self._roles.names)}); map it under {KEY}.access_roles"
        )

    def _unknown_status(self, text: str) -> str:
        if not text:
            return f"no status in column '{self._columns.status}'"
        return (
            f"status '{text}' is not one of {choices(self._columns.statuses)}; map it under "
            f"{KEY}.statuses"
        )

    def _login(self, text: str) -> tuple[datetime | None, str]:
        if not text:
            return None, ""
        moment = self._moments.parse(text)
        if moment is None:
            expected = "; ".join(("ISO 8601", *self._columns.date_formats))
            return None, f"last login '{text}' is not a date and time (expected {expected})"
        if moment > self._latest:
            return None, f"last login {text} is in the future"
        return moment, ""
