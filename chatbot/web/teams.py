"""When the Teams endpoint is on, and with which credentials."""

from __future__ import annotations

import logging

from adapters.teams.credentials import TeamsCredentials
from chatbot.settings import Settings, log_missing

log = logging.getLogger(__name__)

DEV_MODE_WARNING = (
    "HMIS_BOT_TEAMS_DEV_MODE=1 and no MICROSOFT_APP_ID: POST /api/messages accepts "
    "UNAUTHENTICATED requests from anyone who can reach this server. Use it only with the "
    "Microsoft 365 Agents Playground or the Bot Framework Emulator on your own machine."
)
APP_TYPES = ("SingleTenant", "MultiTenant", "UserAssignedMSI")


def teams_credentials(settings: Settings) -> TeamsCredentials | None:
    """For ``serve``: the decision of ``teams_registration``, with a loud warning when it
    leaves /api/messages unauthenticated (dev mode)."""
    credentials = teams_registration(settings)
    if credentials is not None and not credentials.app_id:
        log.warning("*" * 20 + " %s " + "*" * 20, DEV_MODE_WARNING)
    return credentials


def teams_registration(settings: Settings) -> TeamsCredentials | None:
    """The bot registration; empty credentials in dev mode; None, with one log line saying
    why, when Teams stays off. Part of a registration is a mistake, not dev mode: Teams
    stays off and the line names what is missing."""
    if settings.microsoft_app_id or settings.microsoft_app_password:
        return _registration(settings)
    if settings.teams_dev_mode:
        return TeamsCredentials()
    log.warning(
        "Teams adapter is off: set MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD to turn it on "
        "(or HMIS_BOT_TEAMS_DEV_MODE=1 for local testing without credentials)"
    )
    return None


def _registration(settings: Settings) -> TeamsCredentials | None:
    app_type = next((t for t in APP_TYPES if t.lower() == settings.microsoft_app_type.lower()), "")
    if not app_type:
        log.error(
            "Teams adapter is off: MICROSOFT_APP_TYPE is '%s'; set it to %s",
            settings.microsoft_app_type,
            ", ".join(APP_TYPES),
        )
        return None
    needed = _needed(settings, app_type)
    if not all(needed.values()):
        note = "" if app_type == "MultiTenant" else f" (MICROSOFT_APP_TYPE={app_type})"
        log_missing("Teams", needed, note)
        return None
    password = settings.microsoft_app_password
    return TeamsCredentials(
        app_id=settings.microsoft_app_id,
        app_password=password.get_secret_value() if password else "",
        tenant_id=settings.microsoft_app_tenant_id,
        app_type=app_type,
    )


def _needed(settings: Settings, app_type: str) -> dict[str, object]:
    """The variables botbuilder needs for this kind of registration: a managed identity has
    no password, a single-tenant bot names its tenant."""
    needed: dict[str, object] = {"MICROSOFT_APP_ID": settings.microsoft_app_id}
    if app_type != "UserAssignedMSI":
        needed["MICROSOFT_APP_PASSWORD"] = settings.microsoft_app_password
    if app_type != "MultiTenant":
        needed["MICROSOFT_APP_TENANT_ID"] = settings.microsoft_app_tenant_id
    return needed
