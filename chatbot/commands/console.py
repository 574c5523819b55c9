"""Wires the console adapter to the application for ``hmis-bot demo`` and ``hmis-bot console``."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from adapters.console.demo import play_demo
from adapters.console.messenger import ConsoleMessenger
from adapters.console.repl import run_console
from adapters.console.session import ConsoleSession
from chatbot.policy import bundled_preset_path, load_community
from chatbot.runtime import Runtime, build_runtime
from chatbot.settings import Settings
from chatbot.storage.directory import sync_directory
from chatbot.storage.schema import upgrade
from flows.community import Community
from flows.model import Platform


def _write(text: str) -> None:
    print(text, flush=True)  # noqa: T201 - the terminal is this adapter's chat window


def _session(settings: Settings, community: Community) -> tuple[Runtime, ConsoleSession]:
    messenger = ConsoleMessenger(_write)
    runtime = build_runtime(settings, community, {Platform.CONSOLE: messenger})
    upgrade(runtime.db.engine)
    with runtime.db.transaction() as session:
        sync_directory(session, community)
    admins = frozenset(a.email for a in community.admins)
    return runtime, ConsoleSession(
        runtime.service, messenger, runtime.dispatcher.deliver_due, _write, admins
    )


def run_demo() -> None:
    """Plays the lifecycle on the bundled community in a throwaway SQLite database."""
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(HMIS_BOT_DATABASE_URL=f"sqlite:///{Path(folder) / 'demo.sqlite3'}")
        runtime, session = _session(settings, load_community(bundled_preset_path()))
        try:
            asyncio.run(play_demo(session))
        finally:
            runtime.db.dispose()


def run_interactive(email: str) -> None:
    settings = Settings()
    runtime, session = _session(settings, load_community(settings.policy_path))
    try:
        asyncio.run(run_console(session, email.strip().lower()))
    finally:
        runtime.db.dispose()
