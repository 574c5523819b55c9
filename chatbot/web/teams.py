"""When the Teams endpoint is on, with which credentials, and ``hmis-bot teams package``."""

from __future__ import annotations

import logging

from adapters.teams.setup import TeamsCredentials
from chatbot.settings import Settings

log = logging.getLogger(__name__)

DEV_MODE_WARNING = (
    "HMIS_BOT_TEAMS_DEV_MODE=1 and no MICROSOFT_APP_ID: POST /api/messages accepts "
    "UNAUTHENTICATED requests from anyone who can reach this server. Use it only with the "
    "Microsoft 365 Agents Playground or the Bot Framework Emulator on your own machine."
)


def teams_credentials(settings: Settings) -> TeamsCredentials | None:
    """The bot registration; empty credentials in dev mode; None (with a log line) when off."""
    if settings.microsoft_app_id:
        password = settings.microsoft_app_password
        return TeamsCredentials(
            app_id=settings.microsoft_app_id,
            app_password=password.get_secret_value() if password else "",
            tenant_id=settings.microsoft_app_tenant_id,
            app_type=settings.microsoft_app_type,
        )
    if settings.teams_dev_mode:
        log.warning("*" * 20 + " %s " + "*" * 20, DEV_MODE_WARNING)
        return TeamsCredentials()
    log.warning(
        "Teams adapter is off: set MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD to turn it on "
        "(or HMIS_BOT_TEAMS_DEV_MODE=1 for local testing without credentials)"
    )
    return None
