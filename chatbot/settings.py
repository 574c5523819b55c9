"""Process settings from the environment (the public contract in DESIGN.md)."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import NamedTuple

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from adapters.slack.pacing import LOOKUPS_PER_MINUTE
from chatbot.catalog import preset_names
from chatbot.policy import bundled_preset_path

log = logging.getLogger(__name__)

DEFAULT_DATABASE_URL = "sqlite:///hmis-bot.sqlite3"
SLACK_API_URL = "https://slack.com/api/"
APP_TOKEN_PREFIX = "xapp-"  # noqa: S105 - how Slack's app-level tokens start, not a secret
SOCKET_MODE_PAIR = "SLACK_BOT_TOKEN and SLACK_APP_TOKEN"

ENVIRONMENT = {
    "HMIS_BOT_DATABASE_URL": f"SQLAlchemy URL of the database (default: {DEFAULT_DATABASE_URL})",
    "HMIS_BOT_POLICY": (
        "your community YAML file, or a bundled preset's name such as santa-clara "
        "(default: the bundled Sacramento/Yolo example)"
    ),
    "SLACK_BOT_TOKEN": "Slack bot token, xoxb-... (Slack is off unless it and the secret are set)",
    "SLACK_SIGNING_SECRET": "verifies that requests come from Slack",
    "SLACK_APP_TOKEN": "Slack app-level token, xapp-...: Socket Mode, no public URL (no secret)",
    "SLACK_API_URL": f"Slack Web API base URL (default: {SLACK_API_URL})",
    "HMIS_BOT_SLACK_LOOKUPS_PER_MINUTE": (
        "Slack users.lookupByEmail calls a minute the bot allows itself (Tier 3); raise it "
        f"only if Slack allows your workspace more (default: {LOOKUPS_PER_MINUTE})"
    ),
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
    app_token: str = ""
    """Socket Mode's app-level token; empty: Slack sends its requests to ``/slack/events``."""

    @property
    def socket_mode(self) -> bool:
        return bool(self.app_token)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    database_url: str = Field(DEFAULT_DATABASE_URL, alias="HMIS_BOT_DATABASE_URL")
    policy_path: Path = Field(default_factory=bundled_preset_path, alias="HMIS_BOT_POLICY")
    slack_bot_token: SecretStr | None = Field(None, alias="SLACK_BOT_TOKEN")
    slack_signing_secret: SecretStr | None = Field(None, alias="SLACK_SIGNING_SECRET")
    slack_app_token: SecretStr | None = Field(None, alias="SLACK_APP_TOKEN")
    slack_api_url: str = Field(SLACK_API_URL, alias="SLACK_API_URL")
    slack_lookups_per_minute: float = Field(
        LOOKUPS_PER_MINUTE, gt=0, alias="HMIS_BOT_SLACK_LOOKUPS_PER_MINUTE"
    )
    microsoft_app_id: str = Field("", alias="MICROSOFT_APP_ID")
    microsoft_app_password: SecretStr | None = Field(None, alias="MICROSOFT_APP_PASSWORD")
    microsoft_app_tenant_id: str = Field("", alias="MICROSOFT_APP_TENANT_ID")
    microsoft_app_type: str = Field("MultiTenant", alias="MICROSOFT_APP_TYPE")
    teams_dev_mode: bool = Field(False, alias="HMIS_BOT_TEAMS_DEV_MODE")
    sweep_minutes: float = Field(5, ge=0, alias="HMIS_BOT_SWEEP_MINUTES")
    """How often ``serve`` sweeps for due nudges; 0 leaves it to ``hmis-bot sweep`` from cron.
    Fractions allowed: replica tests tick every second or so (the sweep lease lasts three
    ticks, so a dead sweeper's lease lapses within seconds)."""

    @field_validator("policy_path", mode="before")
    @classmethod
    def _preset_by_name(cls, value: object) -> object:
        """A bundled preset's name (``santa-clara``) stands for its file, unless a file of
        that name exists here."""
        if isinstance(value, str) and value in preset_names() and not Path(value).exists():
            return bundled_preset_path(value)
        return value

    def slack_credentials(self) -> SlackCredentials | None:
        """Slack's credentials, or None: then Slack stays off, and one log line says why.

        With ``SLACK_APP_TOKEN`` Slack runs in Socket Mode and needs the bot token besides;
        otherwise it needs the bot token and the signing secret. Part of a pair is a mistake,
        and named as one."""
        token, secret = self.slack_bot_token, self.slack_signing_secret
        if self.slack_app_token:
            return self._socket_mode_credentials()
        if token and secret:
            return SlackCredentials(token.get_secret_value(), secret.get_secret_value())
        if token or secret:
            needed = {"SLACK_BOT_TOKEN": token, "SLACK_SIGNING_SECRET": secret}
            log_missing("Slack", needed, f" (or {SOCKET_MODE_PAIR}, for Socket Mode)")
        else:
            log.warning(
                "Slack adapter is off: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (or %s, "
                "for Socket Mode) to turn it on",
                SOCKET_MODE_PAIR,
            )
        return None

    def _socket_mode_credentials(self) -> SlackCredentials | None:
        token, app_token = self.slack_bot_token, self.slack_app_token
        if not token or not app_token:
            needed = {"SLACK_BOT_TOKEN": token, "SLACK_APP_TOKEN": app_token}
            log_missing("Slack", needed, " in Socket Mode")
            return None
        if not app_token.get_secret_value().startswith(APP_TOKEN_PREFIX):
            log.error(
                "Slack adapter is off: SLACK_APP_TOKEN is not an app-level token (those start "
                "with %s): create one under Basic Information, App-Level Tokens, with the "
                "connections:write scope",
                APP_TOKEN_PREFIX,
            )
            return None
        secret = self.slack_signing_secret
        return SlackCredentials(
            token.get_secret_value(),
            secret.get_secret_value() if secret else "",
            app_token.get_secret_value(),
        )


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
