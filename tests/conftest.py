"""Shared fixtures: a real database per test on SQLite and on PostgreSQL, and a settable clock.

PostgreSQL runs on the server at HMIS_BOT_TEST_POSTGRES_URL (default: the local one). It is
skipped when unreachable, unless HMIS_BOT_REQUIRE_POSTGRES=1 (set by CI), where that fails.
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from hypothesis import settings
from sqlalchemy import text
from sqlalchemy.engine import make_url

from chatbot.community_calendar import business_calendar
from chatbot.policy import bundled_preset_path, load_community
from chatbot.service import BotService
from chatbot.storage.database import Database
from chatbot.storage.directory import sync_directory
from chatbot.storage.models import Base
from chatbot.storage.schema import upgrade
from flows.community import Community
from flows.kinds import default_registry
from flows.memory import MemoryLedger
from flows.model import Platform
from tests.drive import Driver, memory_driver, service_driver
from tests.privacy_scan import SCAN, ScanningHandler

POSTGRES_URL = os.environ.get(
    "HMIS_BOT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
REQUIRE_POSTGRES = os.environ.get("HMIS_BOT_REQUIRE_POSTGRES") == "1"

# Property-based tests: "ci" (the default) draws the same examples on every run, so a failure
# reproduces and CI is deterministic; HYPOTHESIS_PROFILE=explore draws new ones each run.
settings.register_profile("ci", derandomize=True, deadline=None, database=None, print_blob=True)
settings.register_profile("explore", deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# Monday 16 Nov 2026, 10:00 in Sacramento: a business day, inside business hours.
START = datetime(2026, 11, 16, 18, 0, tzinfo=UTC)


@dataclass
class Clock:
    now: datetime = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(scope="session")
def community() -> Community:
    return load_community(bundled_preset_path())


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A fresh PostgreSQL database for this test run, migrated once, dropped at the end."""
    admin_url = make_url(POSTGRES_URL)
    conninfo = admin_url.set(drivername="postgresql").render_as_string(hide_password=False)
    name = f"hmis_test_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(conninfo, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        if REQUIRE_POSTGRES:
            pytest.fail(f"PostgreSQL is required (HMIS_BOT_REQUIRE_POSTGRES=1) but: {error}")
        pytest.skip(f"PostgreSQL not reachable: {error}")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        url = admin_url.set(database=name).render_as_string(hide_password=False)
        db = Database(url)
        upgrade(db.engine)
        db.dispose()
        yield url
        admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.fixture
def empty_postgres() -> Iterator[str]:
    """A PostgreSQL database with no schema, by URL."""
    admin_url = make_url(POSTGRES_URL)
    conninfo = admin_url.set(drivername="postgresql").render_as_string(hide_password=False)
    name = f"hmis_init_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(conninfo, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        if REQUIRE_POSTGRES:
            pytest.fail(f"PostgreSQL is required but: {error}")
        pytest.skip(f"PostgreSQL not reachable: {error}")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        yield admin_url.set(database=name).render_as_string(hide_password=False)
        admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return fresh_database(request, str(request.param), tmp_path)


def fresh_database(request: pytest.FixtureRequest, engine: str, tmp_path: Path) -> str:
    """An empty, migrated database on ``engine`` (sqlite or postgresql), by URL."""
    if engine == "sqlite":
        url = f"sqlite:///{tmp_path / 'bot.sqlite3'}"
        db = Database(url)
        upgrade(db.engine)
        db.dispose()
        return url
    url: str = request.getfixturevalue("postgres_database")
    db = Database(url)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with db.engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    db.dispose()
    return url


@pytest.fixture(
    params=["memory", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)]
)
def driver(
    request: pytest.FixtureRequest, tmp_path: Path, community: Community, clock: Clock
) -> Iterator[Driver]:
    """Request kinds as plain calls: on the in-memory ledger, or through the service's
    transaction on each database."""
    calendar = business_calendar(community)
    if request.param == "memory":
        yield memory_driver(community, calendar, default_registry(), MemoryLedger(clock))
        return
    db = Database(fresh_database(request, str(request.param), tmp_path))
    with db.transaction() as session:
        sync_directory(session, community)
    service = BotService(db, community, calendar, clock, (Platform.SLACK,), default_registry())
    yield service_driver(service)
    db.dispose()


@pytest.fixture
def database(database_url: str, community: Community) -> Iterator[Database]:
    db = Database(database_url)
    with db.transaction() as session:
        sync_directory(session, community)
    yield db
    db.dispose()


def pytest_sessionstart(session: pytest.Session) -> None:
    """The privacy scan sees every log line emitted in this process (loggers keep their
    levels; the ``serve`` processes' log files, at INFO, are scanned whole)."""
    logging.getLogger().addHandler(ScanningHandler())


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run when the bot said or logged client data or a secret (``privacy_scan``)."""
    SCAN.check_log_files()
    if SCAN.findings:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.section("privacy scan: the bot said or logged what it must not", red=True)
            for finding in SCAN.findings:
                reporter.write_line(f"  {finding}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Long variants (marked ``slow``) run only when asked for: ``pytest -m slow``."""
    if "slow" in (config.getoption("markexpr") or ""):
        return
    skip = pytest.mark.skip(reason="a long variant: run it with `pytest -m slow`")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
