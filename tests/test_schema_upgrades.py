"""Upgrades with several replicas: `hmis-bot init` (one replica, or a one-shot job) moves the
schema to this version's head, and every other command refuses, with one line, to work on a
schema that is not exactly that head: an old one (run `init`) or a newer one, which a later
version wrote (during a rolling upgrade, or after the image was rolled back), where `init`
must not run old migrations either."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import psycopg
import pytest
from alembic import command
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from chatbot.storage.database import Database
from chatbot.storage.models import Base
from chatbot.storage.schema import MIGRATION_LOCK, alembic_config, is_current
from tests.test_commands import HMIS_BOT, clean_env, free_port, run, the_one_problem

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


def waiting_for_the_lock(connection: psycopg.Connection[tuple[int]]) -> int:
    row = connection.execute(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
    ).fetchone()
    return row[0] if row else 0


@pytest.mark.postgresql
def test_replicas_that_each_run_init_wait_for_one_another(
    tmp_path: Path, empty_postgres: str
) -> None:
    """Three inits at once (as each replica's start would run it): the first migrates, the
    others wait for it and find the schema current; none fails."""
    conninfo = make_url(empty_postgres).set(drivername="postgresql")
    url = conninfo.render_as_string(hide_password=False)
    env = clean_env(HMIS_BOT_DATABASE_URL=empty_postgres)
    with psycopg.connect(url, autocommit=True) as holder:
        holder.execute("SELECT pg_advisory_lock(%s)", (MIGRATION_LOCK,))
        inits = [
            subprocess.Popen(
                [HMIS_BOT, "init"], cwd=tmp_path, env=env, stderr=subprocess.PIPE, text=True
            )
            for _ in range(3)
        ]
        deadline = time.monotonic() + 60
        while waiting_for_the_lock(holder) < len(inits):
            assert time.monotonic() < deadline, "the inits never reached the lock"
            assert all(init.poll() is None for init in inits), "an init did not wait"
            time.sleep(0.1)
        holder.execute("SELECT pg_advisory_unlock(%s)", (MIGRATION_LOCK,))
        results = [
            (init.wait(timeout=60), init.stderr.read() if init.stderr else "") for init in inits
        ]
    assert [code for code, _ in results] == [0, 0, 0], results
    assert sum("Running upgrade  -> 0001" in log for _, log in results) == 1
    db = Database(empty_postgres)
    try:
        assert is_current(db.engine)
        people = Base.metadata.tables["people"]
        with db.engine.connect() as connection:
            assert connection.scalar(select(func.count()).select_from(people))
    finally:
        db.dispose()
