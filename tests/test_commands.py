"""The operator's commands as a new user runs them: separate processes, a fresh directory."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from chatbot.commands.cli import main
from chatbot.settings import ENVIRONMENT

HMIS_BOT = str(Path(sys.executable).parent / "hmis-bot")
LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ [A-Z]+ ")
PASSWORD = "s3cret-pass"


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ENVIRONMENT}
    return env | extra


def run(*args: str, cwd: Path, stdin: str = "", **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [HMIS_BOT, *args],
        cwd=cwd,
        env=clean_env(**env),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_init_then_serve_answers_healthz_with_no_credentials(tmp_path: Path) -> None:
    assert run("init", cwd=tmp_path).returncode == 0
    assert run("init", cwd=tmp_path).returncode == 0, "init must be idempotent"
    port = free_port()
    server = subprocess.Popen(
        [HMIS_BOT, "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=tmp_path,
        env=clean_env(),
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        health = wait_for_json(f"http://127.0.0.1:{port}/healthz")
        adapters = {"slack": "off", "teams": "off"}
        dispatcher = health.pop("dispatcher")
        assert health == {
            "status": "ok",
            "database": "ok",
            "adapters": adapters,
            "scheduler": "off",
        }
        assert dispatcher["status"] == "ok"
        assert dispatcher["last_progress_age_seconds"] < dispatcher["stalled_after_seconds"]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as answer:
            metrics = answer.read()
        assert b"hmis_bot_outbox_deliveries_total" in metrics
        assert b"hmis_bot_loop_failures_total" in metrics
    finally:
        server.terminate()
        _, log = server.communicate(timeout=20)
    assert (tmp_path / "hmis-bot.sqlite3").exists()
    assert log.count("Slack adapter is off") == 1
    assert f"listening on http://127.0.0.1:{port}" in log


def test_serve_refuses_to_start_on_a_database_that_was_never_initialised(tmp_path: Path) -> None:
    result = run("serve", "--port", str(free_port()), cwd=tmp_path)
    assert the_one_problem(result) == (
        "HMIS_BOT_DATABASE_URL: sqlite:///hmis-bot.sqlite3 has no tables yet, or an old schema: "
        "run `hmis-bot init` first"
    )


def wait_for_json(url: str) -> object:
    deadline = time.monotonic() + 20
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                return json.loads(answer.read())
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_the_demo_plays_the_whole_lifecycle(tmp_path: Path) -> None:
    result = run("demo", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "gmail.com is a personal mail service" in out
    assert "Only HMIS admins can do that." in out
    assert "Your HMIS account has been created" in out
    assert "Thanks. Your HMIS account is active." in out
    assert "alembic" not in result.stderr, "migration chatter is for `init` only"
    assert not list(tmp_path.iterdir()), "the demo leaves nothing behind"
    audit = out.partition("as `hmis-bot audit export`")[2]
    assert "id,at,local_time,actor_email" in audit, "its audit log is printed, not lost"
    assert "new_user.logged_in,ok,request,1,request #1: Jane Doe (new user)" in audit


def typed(*lines: str) -> str:
    return "\n".join(lines) + "\n"


FILE_A_REQUEST = typed(
    "request",
    "agency lead / TECHNICAL administrator",  # a choice by its name, in any case
    "No",
    "Sam Supervisor",
    "",  # the supervisor's e-mail forgotten
    "1",  # a choice by its number
    "sacramento coc",
    "Jane Doe",
    "jane.doe@gmail.com",
    "direct service staff",
    "n",
    "yolo food bank",
    "n",
    "sup@riverhouse.example.org",  # asked again: first the supervisor's e-mail...
    "jane.doe@riverhouse.example.org",  # ...then the new user's, in the form's order
    "quit",
)


def test_the_console_files_in_one_session_and_acts_in_the_next(tmp_path: Path) -> None:
    """Buttons are read from the database, so what one run filed another can act on."""
    assert run("init", cwd=tmp_path).returncode == 0
    lead = run("console", "--as", "lead@riverhouse.example.org", cwd=tmp_path, stdin=FILE_A_REQUEST)
    assert lead.returncode == 0, lead.stderr
    assert (
        "The form came back with errors:\n"
        "  Supervisor's work e-mail: The supervisor's work e-mail, please.\n"
        "  New user's work e-mail: gmail.com is a personal mail service; use the person's "
        "agency e-mail.\n"
    ) in lead.stdout
    assert "new_user_email" not in lead.stdout
    assert "Request #1 filed for Jane Doe" in lead.stdout

    supervisor = run(
        "console",
        "--as",
        "sup@riverhouse.example.org",
        cwd=tmp_path,
        stdin=typed("buttons", "press 1", "status", "quit"),
    )
    assert supervisor.returncode == 0, supervisor.stderr
    assert (
        "1. [Confirm background check passed] on Staff verification for Jane Doe (request #1)"
    ) in supervisor.stdout
    assert "Staff verification confirmed for Jane Doe" in supervisor.stdout

    export = run("audit", "export", "--format", "jsonl", cwd=tmp_path)
    events = [json.loads(line) for line in export.stdout.splitlines()]
    assert [(e["action"], e["outcome"]) for e in events] == [
        ("new_user.file", "refused"),
        ("new_user.file", "ok"),
        ("new_user.verify", "ok"),
    ]
    assert events[1]["platform"] == "console"
    csv_export = run("audit", "export", "--since", "2000-01-01", cwd=tmp_path)
    assert csv_export.stdout.splitlines()[0].startswith("id,at,local_time,actor_email")


def test_a_form_is_abandoned_with_cancel_or_at_the_end_of_the_input(tmp_path: Path) -> None:
    assert run("init", cwd=tmp_path).returncode == 0
    script = typed("request", "3", "cancel", "buttons", "request", "3", "no")  # then input ends
    result = run("console", "--as", "lead@riverhouse.example.org", cwd=tmp_path, stdin=script)
    assert result.returncode == 0
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stdout.count("Cancelled: nothing was sent.") == 2
    assert "You have no buttons to press now." in result.stdout
    export = run("audit", "export", "--format", "jsonl", cwd=tmp_path)
    assert export.stdout == ""


def the_one_problem(result: subprocess.CompletedProcess[str]) -> str:
    """An operator mistake: exit status 2 and one line besides the log, with no secret."""
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert PASSWORD not in result.stderr + result.stdout
    [line] = [line for line in result.stderr.splitlines() if not LOG_LINE.match(line)]
    return line


@pytest.mark.parametrize(
    ("args", "env", "expected"),
    [
        (
            ["audit", "export"],
            {"HMIS_BOT_DATABASE_URL": "nonsense"},
            "HMIS_BOT_DATABASE_URL is not a database URL: write sqlite:///PATH or "
            "postgresql+psycopg://USER:PASSWORD@HOST:5432/DATABASE",
        ),
        (
            ["init"],
            {"HMIS_BOT_DATABASE_URL": f"postgresql+psycopg://hmis:{PASSWORD}@127.0.0.1:1/hmis"},
            "HMIS_BOT_DATABASE_URL: postgresql+psycopg://hmis:***@127.0.0.1:1/hmis: Connection "
            "refused; check the host and port in the URL, and that the server is running",
        ),
        (
            ["sweep", "--dry-run"],
            {"HMIS_BOT_DATABASE_URL": "postgres://hmis@db/hmis"},
            "HMIS_BOT_DATABASE_URL: 'postgres' is not a kind of database this bot knows",
        ),
        (
            ["init"],
            {"HMIS_BOT_DATABASE_URL": "sqlite:///no/such/folder/bot.sqlite3"},
            "HMIS_BOT_DATABASE_URL: sqlite:///no/such/folder/bot.sqlite3: unable to open "
            "database file; check that the folder exists and is writable",
        ),
        (
            ["audit", "export"],
            {},
            "HMIS_BOT_DATABASE_URL: sqlite:///hmis-bot.sqlite3 has no tables yet, or an old "
            "schema: run `hmis-bot init` first",
        ),
        (
            ["audit", "export", "--since", "yesterday"],
            {},
            "hmis-bot audit export: argument --since: 'yesterday' is not a date: write it as "
            "YYYY-MM-DD, such as 2026-01-31 (see `hmis-bot audit export --help`)",
        ),
        (
            ["serve", "--port", "99999"],
            {},
            "hmis-bot serve: argument --port: '99999' is not a port number from 1 to 65535 "
            "(see `hmis-bot serve --help`)",
        ),
        (
            ["console", "--as", "lead@riverhouse.example.org"],
            {"HMIS_BOT_SWEEP_MINUTES": "-1"},
            "HMIS_BOT_SWEEP_MINUTES: Input should be greater than or equal to 0",
        ),
    ],
)
def test_operator_mistakes_get_one_line_naming_what_to_fix(
    tmp_path: Path, args: list[str], env: dict[str, str], expected: str
) -> None:
    assert the_one_problem(run(*args, cwd=tmp_path, **env)).startswith(expected)


@pytest.mark.postgresql
def test_a_postgresql_database_that_does_not_exist_is_named_with_the_password_masked(
    tmp_path: Path, postgres_database: str
) -> None:
    missing = make_url(postgres_database).set(password=PASSWORD, database="hmis_no_such_database")
    url = missing.render_as_string(hide_password=False)
    line = the_one_problem(run("serve", cwd=tmp_path, HMIS_BOT_DATABASE_URL=url))
    masked = missing.render_as_string(hide_password=True)
    assert line == (
        f'HMIS_BOT_DATABASE_URL: {masked}: database "hmis_no_such_database" does not exist; '
        "create the database first (createdb NAME) or fix the URL"
    )


def test_serve_on_a_port_in_use_says_so(tmp_path: Path) -> None:
    assert run("init", cwd=tmp_path).returncode == 0
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run("serve", "--host", "127.0.0.1", "--port", str(port), cwd=tmp_path)
    assert the_one_problem(result) == (
        f"--port {port} on 127.0.0.1 is in use by another program: stop it, or choose "
        "another --port"
    )


def test_half_set_slack_credentials_are_named_and_slack_stays_off(tmp_path: Path) -> None:
    assert run("init", cwd=tmp_path).returncode == 0
    result = run("sweep", cwd=tmp_path, SLACK_BOT_TOKEN="xoxb-secret-token")
    assert result.returncode == 2
    assert "Slack adapter is off: SLACK_SIGNING_SECRET is missing;" in result.stderr
    assert "xoxb-secret-token" not in result.stderr


@pytest.mark.parametrize(
    ("command", "reads"),
    [
        (["serve"], list(ENVIRONMENT)),
        (["init"], ["HMIS_BOT_DATABASE_URL", "HMIS_BOT_POLICY"]),
        (["audit", "export"], ["HMIS_BOT_DATABASE_URL", "HMIS_BOT_POLICY"]),
        (
            ["sweep"],
            [
                "HMIS_BOT_POLICY",
                "SLACK_SIGNING_SECRET",
                "SLACK_APP_TOKEN",
                "MICROSOFT_APP_PASSWORD",
            ],
        ),
        (["import", "logins"], ["HMIS_BOT_DATABASE_URL", "MICROSOFT_APP_ID"]),
        (["teams", "package"], ["MICROSOFT_APP_ID"]),
        (["policy", "check"], []),
    ],
)
def test_each_command_help_lists_the_environment_it_reads(
    command: list[str], reads: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        main([*command, "--help"])
    environment = capsys.readouterr().out.partition("\nenvironment:")[2]
    listed = {line.split()[0] for line in environment.splitlines() if line.strip()}
    assert set(reads) <= listed
    if not reads:
        assert "reads no environment variables" in environment
    if command == ["audit", "export"]:
        assert listed == {"HMIS_BOT_DATABASE_URL", "HMIS_BOT_POLICY"}


def test_the_top_level_help_points_at_what_ships(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = " ".join(capsys.readouterr().out.split())  # argparse wraps to the terminal's width
    assert "DESIGN.md" not in out
    assert "--help lists the environment variables" in out


def test_the_readme_tables_name_every_environment_variable() -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    rows = {line.split("`")[1] for line in readme.splitlines() if line.startswith("| `")}
    assert set(ENVIRONMENT) <= rows


def test_ctrl_c_cancels_a_form_then_ends_the_console_without_a_traceback(tmp_path: Path) -> None:
    assert run("init", cwd=tmp_path).returncode == 0
    console = subprocess.Popen(
        [HMIS_BOT, "console", "--as", "lead@riverhouse.example.org"],
        cwd=tmp_path,
        env=clean_env(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert console.stdin is not None
    assert console.stdout is not None
    printed: list[str] = []
    reader = threading.Thread(
        target=lambda: printed.extend(iter(lambda: console.stdout.read(1), "")), daemon=True
    )
    reader.start()

    def wait_for(text: str) -> None:
        deadline = time.monotonic() + 30
        while text not in "".join(printed):
            assert time.monotonic() < deadline, f"never printed {text!r}: {''.join(printed)}"
            time.sleep(0.05)

    try:
        console.stdin.write("request\n3\n")
        console.stdin.flush()
        wait_for("Do you directly supervise the new user? (number or name): ")
        console.send_signal(signal.SIGINT)
        wait_for("Cancelled: nothing was sent.")
        console.stdin.write("status\n")
        console.stdin.flush()
        wait_for("You have no HMIS requests.")
        console.send_signal(signal.SIGINT)
        assert console.wait(timeout=30) == 0
    finally:
        console.kill()
        _, errors = console.communicate(timeout=30)
    assert "Traceback" not in errors + "".join(printed)
