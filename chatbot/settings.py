"""Process settings from the environment (the public contract in DESIGN.md)."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import NamedTuple

from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from chatbot.policy import bundled_preset_path

log = logging.getLogger(__name__)

DEFAULT_DATABASE_URL = "sqlite:///hmis-bot.sqlite3"
SLACK_API_URL = "https://slack.com/api/"

ENVIRONMENT = {
    "HMIS_BOT_DATABASE_URL": f"SQLAlchemy URL of the database (default: {DEFAULT_DATABASE_URL})",
    "HMIS_BOT_POLICY": "your community YAML file (default: the bundled Sacramento/Yolo example)",
    "SLACK_BOT_TOKEN": "Slack bot token, xoxb-... (Slack is off unless it and the secret are set)",
    "SLACK_SIGNING_SECRET": "verifies that requests come from Slack",
    "SLACK_API_URL": f"Slack Web API base URL (default: {SLACK_API_URL})",
    "MICROSOFT_APP_ID": "the Azure bot's app id, a GUID (Teams is off without it)",
    "MICROSOFT_APP_PASSWORD": "the Azure bot's client secret",
    "MICROSOFT_APP_TENANT_ID": "your tenant (SingleTenant and UserAssignedMSI bots)",
    "MICROSOFT_APP_TYPE": "SingleTenant, MultiTenant or UserAssignedMSI (default: MultiTenant)",
    "HMIS_BOT_TEAMS_DEV_MODE": "1: accept unauthenticated Teams traffic when there is no app id",
    "HMIS_BOT_SWEEP_MINUTES": (
        "minutes between nudge sweeps in serve, fractions allowed; 0: sweep from cron (5)"
    ),
}
"""Every variable the bot reads, with what it means: ``--help`` lists them per command."""


class SettingsError(ValueError):
    """An environment variable holds a value the bot cannot use; one line per variable."""


class SlackCredentials(NamedTuple):
    bot_token: str
    signing_secret: str


class Settings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    database_url: str = Field(DEFAULT_DATABASE_URL, alias="HMIS_BOT_DATABASE_URL")
    policy_path: Path = Field(default_factory=bundled_preset_path, alias="HMIS_BOT_POLICY")
    slack_bot_token: SecretStr | None = Field(None, alias="SLACK_BOT_TOKEN")
    slack_signing_secret: SecretStr | None = Field(None, alias="SLACK_SIGNING_SECRET")
    slack_api_url: str = Field(SLACK_API_URL, alias="SLACK_API_URL")
    microsoft_app_id: str = Field("", alias="MICROSOFT_APP_ID")
    microsoft_app_password: SecretStr | None = Field(None, alias="MICROSOFT_APP_PASSWORD")
    microsoft_app_tenant_id: str = Field("", alias="MICROSOFT_APP_TENANT_ID")
    microsoft_app_type: str = Field("MultiTenant", alias="MICROSOFT_APP_TYPE")
    teams_dev_mode: bool = Field(False, alias="HMIS_BOT_TEAMS_DEV_MODE")
    sweep_minutes: float = Field(5, ge=0, alias="HMIS_BOT_SWEEP_MINUTES")
    """How often ``serve`` sweeps for due nudges; 0 leaves it to ``hmis-bot sweep`` from cron.
    Fractions allowed: replica tests tick every second or so (the sweep lease lasts three
    ticks, so a dead sweeper's lease lapses within seconds)."""

    def slack_credentials(self) -> SlackCredentials | None:
        """Slack's token and signing secret, or None: then Slack stays off, and one log line
        says why. One of the two without the other is a mistake, and named as one."""
        token, secret = self.slack_bot_token, self.slack_signing_secret
        if token and secret:
            return SlackCredentials(token.get_secret_value(), secret.get_secret_value())
        if token or secret:
            log_missing("Slack", {"SLACK_BOT_TOKEN": token, "SLACK_SIGNING_SECRET": secret})
        else:
            log.warning(
                "Slack adapter is off: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET to turn it on"
            )
        return None


def log_missing(adapter: str, needed: Mapping[str, object], note: str = "") -> None:
    """One error line for an adapter whose variables are only partly set: the missing ones,
    and all that it needs (``note`` says why, when that depends on another setting)."""
    missing = [name for name, value in needed.items() if not value]
    log.error(
        "%s adapter is off: %s %s missing; set %s to turn it on%s",
        adapter,
        _listing(missing),
        "is" if len(missing) == 1 else "are",
        _listing(needed),
        note,
    )


def _listing(names: Iterable[str]) -> str:
    *most, last = names
    return f"{', '.join(most)} and {last}" if most else last


def load_settings() -> Settings:
    """The settings, or a ``SettingsError`` naming each variable that holds an unusable value."""
    try:
        return Settings()
    except ValidationError as error:
        lines = [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors()]
        raise SettingsError("\n".join(lines)) from None
