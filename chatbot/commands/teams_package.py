"""``hmis-bot teams package``: the Teams app package an operator uploads."""

from __future__ import annotations

import argparse
import re
import sys
from importlib.metadata import version
from pathlib import Path

from adapters.teams.package import app_package
from chatbot.commands.arguments import Commands, Parser, add_command
from chatbot.commands.errors import CommandError
from chatbot.settings import load_settings
from flows.kinds import default_registry

GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
HOST = re.compile(r"(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}", re.IGNORECASE)
"""A public DNS name: Teams needs one it can reach over HTTPS, so no scheme, port or path."""


def add_teams_commands(commands: Commands[Parser]) -> None:
    """``hmis-bot teams package --domain HOST [--out DIR]`` on the CLI's sub-commands."""
    teams = commands.add_parser("teams", help="Microsoft Teams tools")
    actions = teams.add_subparsers(required=True, metavar="ACTION")
    package = add_command(
        actions, "package", "write the Teams app package (zip) to upload", ("MICROSOFT_APP_ID",)
    )
    package.add_argument(
        "--domain",
        required=True,
        type=host_name,
        metavar="HOST",
        help="the public host name serving /api/messages, such as bot.example.org",
    )
    package.add_argument(
        "--out", type=Path, default=Path(), metavar="DIR", help="folder (default: here)"
    )
    package.set_defaults(run=_package)


def host_name(text: str) -> str:
    """``--domain``: a bare host name, as Teams' validDomains and the https:// links need it."""
    if HOST.fullmatch(text):
        return text.lower()
    bare = re.sub(r"^[a-z]+://", "", text, flags=re.IGNORECASE).split("/")[0].split(":")[0]
    example = bare if HOST.fullmatch(bare) else "hmis-bot.example.org"
    raise argparse.ArgumentTypeError(
        f"'{text}' is not a host name: give the name alone, such as {example} "
        "(no https://, port or path)"
    )


def _package(args: argparse.Namespace) -> int:
    bot_id = load_settings().microsoft_app_id
    if not bot_id:
        raise CommandError("MICROSOFT_APP_ID is not set: set it to the Azure bot's app id first")
    if not GUID.fullmatch(bot_id):
        raise CommandError(
            f"MICROSOFT_APP_ID: '{bot_id}' is not an app id (a GUID such as "
            "00000000-0000-0000-0000-000000000000): copy the Microsoft App ID from the Azure "
            "bot's Configuration page"
        )
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / "hmis-access-teams.zip"
    commands = default_registry().commands()
    path.write_bytes(app_package(bot_id, args.domain, version("hmis-access-bot"), commands))
    sys.stdout.write(f"{path}\n")
    return 0
