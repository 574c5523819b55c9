"""``hmis-bot import users`` and ``hmis-bot import trainings`` as an operator runs them: separate
processes over generated exports of 20,000 rows with bad rows mixed in, on SQLite and
PostgreSQL; a progress bar on a pseudo-terminal."""

from __future__ import annotations

import io
import os
import pty
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from chatbot.commands.csv_reports import Moments
from chatbot.commands.imports import run_user_import
from chatbot.commands.logins import parse_moment
from chatbot.commands.progress import LARGE, ProgressBar, shows_progress
from chatbot.policy import bundled_preset_path
from chatbot.settings import ENVIRONMENT, load_settings
from chatbot.storage.database import Database
from chatbot.storage.models import Account, AuditEventRow, TrainingRecordRow
from flows.community import Community
from flows.imports.policy import DATE_FORMATS
from flows.kinds.new_user.details import NewUserState
from tests.conftest import Clock
from tests.import_files import (
    Generated,
    StaffPerson,
    staff_people,
    write_completions,
    write_staff,
)
from tests.nudges import NudgeBed
from tests.requests import LEAD, SUPERVISOR, TRAINEE, request_values

HMIS_BOT = str(Path(sys.executable).parent / "hmis-bot")
PACIFIC = ZoneInfo("America/Los_Angeles")
ROWS = 20_000
BAD_EVERY = 97
TODAY = datetime.now(PACIFIC).date()
AGENCY_IDS = {
    "River House Shelter": "river-house",
    "Yolo Food Bank": "yolo-food-bank",
    "Delta Outreach": "delta-outreach",
}
ROLE_IDS = {
    "Direct Service Staff": "dss",
    "Services Only": "services-only",
    "Supervisory Access": "supervisory",
    "Reporting and Monitoring Only": "reporting",
}
LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ [A-Z]+ ")
BAD_LINE = re.compile(r"^  line (\d+)(?: \([^)]*\))?: (.*)$")


@dataclass
class Operator:
    """Runs ``hmis-bot`` in a folder of its own against one database, as an operator would."""

    folder: Path
    database_url: str

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ENVIRONMENT}
        return env | {"HMIS_BOT_DATABASE_URL": self.database_url}

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [HMIS_BOT, *args],
            cwd=self.folder,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    def count(self, model: type[Account] | type[TrainingRecordRow]) -> int:
        db = Database(self.database_url)
        try:
            with db.transaction() as session:
                return session.scalar(select(func.count()).select_from(model)) or 0
        finally:
            db.dispose()

    def accounts(self) -> dict[str, Account]:
        db = Database(self.database_url)
        try:
            with db.transaction() as session:
                return {a.email: a for a in session.scalars(select(Account))}
        finally:
            db.dispose()


@pytest.fixture
def operator(tmp_path: Path, database: Database, database_url: str) -> Operator:
    return Operator(tmp_path, database_url)


def good(generated: Generated) -> list[StaffPerson]:
    return [p for i, p in enumerate(generated.people) if i + 2 not in generated.bad_lines]


def bad_rows(stderr: str) -> dict[int, str]:
    """The bad rows the command reported, by line number."""
    lines = [line for line in stderr.splitlines() if not LOG_LINE.match(line)]
    found = {int(m[1]): m[2] for m in map(BAD_LINE.match, lines) if m}
    header = f"{len(found)} bad rows skipped:"
    assert header in lines, stderr[-2000:]
    return found


def assert_reported(generated: Generated, stderr: str) -> None:
    reported = bad_rows(stderr)
    assert sorted(reported) == sorted(generated.bad_lines)
    for line, message in generated.bad_lines.items():
        assert message in reported[line], (line, reported[line])


# import users ------------------------------------------------------------------------------


def test_import_users_adds_the_staff_list_and_reports_bad_rows_by_line(
    operator: Operator,
) -> None:
    staff = write_staff(
        operator.folder / "staff.csv", staff_people(ROWS, TODAY), bad_every=BAD_EVERY
    )
    listed = good(staff)
    active = [p for p in listed if p.status == "Active"]

    result = operator.run("import", "users", "staff.csv")
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.splitlines()[0] == (
        f"staff.csv: {ROWS} rows read; {len(active)} accounts added, 0 updated, 0 last logins "
        f"moved forward, 0 unchanged; {len(listed) - len(active)} not added (disabled or "
        "deactivated in HMIS, never held here); 0 missing from the list"
    )
    assert_reported(staff, result.stderr)
    assert "\r" not in result.stderr, "no progress bar outside a terminal"

    accounts = operator.accounts()
    assert len(accounts) == len(active)
    for person in active[:: len(active) // 50]:
        account = accounts[person.email]
        login = person.last_login.replace(tzinfo=PACIFIC) if person.last_login else None
        assert (account.name, account.agency_id, account.access_role_id) == (
            person.name,
            AGENCY_IDS[person.agency],
            ROLE_IDS[person.role],
        )
        assert account.last_login_at == login
        assert account.status == ("active" if login else "pending_first_login")


def test_import_users_again_changes_what_changed_and_reports_who_vanished(
    operator: Operator, monkeypatch: pytest.MonkeyPatch
) -> None:
    people = [p for p in staff_people(ROWS, TODAY) if p.status == "Active"]
    path = operator.folder / "staff.csv"
    write_staff(path, people)
    monkeypatch.setenv("HMIS_BOT_DATABASE_URL", operator.database_url)
    quiet = io.StringIO()
    assert run_user_import(load_settings(), path, dry_run=False, out=quiet, err=quiet) == 0

    later = datetime.combine(TODAY, time(0, 1))  # after every generated login
    changed = list(people)
    for i in range(0, 300, 3):  # 100 new roles, 100 deactivated, 100 newer logins
        changed[i] = replace(changed[i], role=another_role(changed[i].role))
        changed[i + 1] = replace(changed[i + 1], status="Inactive")
        changed[i + 2] = replace(changed[i + 2], last_login=later)
    vanished = changed[-60:]
    write_staff(path, changed[:-60])
    before = operator.accounts()

    preview = operator.run("import", "users", "staff.csv", "--dry-run")
    assert preview.returncode == 0, preview.stderr[-2000:]
    summary, *rest = preview.stdout.splitlines()
    assert summary == (
        f"staff.csv (dry run: nothing was saved): {len(people) - 60} rows read; 0 accounts "
        "would be added, 200 updated, 100 last logins moved forward, "
        f"{len(people) - 260} unchanged; 0 not added (disabled or deactivated in HMIS, never "
        "held here); 60 missing from the list"
    )
    first = people[0]
    new_role = another_role(first.role)
    assert f"  update  {first.name} <{first.email}>: access role {first.role} → {new_role}" in rest
    second = people[1]
    assert f"  update  {second.name} <{second.email}>: status active → deactivated" in rest
    assert {a.email: a.version for a in operator.accounts().values()} == {
        a.email: a.version for a in before.values()
    }, "a dry run saves nothing"

    result = operator.run("import", "users", "staff.csv")
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.splitlines()[0] == summary.replace(
        " (dry run: nothing was saved)", ""
    ).replace("would be added", "added")
    missing = result.stdout.splitlines()[1:]
    assert missing[0] == "Missing from the list, kept as they are (deactivate anyone who left):"
    assert missing[-1] == "  and 10 more"
    shown = {line.split("<")[1].split(">")[0] for line in missing[1:-1]}
    assert shown <= {p.email for p in vanished}
    assert len(shown) == 50

    after = operator.accounts()
    assert len(after) == len(people), "nobody is deleted"
    assert after[first.email].access_role_id == ROLE_IDS[new_role]
    assert (after[second.email].status, after[second.email].disabled_by) == (
        "deactivated",
        "staff-import",
    )
    assert after[people[2].email].last_login_at == later.replace(tzinfo=PACIFIC)
    again = io.StringIO()
    assert run_user_import(load_settings(), path, dry_run=False, out=again, err=quiet) == 0
    assert f"0 updated, 0 last logins moved forward, {len(people) - 60} unchanged" in (
        again.getvalue()
    )


def another_role(role: str) -> str:
    names = list(ROLE_IDS)
    return names[(names.index(role) + 1) % len(names)]


def test_import_users_refuses_a_file_without_the_mapped_columns(operator: Operator) -> None:
    (operator.folder / "staff.csv").write_text("Login,E-mail\njdoe,jdoe@a.example.org\n")
    result = operator.run("import", "users", "staff.csv")
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (
        "staff.csv: the file needs the columns 'Full Name', 'Email', 'Primary Agency Name', "
        "'Primary Access Role', 'Status' but has 'Login', 'E-mail'; name yours under "
        "imports.users in the community file"
    )
    assert operator.run("import", "users", "nowhere.csv").returncode == 2


def test_a_mapped_community_file_reads_another_export(
    operator: Operator, community_file: Path
) -> None:
    (operator.folder / "staff.csv").write_text(
        "First Name,Last Name,Work Email,Agency,Role,Account Status\n"
        "Ana,Ng,ANA@riverhouse.example.org,RH,Case Manager,Enabled\n"
        "Bo,Li,bo@riverhouse.example.org,RH,Case Manager,Disabled\n"
    )
    env = operator.env() | {"HMIS_BOT_POLICY": str(community_file)}
    result = subprocess.run(
        [HMIS_BOT, "import", "users", "staff.csv"],
        cwd=operator.folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "1 account added" in result.stdout
    assert "no 'Last Login' column: last logins were left alone" in result.stdout
    ana = operator.accounts()["ana@riverhouse.example.org"]
    assert (ana.name, ana.agency_id, ana.access_role_id, ana.status) == (
        "Ana Ng",
        "river-house",
        "dss",
        "pending_first_login",
    )


@pytest.fixture
def community_file(tmp_path: Path) -> Path:
    policy = tmp_path / "community.yml"
    policy.write_text(
        bundled_preset_path().read_text() + "\nimports:\n"
        "  users:\n"
        "    name: [First Name, Last Name]\n"
        "    email: Work Email\n"
        "    agency: Agency\n"
        "    access_role: Role\n"
        "    status: Account Status\n"
        "    statuses: {Enabled: active, Disabled: disabled}\n"
        "    agencies: {RH: river-house}\n"
        "    access_roles: {Case Manager: dss}\n"
    )
    return policy


# import trainings --------------------------------------------------------------------------


def test_import_trainings_records_completions_and_moves_a_waiting_request_on(
    operator: Operator, database: Database, community: Community, clock: Clock
) -> None:
    clock.now = datetime.now(UTC) - timedelta(days=1)
    bed = NudgeBed(database, community, clock)
    bed.file(LEAD, request_values())
    bed.click(SUPERVISOR, "verify")
    people = staff_people(ROWS // 4, TODAY)
    emails = [TRAINEE, *(p.email for p in people)]
    lms = write_completions(
        operator.folder / "lms.csv", emails, rows=ROWS, today=TODAY, bad_every=BAD_EVERY
    )
    with (operator.folder / "lms.csv").open("a", encoding="utf-8") as file:
        for course in ("Clarity General Training", "Privacy & Security Training"):
            file.write(f"Jane,{TRAINEE},{course},{TODAY:%m/%d/%Y},100,{TODAY}\n")

    result = operator.run("import", "trainings", "lms.csv")
    assert result.returncode == 0, result.stderr[-2000:]
    summary = result.stdout.splitlines()[0]
    counts = re.match(
        rf"lms.csv: {ROWS + 2} rows read; (\d+) completions of trainings tracked here, (\d+) "
        r"recorded \(new or later than the one on record\); 2 counted on open requests, 1 "
        r"request moved on; (\d+) rows without a completion date$",
        summary,
    )
    assert counts is not None, summary
    recorded = int(counts[1])
    assert int(counts[2]) == recorded
    assert "rows of courses not tracked here, left alone: " in result.stdout
    assert_reported(lms, result.stderr)
    assert operator.count(TrainingRecordRow) == recorded
    assert bed.request().state == NewUserState.AWAITING_APPROVAL

    again = operator.run("import", "trainings", "lms.csv")
    assert f"{recorded} completions of trainings tracked here, 0 recorded" in again.stdout
    db = Database(operator.database_url)
    with db.transaction() as session:
        imported = session.scalar(
            select(func.count())
            .select_from(AuditEventRow)
            .where(AuditEventRow.action == "training.imported")
        )
    db.dispose()
    assert imported == recorded, "one audit row per completion recorded, none the second time"


def test_import_trainings_dry_run_lists_what_it_would_record(operator: Operator) -> None:
    (operator.folder / "lms.csv").write_text(
        "Email,Course,Completion Date\n"
        "ana@riverhouse.example.org,Privacy & Security Training,11/02/2026\n"
        "ana@riverhouse.example.org,Fire Safety,11/02/2026\n"
    )
    result = operator.run("import", "trainings", "lms.csv", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "lms.csv (dry run: nothing was saved): 2 rows read; 1 completion of trainings tracked "
        "here, 1 would be recorded (new or later than the one on record); 0 counted on open "
        "requests, 0 requests moved on; 0 rows without a completion date",
        "  1 row of courses not tracked here, left alone: Fire Safety (1)",
        "  record  ana@riverhouse.example.org: Privacy & Security Training, completed "
        "Mon Nov 2, 2026 12:00 AM PST",
    ]
    assert operator.count(TrainingRecordRow) == 0


# A progress bar on a terminal ----------------------------------------------------------


def test_a_large_file_shows_a_progress_bar_on_a_terminal(operator: Operator) -> None:
    write_staff(operator.folder / "staff.csv", staff_people(LARGE + 500, TODAY))
    screen = on_terminal(operator, "import", "users", "staff.csv")
    drawn = screen.split("\r")
    assert any(d.startswith("reading staff.csv [") for d in drawn), screen[-500:]
    assert f"] 100% {LARGE + 501}/{LARGE + 501}" in screen
    assert "saving accounts [" in screen


def on_terminal(operator: Operator, *args: str) -> str:
    """What the command writes to standard error when that is a terminal."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [HMIS_BOT, *args],
        cwd=operator.folder,
        env=operator.env(),
        stdout=subprocess.DEVNULL,
        stderr=follower,
    )
    os.close(follower)
    screen = b"".join(_read_all(leader))
    os.close(leader)
    assert process.wait(timeout=120) == 0
    return screen.decode()


def _read_all(fd: int) -> Iterator[bytes]:
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # the terminal closed with the process (EIO)
            return
        if not chunk:
            return
        yield chunk


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_bar_is_drawn_only_on_a_terminal_and_only_for_large_files() -> None:
    terminal, pipe = _Terminal(), io.StringIO()
    assert shows_progress(terminal, LARGE)
    assert not shows_progress(terminal, LARGE - 1)
    assert not shows_progress(pipe, 10 * LARGE)
    bar = ProgressBar(terminal, "reading x.csv", 4000, shown=True)
    bar.update(1000)
    bar.close()
    assert terminal.getvalue() == (
        "\rreading x.csv [#######-----------------------]  25% 1000/4000"
        "\rreading x.csv [##############################] 100% 4000/4000\n"
    )
    hidden = ProgressBar(pipe, "reading x.csv", 4000, shown=False)
    hidden.update(1000)
    hidden.close()
    assert pipe.getvalue() == ""


# Reading dates quickly ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "11/12/2026 4:05 PM",
        "11/12/2026 12:05 AM",
        "11/12/2026 12:30 pm",
        "1/2/2026",
        "01/02/2026 13:05",
        "2026-01-02T10:00",
        "2026-01-02T10:00:00-05:00",
        "2026-01-02",
        "13/45/2026",
        "11/12/2026 13:05 PM",
        "11/12/2026 0:05 AM",
        "2/30/2026",
        "11/12/26",
        "11/12/2026 24:00",
        "yesterday",
    ],
)
def test_dates_read_fast_as_the_login_report_reads_them(text: str) -> None:
    assert Moments(DATE_FORMATS, PACIFIC).parse(text) == parse_moment(text, DATE_FORMATS, PACIFIC)
