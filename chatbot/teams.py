"""When the Teams endpoint is on, with which credentials, and ``hmis-bot teams package``."""

from __future__ import annotations

import argparse
import logging
import sys
from importlib.metadata import version
from pathlib import Path
from typing import Any

from adapters.teams.package import app_package
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


def add_teams_commands(commands: Any) -> None:
    """``hmis-bot teams package [--out DIR] [--domain HOST]`` on the CLI's sub-commands."""
    teams = commands.add_parser("teams", help="Microsoft Teams tools")
    actions = teams.add_subparsers(required=True, metavar="ACTION")
    package = actions.add_parser("package", help="write the Teams app package (zip) to upload")
    package.add_argument("--out", type=Path, default=Path(), help="folder (default: here)")
    package.add_argument(
        "--domain", default="hmis-bot.example.org", help="the public host serving /api/messages"
    )
    package.set_defaults(run=_package)


def _package(args: argparse.Namespace) -> int:
    bot_id = Settings().microsoft_app_id
    if not bot_id:
        sys.stderr.write("set MICROSOFT_APP_ID to the Azure bot's app id first\n")
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / "hmis-access-teams.zip"
    path.write_bytes(app_package(bot_id, args.domain, version("hmis-access-bot")))
    sys.stdout.write(f"{path}\n")
    return 0
