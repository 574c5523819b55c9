"""Wires the console adapter to the application for ``hmis-bot demo`` and ``hmis-bot console``."""

from __future__ import annotations

import asyncio
import signal
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from types import FrameType

from adapters.console.demo import play_demo
from adapters.console.messenger import ConsoleMessenger
from adapters.console.repl import run_console
from adapters.console.session import ConsoleSession
from chatbot.commands.audit_export import export_audit
from chatbot.community_calendar import business_calendar
from chatbot.policy import bundled_preset_path, load_community
from chatbot.runtime import Runtime, build_runtime
from chatbot.settings import Settings
from chatbot.storage.directory import sync_directory
from chatbot.storage.schema import upgrade
from flows.community import Community
from flows.model import Platform


def _write(text: str) -> None:
    print(text, flush=True)  # noqa: T201 - the terminal is this adapter's chat window


def console_session(
    settings: Settings, community: Community, write: Callable[[str], None] = _write
) -> tuple[Runtime, ConsoleSession]:
    """The application on ``settings``' database (created or upgraded, with the community's
    directory loaded) and a console session on it that prints with ``write``."""
    messenger = ConsoleMessenger(write)
    runtime = build_runtime(settings, community, {Platform.CONSOLE: messenger})
    upgrade(runtime.db.engine)
    with runtime.db.transaction() as session:
        sync_directory(session, community)
    admins = frozenset(a.email for a in community.admins)
    return runtime, ConsoleSession(
        runtime.service, messenger, runtime.dispatcher.deliver_due, write, admins
    )


def run_demo() -> None:
    """Plays the lifecycle on the bundled community in a throwaway SQLite database, then
    prints that database's audit log, since it is gone once the demo ends."""
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(HMIS_BOT_DATABASE_URL=f"sqlite:///{Path(folder) / 'demo.sqlite3'}")
        runtime, session = console_session(settings, load_community(bundled_preset_path()))
        try:
            asyncio.run(play_demo(session))
            community = runtime.community
            calendar = business_calendar(community)
            export_audit(
                runtime.db, sys.stdout, "csv", None, community=community, calendar=calendar
            )
        finally:
            runtime.db.dispose()


def run_interactive(email: str) -> None:
    settings = Settings()
    runtime, session = console_session(settings, load_community(settings.policy_path))
    interrupt = signal.signal(signal.SIGINT, _interrupt)
    try:
        asyncio.run(run_console(session, email.strip().lower()))
    except KeyboardInterrupt:
        _write("")  # Ctrl-C while the bot was working: leave quietly, as at the prompt
    finally:
        signal.signal(signal.SIGINT, interrupt)
        runtime.db.dispose()


def _interrupt(_signal: int, _frame: FrameType | None) -> None:
    """Ctrl-C as KeyboardInterrupt where the console waits for a line (asyncio's own handler
    would only cancel the session once that line came): the console cancels a form with it."""
    raise KeyboardInterrupt
