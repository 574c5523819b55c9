"""``hmis-bot``: the operator's command line (see README and DESIGN.md for the contract)."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from aiohttp import web

from chatbot.commands.audit_export import export_audit
from chatbot.commands.console import run_demo, run_interactive
from chatbot.commands.sweep import run_login_import, run_sweep
from chatbot.commands.teams_package import add_teams_commands
from chatbot.policy import PolicyError, load_community
from chatbot.settings import Settings
from chatbot.storage.database import Database
from chatbot.storage.directory import sync_directory
from chatbot.storage.schema import upgrade
from chatbot.web.server import SchemaNotReadyError, create_app

log = logging.getLogger("hmis-bot")


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    args = _parser().parse_args(argv)
    try:
        return int(args.run(args))
    except (PolicyError, SchemaNotReadyError) as error:
        sys.stderr.write(f"{error}\n")
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hmis-bot", description=__doc__)
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the HTTP server (Slack, health, metrics)")
    serve.add_argument("--host", default="0.0.0.0")  # noqa: S104 - a server is meant to listen
    serve.add_argument("--port", type=int, default=3000)
    serve.set_defaults(run=_serve)

    init = commands.add_parser("init", help="create or upgrade the schema; load the directory")
    init.set_defaults(run=_init)

    policy = commands.add_parser("policy", help="community file tools")
    policy_commands = policy.add_subparsers(required=True, metavar="ACTION")
    check = policy_commands.add_parser("check", help="validate a community YAML file")
    check.add_argument("file", type=Path)
    check.set_defaults(run=_policy_check)

    demo = commands.add_parser("demo", help="play the whole request lifecycle in the terminal")
    demo.set_defaults(run=_demo)

    console = commands.add_parser("console", help="act as anyone in the directory, in a terminal")
    console.add_argument("--as", dest="email", required=True, metavar="EMAIL")
    console.set_defaults(run=_console)

    audit = commands.add_parser("audit", help="audit log tools")
    audit_commands = audit.add_subparsers(required=True, metavar="ACTION")
    export = audit_commands.add_parser("export", help="write the audit log to standard output")
    export.add_argument(
        "--since", type=date.fromisoformat, help="only events on or after this date (YYYY-MM-DD)"
    )
    export.add_argument("--format", choices=("csv", "jsonl"), default="csv")
    export.set_defaults(run=_audit_export)

    sweep = commands.add_parser("sweep", help="run every scheduled nudge once and exit")
    sweep.add_argument(
        "--now", help="sweep as of this ISO 8601 moment (default: now; no offset: community time)"
    )
    sweep.add_argument("--dry-run", action="store_true", help="print what would be sent only")
    sweep.set_defaults(run=_sweep)

    imports = commands.add_parser("import", help="import reports exported from HMIS")
    import_commands = imports.add_subparsers(required=True, metavar="REPORT")
    logins = import_commands.add_parser("logins", help="last logins from a login report (CSV)")
    logins.add_argument("file", type=Path)
    logins.set_defaults(run=_import_logins)
    add_teams_commands(commands)
    return parser


def _serve(args: argparse.Namespace) -> int:
    web.run_app(create_app(Settings()), host=args.host, port=args.port, print=None)
    return 0


def _init(_args: argparse.Namespace) -> int:
    settings = Settings()
    community = load_community(settings.policy_path)
    db = Database(settings.database_url)
    upgrade(db.engine)
    with db.transaction() as session:
        sync_directory(session, community)
    log.info("schema is current and the directory of %s is loaded", community.community)
    return 0


def _policy_check(args: argparse.Namespace) -> int:
    community = load_community(args.file)
    sys.stdout.write(
        f"{args.file}: OK ({community.community}: {len(community.agencies)} agencies, "
        f"{len(community.access_roles)} access roles)\n"
    )
    return 0


def _audit_export(args: argparse.Namespace) -> int:
    db = Database(Settings().database_url)
    export_audit(db, sys.stdout, args.format, args.since)
    return 0


def _demo(_args: argparse.Namespace) -> int:
    run_demo()
    return 0


def _console(args: argparse.Namespace) -> int:
    run_interactive(args.email)
    return 0


def _sweep(args: argparse.Namespace) -> int:
    return run_sweep(Settings(), args.now, dry_run=args.dry_run, out=sys.stdout, err=sys.stderr)


def _import_logins(args: argparse.Namespace) -> int:
    return run_login_import(Settings(), args.file, sys.stdout, sys.stderr)
