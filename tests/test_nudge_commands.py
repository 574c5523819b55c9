"""``hmis-bot sweep`` and ``hmis-bot import logins``, run in-process through the CLI's main()."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from chatbot.commands.cli import main
from chatbot.policy import bundled_preset_path
from chatbot.storage.database import Database
from chatbot.storage.models import AuditEventRow, NudgeRow, OutboxRow
from flows.accounts import AccountStatus
from flows.community import Community
from flows.kinds.new_user.details import NewUserState
from tests.conftest import Clock
from tests.nudges import NudgeBed, local
from tests.requests import ADMIN, LEAD, SECOND_ADMIN, SUPERVISOR, TRAINEE, request_values

WARNED = "warned@riverhouse.example.org"
DUE = "due@riverhouse.example.org"
RECENT = "recent@riverhouse.example.org"


@pytest.fixture
def bed(
    database: Database,
    database_url: str,
    community: Community,
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
) -> NudgeBed:
    monkeypatch.setenv("HMIS_BOT_DATABASE_URL", database_url)
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "MICROSOFT_APP_ID"):
        monkeypatch.delenv(name, raising=False)
    return NudgeBed(database, community, clock)


def counts(bed: NudgeBed) -> tuple[int, int]:
    with bed.database.transaction() as session:
        nudges = session.scalar(select(func.count()).select_from(NudgeRow))
        outbox = session.scalar(select(func.count()).select_from(OutboxRow))
    return nudges or 0, outbox or 0


def test_sweep_dry_run_prints_what_would_be_sent_and_changes_nothing(
    bed: NudgeBed, capsys: pytest.CaptureFixture[str]
) -> None:
    bed.at("2026-11-27 10:00")
    bed.file(LEAD, request_values())
    bed.click(SUPERVISOR, "verify")  # training due Fri 11 Dec, 17:00
    before = counts(bed)

    assert main(["sweep", "--now", "2026-12-12T10:00", "--dry-run"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "sweep at 2026-12-12 10:00 PST would queue 2 messages",  # a Saturday: held to Monday
        '  2026-12-14 08:00 PST  "Overdue: HMIS training for Jane Doe" to Sam Supervisor',
        '  2026-12-14 08:00 PST  "Your HMIS training is overdue (request #1)" to Jane Doe',
    ]
    assert counts(bed) == before


def test_sweep_names_people_and_what_each_message_is(
    bed: NudgeBed, capsys: pytest.CaptureFixture[str]
) -> None:
    """Live cards are told by whom or which request they are about, recipients by name."""
    bed.add_account(TRAINEE, local("2026-09-01 12:00"), name="Jane Doe")
    assert main(["sweep", "--now", "2026-11-16T10:00", "--dry-run"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "sweep at 2026-11-16 10:00 PST would queue 4 messages",
        '  2026-11-16 10:00 PST  "Your HMIS access is being disabled" to Jane Doe',
        "  2026-11-16 10:00 PST  inactivity announcement for Jane Doe to Second HMIS Admin",
        "  2026-11-16 10:00 PST  inactivity announcement for Jane Doe to HMIS Help Desk",
        "  2026-11-16 10:00 PST  inactivity announcement for Jane Doe to Rosa Lead",
    ]


def test_one_message_is_one_message(bed: NudgeBed, capsys: pytest.CaptureFixture[str]) -> None:
    bed.at("2026-11-16 10:00")
    bed.file(LEAD, request_values())  # verification due Mon 23 Nov; reminded a day before
    assert main(["sweep", "--now", "2026-11-20T09:00", "--dry-run"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "sweep at 2026-11-20 09:00 PST would queue 1 message",
        '  2026-11-20 09:00 PST  "Reminder: staff verification for Jane Doe" to Sam Supervisor',
    ]


def test_sweep_queues_each_nudge_once_and_needs_a_chat_platform(
    bed: NudgeBed, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    bed.add_account(TRAINEE, local("2026-09-01 12:00"))
    assert main(["sweep", "--now", "2026-11-16T10:00"]) == 2
    assert "no chat platform is configured" in capsys.readouterr().err

    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "secret")
    assert main(["sweep", "--now", "2026-11-16T10:00"]) == 0
    assert capsys.readouterr().out.startswith("sweep at 2026-11-16 10:00 PST queued 4 messages")
    assert bed.account(TRAINEE).status == AccountStatus.DISABLE_DUE
    assert main(["sweep", "--now", "2026-11-16T10:05-08:00"]) == 0
    assert capsys.readouterr().out.startswith("sweep at 2026-11-16 10:05 PST queued 0 messages")
    assert main(["sweep", "--now", "16/11/2026"]) == 2
    assert "not an ISO 8601 moment" in capsys.readouterr().err


def login_report_community(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The bundled community, with this community's login report column names, on Slack."""
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "secret")
    policy = tmp_path / "community.yml"
    policy.write_text(
        bundled_preset_path().read_text()
        + "\nimports:\n  logins:\n    email: User Email\n    last_login: Last Login Date\n"
    )
    monkeypatch.setenv("HMIS_BOT_POLICY", str(policy))


def test_import_logins_maps_columns_skips_bad_rows_and_reactivates(
    bed: NudgeBed,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    login_report_community(tmp_path, monkeypatch)
    bed.add_account(WARNED, local("2026-09-20 09:00"), status=AccountStatus.WARNED)
    bed.add_account(DUE, local("2026-09-01 09:00"))
    bed.add_account(RECENT, local("2026-11-10 09:00"))
    bed.sweep("2026-11-16 10:00")  # DUE is announced for disabling
    report = tmp_path / "logins.csv"
    report.write_text(
        "Client Count,User Email,Last Login Date,Notes\n"  # unknown columns are ignored
        f"3,{WARNED.upper()},11/12/2026 4:05 PM,x\n"
        f"1,{DUE},2026-11-15T08:00:00-08:00,\n"
        f"9,{RECENT},11/01/2026,older than the one on record\n"
        "4,stranger@elsewhere.example.org,11/14/2026,\n"
        f"2,{TRAINEE},yesterday,\n"
        ",,11/14/2026,\n"
        f"5,{SUPERVISOR},,never logged in\n"
        f"6,{LEAD},12/25/2030,\n"
    )
    assert main(["import", "logins", str(report)]) == 0
    captured = capsys.readouterr()
    assert captured.out == (
        f"{report}: 4 people with a login date, 3 with an account here, 2 updated; "
        "1 rows without a login date\n"
    )
    assert captured.err.splitlines() == [
        "3 bad rows skipped:",
        "  line 6: 'yesterday' is not a date and time (expected ISO 8601; %m/%d/%Y %I:%M %p; "
        "%m/%d/%Y %H:%M; %m/%d/%Y)",
        "  line 7: no e-mail address in column 'User Email'",
        "  line 9: 12/25/2030 is in the future",
    ]
    warned, due, recent = bed.account(WARNED), bed.account(DUE), bed.account(RECENT)
    assert (warned.status, warned.last_login_at) == ("active", local("2026-11-12 16:05"))
    assert (due.status, due.last_login_at) == ("active", local("2026-11-15 08:00"))
    assert recent.last_login_at == local("2026-11-10 09:00")  # never moved backwards
    with bed.database.transaction() as session:
        refreshed = session.scalars(
            select(OutboxRow.recipient_email).where(
                OutboxRow.dedupe_key.like("slack:inactivity:%:login.%")
            )
        ).all()
        imported = session.scalars(
            select(AuditEventRow.action).where(AuditEventRow.action.like("account.%login%"))
        ).all()
    assert len(refreshed) == 3  # the announcement now says the user logged in again
    assert sorted(imported) == [
        "account.import_logins",
        "account.login_imported",
        "account.login_imported",
    ]


def test_import_logins_refuses_a_report_without_the_mapped_columns(
    bed: NudgeBed, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "logins.csv"
    report.write_text("Name,Login\nJane,11/12/2026\n")
    assert main(["import", "logins", str(report)]) == 2
    assert "needs the columns 'Email' and 'Last Login' but has 'Name', 'Login'" in (
        capsys.readouterr().err
    )


def test_an_imported_first_login_completes_the_request(
    bed: NudgeBed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    login_report_community(tmp_path, monkeypatch)
    bed.at("2026-11-16 10:00")
    bed.file(LEAD, request_values())
    bed.click(SUPERVISOR, "verify")
    for training in ("general", "privacy"):
        bed.click(TRAINEE, f"trained.{training}")
    bed.click(ADMIN, "approve")
    bed.click(SECOND_ADMIN, "account_created")
    report = tmp_path / "logins.csv"
    report.write_text(f"User Email,Last Login Date\n{TRAINEE},2026-11-16T09:30:00-08:00\n")

    assert main(["import", "logins", str(report)]) == 0
    assert bed.request().state == NewUserState.ACTIVE
    assert bed.account(TRAINEE).status == "active"
    with bed.database.transaction() as session:
        logged_in = session.scalars(
            select(AuditEventRow.details).where(AuditEventRow.action == "new_user.logged_in")
        ).all()
        refreshed = session.scalars(
            select(OutboxRow.audience).where(OutboxRow.dedupe_key.like("%:logged_in.active"))
        ).all()
    assert [d["by"] for d in logged_in] == ["login-import"]
    assert "trainee_account" in refreshed  # the "I've logged in" button goes away

    assert main(["import", "logins", str(report)]) == 0  # importing again changes nothing
    assert bed.request().version == 6
