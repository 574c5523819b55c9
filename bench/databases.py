"""Databases the benchmark creates for itself: SQLite files in its folder, or PostgreSQL
databases it creates on a server and drops afterwards."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

CONNECT_TIMEOUT = 3


def sqlite_url(folder: Path, name: str) -> str:
    return f"sqlite:///{folder / f'{name}.sqlite3'}"


def _conninfo(server_url: str) -> str:
    return make_url(server_url).set(drivername="postgresql").render_as_string(hide_password=False)


def postgres_problem(server_url: str) -> str | None:
    """Why the PostgreSQL server cannot be used, or None when it answers."""
    try:
        with psycopg.connect(_conninfo(server_url), connect_timeout=CONNECT_TIMEOUT):
            return None
    except psycopg.Error as error:
        return str(error).strip().splitlines()[0]


def create_postgres(server_url: str, prefix: str = "hmis_bench", template: str = "") -> str:
    """A new database on the server (a copy of ``template`` if given); its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    copy = f' TEMPLATE "{template}"' if template else ""
    with psycopg.connect(_conninfo(server_url), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"{copy}')
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def drop_postgres(server_url: str, database_url: str) -> None:
    name = make_url(database_url).database
    with psycopg.connect(_conninfo(server_url), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def postgres_database(server_url: str, prefix: str = "hmis_bench") -> Iterator[str]:
    url = create_postgres(server_url, prefix)
    try:
        yield url
    finally:
        drop_postgres(server_url, url)


@contextmanager
def bot_database(server_url: str | None, folder: Path, name: str) -> Iterator[str]:
    """An empty database for one bot: on the PostgreSQL server if given, else SQLite."""
    if server_url is None:
        yield sqlite_url(folder, name)
        return
    with postgres_database(server_url) as url:
        yield url


def engine_of(url: str) -> str:
    return "postgresql" if url.startswith("postgresql") else "sqlite"
