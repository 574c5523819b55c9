"""Which chat adapters turn on: a half-set credential pair is a mistake, named in one log line,
and leaves that adapter off."""

from __future__ import annotations

import logging

import pytest

from adapters.teams.credentials import TeamsCredentials
from chatbot.settings import ENVIRONMENT, Settings, SlackCredentials
from chatbot.web.teams import DEV_MODE_WARNING, teams_credentials, teams_registration

APP_ID = "11111111-2222-3333-4444-555555555555"


@pytest.fixture(autouse=True)
def no_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)


def bot_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """The bot's log lines (a library's stray warning from an earlier test's child process,
    such as asyncio's about a closed loop, is not the bot's)."""
    return [r for r in caplog.records if r.name.startswith(("chatbot", "adapters"))]


def one_line(caplog: pytest.LogCaptureFixture) -> logging.LogRecord:
    [record] = bot_lines(caplog)
    return record


def test_every_variable_the_settings_read_is_documented_for_help() -> None:
    aliases = {field.alias for field in Settings.model_fields.values()}
    assert aliases == set(ENVIRONMENT)


def test_slack_needs_both_token_and_signing_secret(caplog: pytest.LogCaptureFixture) -> None:
    settings = Settings(SLACK_BOT_TOKEN="xoxb-1", SLACK_SIGNING_SECRET="s")
    assert settings.slack_credentials() == SlackCredentials("xoxb-1", "s")
    assert not bot_lines(caplog)


@pytest.mark.parametrize(
    ("given", "missing"),
    [("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"), ("SLACK_SIGNING_SECRET", "SLACK_BOT_TOKEN")],
)
def test_half_a_slack_pair_names_the_missing_variable(
    given: str, missing: str, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(**{given: "xoxb-secret-value"})
    assert settings.slack_credentials() is None
    record = one_line(caplog)
    assert record.levelno == logging.ERROR
    assert record.getMessage().startswith(f"Slack adapter is off: {missing} is missing;")
    assert "xoxb-secret-value" not in record.getMessage()


def test_an_app_token_turns_on_socket_mode_without_a_signing_secret(
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = Settings(SLACK_BOT_TOKEN="xoxb-1", SLACK_APP_TOKEN="xapp-1-A1-2")
    credentials = settings.slack_credentials()
    assert credentials == SlackCredentials("xoxb-1", "", "xapp-1-A1-2")
    assert credentials is not None
    assert credentials.socket_mode
    assert not bot_lines(caplog)
    http = Settings(SLACK_BOT_TOKEN="xoxb-1", SLACK_SIGNING_SECRET="s").slack_credentials()
    assert http is not None
    assert not http.socket_mode


@pytest.mark.parametrize(
    "variables",
    [
        {"SLACK_APP_TOKEN": "xapp-1-A1-2"},
        {"SLACK_APP_TOKEN": "xapp-1", "SLACK_SIGNING_SECRET": "s"},
    ],
)
def test_an_app_token_without_a_bot_token_names_the_bot_token(
    variables: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    assert Settings(**variables).slack_credentials() is None
    record = one_line(caplog)
    assert record.levelno == logging.ERROR
    assert record.getMessage() == (
        "Slack adapter is off: SLACK_BOT_TOKEN is missing; set SLACK_BOT_TOKEN and "
        "SLACK_APP_TOKEN to turn it on in Socket Mode"
    )


def test_a_bot_token_given_as_the_app_token_is_named_as_such(
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = Settings(SLACK_BOT_TOKEN="xoxb-1", SLACK_APP_TOKEN="xoxb-pasted-twice")
    assert settings.slack_credentials() is None
    record = one_line(caplog)
    assert record.levelno == logging.ERROR
    assert record.getMessage().startswith(
        "Slack adapter is off: SLACK_APP_TOKEN is not an app-level token (those start with xapp-)"
    )
    assert "xoxb-pasted-twice" not in record.getMessage()


def test_half_an_http_pair_mentions_socket_mode(caplog: pytest.LogCaptureFixture) -> None:
    assert Settings(SLACK_BOT_TOKEN="xoxb-1").slack_credentials() is None
    assert one_line(caplog).getMessage() == (
        "Slack adapter is off: SLACK_SIGNING_SECRET is missing; set SLACK_BOT_TOKEN and "
        "SLACK_SIGNING_SECRET to turn it on (or SLACK_BOT_TOKEN and SLACK_APP_TOKEN, for "
        "Socket Mode)"
    )


def test_no_slack_variables_is_a_quiet_choice(caplog: pytest.LogCaptureFixture) -> None:
    assert Settings().slack_credentials() is None
    record = one_line(caplog)
    assert record.levelno == logging.WARNING
    assert "set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET" in record.getMessage()


@pytest.mark.parametrize(
    ("variables", "missing"),
    [
        ({"MICROSOFT_APP_ID": APP_ID}, "MICROSOFT_APP_PASSWORD is missing"),
        ({"MICROSOFT_APP_PASSWORD": "pw"}, "MICROSOFT_APP_ID is missing"),
        (
            {"MICROSOFT_APP_PASSWORD": "pw", "HMIS_BOT_TEAMS_DEV_MODE": "1"},
            "MICROSOFT_APP_ID is missing",
        ),
        (
            {"MICROSOFT_APP_ID": APP_ID, "HMIS_BOT_TEAMS_DEV_MODE": "1"},
            "MICROSOFT_APP_PASSWORD is missing",
        ),
        (
            {
                "MICROSOFT_APP_ID": APP_ID,
                "MICROSOFT_APP_PASSWORD": "pw",
                "MICROSOFT_APP_TYPE": "SingleTenant",
            },
            "MICROSOFT_APP_TENANT_ID is missing",
        ),
        (
            {"MICROSOFT_APP_ID": APP_ID, "MICROSOFT_APP_TYPE": "UserAssignedMSI"},
            "MICROSOFT_APP_TENANT_ID is missing",
        ),
        (
            {"MICROSOFT_APP_ID": APP_ID, "MICROSOFT_APP_PASSWORD": "pw", "MICROSOFT_APP_TYPE": "x"},
            "MICROSOFT_APP_TYPE is 'x'",
        ),
    ],
)
def test_part_of_a_teams_registration_keeps_teams_off_and_says_what_is_missing(
    variables: dict[str, str], missing: str, caplog: pytest.LogCaptureFixture
) -> None:
    assert teams_credentials(Settings(**variables)) is None
    record = one_line(caplog)
    assert record.levelno == logging.ERROR
    assert record.getMessage().startswith(f"Teams adapter is off: {missing}")


def test_a_whole_teams_registration_turns_teams_on(caplog: pytest.LogCaptureFixture) -> None:
    settings = Settings(
        MICROSOFT_APP_ID=APP_ID,
        MICROSOFT_APP_PASSWORD="pw",
        MICROSOFT_APP_TENANT_ID="tenant",
        MICROSOFT_APP_TYPE="singletenant",
    )
    assert teams_credentials(settings) == TeamsCredentials(APP_ID, "pw", "tenant", "SingleTenant")
    managed = Settings(
        MICROSOFT_APP_ID=APP_ID, MICROSOFT_APP_TENANT_ID="t", MICROSOFT_APP_TYPE="UserAssignedMSI"
    )
    assert teams_registration(managed) == TeamsCredentials(APP_ID, "", "t", "UserAssignedMSI")
    assert not bot_lines(caplog)


def test_dev_mode_without_credentials_warns_loudly_only_where_it_serves(
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = Settings(HMIS_BOT_TEAMS_DEV_MODE="1")
    assert teams_registration(settings) == TeamsCredentials()
    assert not bot_lines(caplog)
    assert teams_credentials(settings) == TeamsCredentials()
    assert DEV_MODE_WARNING in one_line(caplog).getMessage()
