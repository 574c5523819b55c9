"""The operator's commands as a new user runs them: separate processes, a fresh directory."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

HMIS_BOT = str(Path(sys.executable).parent / "hmis-bot")
CREDENTIALS = (
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "HMIS_BOT_DATABASE_URL",
    "HMIS_BOT_POLICY",
)


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in CREDENTIALS}
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


def test_serve_refuses_to_start_on_a_database_that_was_never_initialised(tmp_path: Path) -> None:
    result = subprocess.run(
        [HMIS_BOT, "serve", "--port", str(free_port())],
        cwd=tmp_path,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "run `hmis-bot init`" in result.stderr


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
    assert "Your HMIS account is ready" in out
    assert "Thanks. Your HMIS account is active." in out
    assert not list(tmp_path.iterdir()), "the demo leaves nothing behind"


CONSOLE_SCRIPT = (
    "\n".join(
        [
            "request",
            "Agency Lead / Technical Administrator",
            "no",
            "Sam Supervisor",
            "sup@riverhouse.example.org",
            "river-house",
            "sac",
            "Jane Doe",
            "jane.doe@riverhouse.example.org",
            "dss",
            "no",
            "yolo-food-bank",
            "n",
            "as sup@riverhouse.example.org",
            "buttons",
            "press 1",
            "status",
            "quit",
        ]
    )
    + "\n"
)


def test_the_console_acts_as_people_and_the_audit_log_records_it(tmp_path: Path) -> None:
    assert run("init", cwd=tmp_path).returncode == 0
    result = run(
        "console", "--as", "lead@riverhouse.example.org", cwd=tmp_path, stdin=CONSOLE_SCRIPT
    )
    assert result.returncode == 0, result.stderr
    assert "Request #1 filed for Jane Doe" in result.stdout
    assert "1. Confirm background check passed" in result.stdout
    assert "Staff verification confirmed" in result.stdout

    export = run("audit", "export", "--format", "jsonl", cwd=tmp_path)
    events = [json.loads(line) for line in export.stdout.splitlines()]
    assert [(e["action"], e["outcome"]) for e in events] == [
        ("new_user.file", "ok"),
        ("new_user.verify", "ok"),
    ]
    assert events[0]["platform"] == "console"
    csv_export = run("audit", "export", "--since", "2000-01-01", cwd=tmp_path)
    assert csv_export.stdout.splitlines()[0].startswith("id,at,actor_email")


@pytest.mark.parametrize(
    "args", [["policy", "check", "missing.yml"], ["audit", "export", "--since", "yesterday"]]
)
def test_operator_mistakes_get_a_message_not_a_traceback(tmp_path: Path, args: list[str]) -> None:
    result = run(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
