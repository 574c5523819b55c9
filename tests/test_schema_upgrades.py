"""Upgrades with several replicas: `hmis-bot init` (one replica, or a one-shot job) moves the
schema to this version's head, and every other command refuses, with one line, to work on a
schema that is not exactly that head: an old one (run `init`) or a newer one, which a later
version wrote (during a rolling upgrade, or after the image was rolled back), where `init`
must not run old migrations either."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import text

from chatbot.storage.database import Database
from chatbot.storage.schema import alembic_config, is_current
from tests.test_commands import free_port, run, the_one_problem

OLD_REVISION = "0005_identity_names"
LATER_REVISION = "0099_from_a_later_version"
URL = "sqlite:///hmis-bot.sqlite3"


def at_revision(directory: Path, revision: str) -> Database:
    db = Database(f"sqlite:///{directory / 'hmis-bot.sqlite3'}")
    config = alembic_config(db.engine)
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    return db


def stored_revisions(db: Database) -> list[str]:
    with db.engine.connect() as connection:
        return list(connection.scalars(text("SELECT version_num FROM alembic_version")))


def test_an_old_schema_stops_serve_until_init_upgrades_it(tmp_path: Path) -> None:
    db = at_revision(tmp_path, OLD_REVISION)
    try:
        result = run("serve", "--host", "127.0.0.1", "--port", str(free_port()), cwd=tmp_path)
        assert the_one_problem(result) == (
            f"HMIS_BOT_DATABASE_URL: {URL} has no tables yet, or an old schema: "
            "run `hmis-bot init` first"
        )
        assert run("init", cwd=tmp_path).returncode == 0
        assert is_current(db.engine)
    finally:
        db.dispose()


def test_a_schema_a_later_version_wrote_is_refused_and_left_alone(tmp_path: Path) -> None:
    assert run("init", cwd=tmp_path).returncode == 0
    db = Database(f"sqlite:///{tmp_path / 'hmis-bot.sqlite3'}")
    later = text("UPDATE alembic_version SET version_num = :v")
    try:
        with db.engine.begin() as connection:
            connection.execute(later, {"v": LATER_REVISION})
        for args in (
            ["serve", "--host", "127.0.0.1", "--port", str(free_port())],
            ["init"],
            ["sweep", "--dry-run"],
            ["audit", "export"],
        ):
            assert the_one_problem(run(*args, cwd=tmp_path)) == (
                f"HMIS_BOT_DATABASE_URL: {URL} has a newer schema ({LATER_REVISION}) than this "
                "version of hmis-bot knows: run the version that upgraded it"
            ), args
        assert stored_revisions(db) == [LATER_REVISION]
    finally:
        db.dispose()
