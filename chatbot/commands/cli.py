"""``hmis-bot``: the operator's command line.

Mistakes an operator can fix (a bad setting or option, a database that does not answer, a port
in use) end in one line on standard error naming what to fix, and exit status 2.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from aiohttp import web
from sqlalchemy.exc import OperationalError, ProgrammingError

from chatbot.catalog import UnknownPresetError, catalog, preset_path
from chatbot.commands.arguments import Commands, Parser, add_command, iso_date, port
from chatbot.commands.audit_export import export_audit
from chatbot.commands.console import run_demo, run_interactive
from chatbot.commands.errors import (
    DATABASE_URL,
    CommandError,
    bind_failed,
    check_database_url,
    database_failed,
    require_current_schema,
    schema_not_ready,
)
from chatbot.commands.imports import run_training_import, run_user_import
from chatbot.commands.sweep import run_login_import, run_sweep
from chatbot.commands.teams_package import add_teams_commands
from chatbot.community_calendar import business_calendar
from chatbot.policy import PolicyError, load_community
from chatbot.settings import ENVIRONMENT, Settings, SettingsError, load_settings
from chatbot.storage.database import Database
from chatbot.storage.directory import sync_directory
from chatbot.storage.schema import migration_lock, unknown_revisions, upgrade
from chatbot.web.server import SchemaNotReadyError, create_app

log = logging.getLogger("hmis-bot")

DESCRIPTION = (
    "Operate the HMIS Access Bot: serve Slack and Teams, set up the database, check a community "
    "file, send nudges, import staff lists, login reports and training completions, export "
    "the audit log. Each command's --help lists "
    "the environment variables it reads; README.md explains the set-up."
)
DEFAULT_PORT = 3000  # the Dockerfile's EXPOSE and HEALTHCHECK use it too
COMMUNITY = (DATABASE_URL, "HMIS_BOT_POLICY")
PLATFORMS = (
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "MICROSOFT_APP_ID",
    "MICROSOFT_APP_PASSWORD",
    "MICROSOFT_APP_TENANT_ID",
    "MICROSOFT_APP_TYPE",
    "HMIS_BOT_TEAMS_DEV_MODE",
)
"""What decides which chat platforms get messages: sweeps and imports queue only for those."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command. A mistake the operator can fix ends in one line on standard error and
    exit status 2; each kind is caught by its own exception type, anything else is a bug."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)  # migrations are news in `init` only
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # the sweeps log their own runs
    args = _parser().parse_args(argv)
    try:
        _check_environment(args.reads)
        return int(args.run(args))
    except (CommandError, SettingsError) as error:
        message = str(error)
    except SchemaNotReadyError as error:
        message = str(schema_not_ready(load_settings().database_url, error.newer))
    except PolicyError as error:
        message = f"HMIS_BOT_POLICY: {error}" if "HMIS_BOT_POLICY" in args.reads else str(error)
    except (OperationalError, ProgrammingError) as error:
        message = str(database_failed(error, load_settings().database_url))
    sys.stderr.write(f"{message}\n")
    return 2


def _check_environment(reads: Sequence[str]) -> None:
    """Name a variable holding an unusable value before the command starts on its work."""
    if reads:
        settings = load_settings()
        if DATABASE_URL in reads:
            check_database_url(settings.database_url)


def _parser() -> Parser:
    parser = Parser(prog="hmis-bot", description=DESCRIPTION)
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    serve = add_command(
        commands, "serve", "run the HTTP server (Slack, Teams, health, metrics)", tuple(ENVIRONMENT)
    )
    serve.add_argument("--host", default="0.0.0.0")  # noqa: S104 - a server is meant to listen
    serve.add_argument("--port", type=port, default=DEFAULT_PORT)
    serve.set_defaults(run=_serve)

    init = add_command(
        commands, "init", "create or upgrade the schema; load the directory", COMMUNITY
    )
    init.add_argument(
        "--preset",
        metavar="NAME",
        help="start from this bundled community file (`hmis-bot policy list` names them) "
        "instead of HMIS_BOT_POLICY",
    )
    init.set_defaults(run=_init)

    policy = commands.add_parser("policy", help="community file tools")
    tools = _actions(policy)
    check = add_command(tools, "check", "validate a community YAML file", ())
    check.add_argument("file", type=Path)
    check.set_defaults(run=_policy_check)
    listing = add_command(tools, "list", "list the bundled community presets, one line each", ())
    listing.set_defaults(run=_policy_list)

    _add_terminal_commands(commands)
    _add_audit_commands(commands)
    _add_nudge_commands(commands)
    add_teams_commands(commands)
    return parser


def _actions(group: Parser, metavar: str = "ACTION") -> Commands[Parser]:
    return group.add_subparsers(required=True, metavar=metavar)


def _add_terminal_commands(commands: Commands[Parser]) -> None:
    demo = add_command(commands, "demo", "play the whole request lifecycle in the terminal", ())
    demo.set_defaults(run=_demo)
    console = add_command(
        commands, "console", "act as anyone in the directory, in a terminal", COMMUNITY
    )
    console.add_argument("--as", dest="email", required=True, metavar="EMAIL")
    console.set_defaults(run=_console)


def _add_audit_commands(commands: Commands[Parser]) -> None:
    audit = commands.add_parser("audit", help="audit log tools")
    export = add_command(
        _actions(audit), "export", "write the audit log to standard output", COMMUNITY
    )
    export.add_argument(
        "--since",
        type=iso_date,
        help="only events on or after this date (YYYY-MM-DD, in the community's time zone)",
    )
    export.add_argument("--format", choices=("csv", "jsonl"), default="csv")
    export.set_defaults(run=_audit_export)


def _add_nudge_commands(commands: Commands[Parser]) -> None:
    sweep = add_command(
        commands, "sweep", "run every scheduled nudge once and exit", (*COMMUNITY, *PLATFORMS)
    )
    sweep.add_argument(
        "--now", help="sweep as of this ISO 8601 moment (default: now; no offset: community time)"
    )
    sweep.add_argument("--dry-run", action="store_true", help="print what would be sent only")
    sweep.set_defaults(run=_sweep)

    imports = commands.add_parser("import", help="import reports exported from HMIS or the LMS")
    reports = _actions(imports, "REPORT")
    logins = add_command(
        reports, "logins", "last logins from a login report (CSV)", (*COMMUNITY, *PLATFORMS)
    )
    logins.add_argument("file", type=Path)
    logins.set_defaults(run=_import_logins)
    for name, description, run in (
        ("users", "accounts from the HMIS staff list (CSV)", _import_users),
        ("trainings", "training completions from the LMS (CSV)", _import_trainings),
    ):
        report = add_command(reports, name, description, (*COMMUNITY, *PLATFORMS))
        report.add_argument("file", type=Path)
        report.add_argument(
            "--dry-run", action="store_true", help="print what would change; save nothing"
        )
        report.set_defaults(run=run)


def _serve(args: argparse.Namespace) -> int:
    app = create_app(load_settings())
    try:
        web.run_app(app, host=args.host, port=args.port, print=_listening(args.host, args.port))
    except OSError as error:
        problem = bind_failed(error, args.host, args.port)
        if problem is None:
            raise
        raise problem from None
    return 0


def _listening(host: str, port: int) -> Callable[[str], None]:
    """aiohttp calls this once the server listens (instead of printing its banner)."""

    def announce(_banner: str) -> None:
        log.info("listening on http://%s:%d", host, port)

    return announce


def _init(args: argparse.Namespace) -> int:
    logging.getLogger("alembic").setLevel(logging.INFO)
    settings = load_settings()
    policy_path = settings.policy_path if args.preset is None else _preset(args.preset, settings)
    community = load_community(policy_path)
    db = Database(settings.database_url)
    try:
        with migration_lock(db.engine):
            if newer := unknown_revisions(db.engine):
                raise schema_not_ready(settings.database_url, newer)
            upgrade(db.engine)
            with db.transaction() as session:
                sync_directory(session, community)
    finally:
        db.dispose()
    log.info("schema is current and the directory of %s is loaded", community.community)
    if args.preset is not None:
        log.info(
            "serve and sweep with HMIS_BOT_POLICY=%s (or copy %s, make it your own and set "
            "HMIS_BOT_POLICY to the copy)",
            args.preset,
            policy_path,
        )
    return 0


def _preset(name: str, settings: Settings) -> Path:
    """The bundled preset ``init --preset`` loads; refused when HMIS_BOT_POLICY names another
    file, which serve would then run with."""
    try:
        path = preset_path(name)
    except UnknownPresetError as error:
        raise CommandError(f"--preset: {error}") from None
    if "policy_path" in settings.model_fields_set and settings.policy_path != path:
        raise CommandError(
            f"--preset {name} and HMIS_BOT_POLICY={settings.policy_path} name different "
            "community files: give one of them"
        )
    return path


def _policy_check(args: argparse.Namespace) -> int:
    community = load_community(args.file)
    sys.stdout.write(
        f"{args.file}: OK ({community.community}: {len(community.agencies)} agencies, "
        f"{len(community.access_roles)} access roles)\n"
    )
    return 0


def _policy_list(_args: argparse.Namespace) -> int:
    entries = catalog()
    width = max(len(entry.name) for entry in entries)
    for entry in entries:
        line = f"{entry.name.ljust(width)}  {entry.community}"
        sys.stdout.write(f"{line}: {entry.summary}\n" if entry.summary else f"{line}\n")
    return 0


def _audit_export(args: argparse.Namespace) -> int:
    settings = load_settings()
    community = load_community(settings.policy_path)
    db = Database(settings.database_url)
    try:
        require_current_schema(db.engine, settings.database_url)
        calendar = business_calendar(community)
        export_audit(
            db, sys.stdout, args.format, args.since, community=community, calendar=calendar
        )
    finally:
        db.dispose()
    return 0


def _demo(_args: argparse.Namespace) -> int:
    run_demo()
    return 0


def _console(args: argparse.Namespace) -> int:
    run_interactive(args.email)
    return 0


def _sweep(args: argparse.Namespace) -> int:
    return run_sweep(
        load_settings(), args.now, dry_run=args.dry_run, out=sys.stdout, err=sys.stderr
    )


def _import_logins(args: argparse.Namespace) -> int:
    return run_login_import(load_settings(), args.file, sys.stdout, sys.stderr)


def _import_users(args: argparse.Namespace) -> int:
    return run_user_import(
        load_settings(), args.file, dry_run=args.dry_run, out=sys.stdout, err=sys.stderr
    )


def _import_trainings(args: argparse.Namespace) -> int:
    return run_training_import(
        load_settings(), args.file, dry_run=args.dry_run, out=sys.stdout, err=sys.stderr
    )
