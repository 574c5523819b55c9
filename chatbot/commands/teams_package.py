"""``hmis-bot teams package``: the Teams app package an operator uploads."""

from __future__ import annotations

import argparse
import sys
from importlib.metadata import version
from pathlib import Path
from typing import Any

from adapters.teams.package import app_package
from chatbot.settings import Settings
from flows.kinds import default_registry


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
    commands = default_registry().commands()
    path.write_bytes(app_package(bot_id, args.domain, version("hmis-access-bot"), commands))
    sys.stdout.write(f"{path}\n")
    return 0
