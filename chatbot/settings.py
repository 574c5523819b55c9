"""Process settings from the environment (the public contract in DESIGN.md)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from chatbot.policy import bundled_preset_path

DEFAULT_DATABASE_URL = "sqlite:///hmis-bot.sqlite3"
SLACK_API_URL = "https://slack.com/api/"


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
    sweep_minutes: int = Field(5, ge=0, alias="HMIS_BOT_SWEEP_MINUTES")
    """How often ``serve`` sweeps for due nudges; 0 leaves it to ``hmis-bot sweep`` from cron."""
