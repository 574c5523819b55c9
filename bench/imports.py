"""How long ``hmis-bot import users`` and ``hmis-bot import trainings`` take on exports of
20,000 rows, against a bare load of the same rows measured in the same run.

The baseline reads the same file with ``csv.reader`` and loads every row, as text, into a
scratch table with one column per CSV column: ``executemany`` through the sqlite3 driver on
SQLite, ``COPY ... FROM STDIN`` through psycopg on PostgreSQL. The import does what an operator
gets: it reads and checks every row, maps agencies, roles, statuses and courses, compares with
what the bot holds, writes accounts or training records with an audit row for each change,
moves last logins forward and counts completions for open requests, in one transaction. Each is
timed on its first run (everything new) and on a second run of the same file (nothing left to
change), the fastest of ``--rounds`` baselines against each.

    .venv/bin/python -m bench.imports [--rows 20000] [--rounds 3] [--database-url URL]
"""

from __future__ import annotations

import argparse
import csv
import io
import logging
import sqlite3
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from chatbot.commands.imports import run_training_import, run_user_import
from chatbot.policy import bundled_preset_path, load_community
from chatbot.settings import Settings
from chatbot.storage.database import Database
from chatbot.storage.directory import sync_directory
from chatbot.storage.schema import upgrade
from tests.import_files import staff_people, write_completions, write_staff

SCRATCH = "bench_import_rows"


def bare_load(database_url: str, path: Path, rounds: int) -> float:
    """The fastest of ``rounds`` loads of the file's rows into a scratch table of text
    columns, in one transaction each (the table is emptied before each round)."""
    with path.open(newline="", encoding="utf-8") as file:
        header, *rows = list(csv.reader(file))
    columns = ", ".join(f"c{i} text" for i in range(len(header)))
    load = _sqlite_load if database_url.startswith("sqlite") else _copy_load
    best = float("inf")
    for _ in range(rounds):
        best = min(best, load(database_url, columns, len(header), rows))
    return best


def _sqlite_load(url: str, columns: str, width: int, rows: list[list[str]]) -> float:
    connection = sqlite3.connect(make_url(url).database or "", isolation_level=None)
    try:
        connection.execute(f"CREATE TABLE IF NOT EXISTS {SCRATCH} ({columns})")
        connection.execute(f"DELETE FROM {SCRATCH}")  # noqa: S608 - a constant name
        marks = ", ".join("?" * width)
        started = time.perf_counter()
        connection.execute("BEGIN")
        connection.executemany(f"INSERT INTO {SCRATCH} VALUES ({marks})", rows)  # noqa: S608 - a constant name
        connection.execute("COMMIT")
        return time.perf_counter() - started
    finally:
        connection.execute(f"DROP TABLE {SCRATCH}")
        connection.close()


def _copy_load(url: str, columns: str, width: int, rows: list[list[str]]) -> float:
    conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo) as connection:
        connection.execute(f"CREATE TABLE IF NOT EXISTS {SCRATCH} ({columns})")
        connection.execute(f"TRUNCATE {SCRATCH}")
        connection.commit()
        started = time.perf_counter()
        with connection.cursor().copy(f"COPY {SCRATCH} FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row[:width])
        connection.commit()
        elapsed = time.perf_counter() - started
        connection.execute(f"DROP TABLE {SCRATCH}")
        connection.commit()
        return elapsed


def timed(run: Callable[..., int], settings: Settings, path: Path) -> tuple[float, str]:
    out, err = io.StringIO(), io.StringIO()
    started = time.perf_counter()
    status = run(settings, path, dry_run=False, out=out, err=err)
    elapsed = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"{path.name}: the import failed: {err.getvalue()}")
    return elapsed, out.getvalue().splitlines()[0].split("; ", 1)[1]


def report(name: str, ours: float, baseline: float, what: str) -> None:
    print(
        f"{name:<31} {ours * 1000:6.0f} ms | bare load of the same rows {baseline * 1000:6.1f} ms"
        f" | ratio {ours / baseline:6.1f}x | {what[:90]}"
    )


def measure(database_url: str, folder: Path, rows: int, rounds: int) -> None:
    today = datetime.now(UTC).date()
    people = staff_people(rows, today)
    staff = write_staff(folder / "staff.csv", people).path
    lms = write_completions(
        folder / "lms.csv", [p.email for p in people], rows=rows, today=today
    ).path
    db = Database(database_url)
    upgrade(db.engine)
    with db.transaction() as session:
        sync_directory(session, load_community(bundled_preset_path()))
    settings = Settings(HMIS_BOT_DATABASE_URL=database_url)
    print(f"{rows} rows per file; {database_url.split(':', 1)[0]}")
    for name, path, run in (
        ("import users", staff, run_user_import),
        ("import trainings", lms, run_training_import),
    ):
        baseline = bare_load(database_url, path, rounds)
        first, what = timed(run, settings, path)
        report(f"{name}, first run", first, baseline, what)
        again, what = timed(run, settings, path)
        report(f"{name}, same file again", again, baseline, what)
    db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=20_000, help="rows in each export")
    parser.add_argument("--rounds", type=int, default=3, help="baseline runs; the fastest counts")
    parser.add_argument("--database-url", help="an empty database (default: a temporary SQLite)")
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # "Slack adapter is off": no chat platform is needed here
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        measure(url, Path(folder), args.rows, args.rounds)


if __name__ == "__main__":
    main()
