"""Creates or upgrades the schema with Alembic, from inside the installed package."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
MIGRATION_LOCK = 0x686D_6973_696E_6974  # "hmisinit": the advisory lock key of `hmis-bot init`


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return config


def upgrade(engine: Engine) -> None:
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "heads")


def is_current(engine: Engine) -> bool:
    """True when every migration branch is applied (features may add independent branches)."""
    heads = set(_scripts(engine).get_heads())
    with engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads()) == heads


def unknown_revisions(engine: Engine) -> frozenset[str]:
    """The revisions the database is at that these migrations do not know: a newer version
    of the bot upgraded it (during an upgrade, or after a rollback of the image)."""
    known = {script.revision for script in _scripts(engine).walk_revisions()}
    with engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    return frozenset(current - known)


def _scripts(engine: Engine) -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config(engine))


@contextmanager
def migration_lock(engine: Engine) -> Iterator[None]:
    """One ``hmis-bot init`` at a time on a PostgreSQL database: replicas that each run it
    before serving wait here for the first, then find the schema current (two at once would
    create the same tables, and one would fail). SQLite serves one process: no lock."""
    if engine.dialect.name != "postgresql":
        yield
        return
    key = {"key": MIGRATION_LOCK}
    with engine.connect() as connection:
        connection.execute(text("SELECT pg_advisory_lock(:key)"), key)
        connection.commit()  # the lock is the session's; no transaction stays open
        try:
            yield
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), key)
            connection.commit()
