"""How long a nudge sweep takes over 100,000 accounts and 10,000 open requests, against the bare
SQL of the same selection measured in the same run.

A sweep runs one set-based query per rule (about twenty), then works on each due row: records
the nudge, moves the account or request, audits, and writes outbox rows. This seeds the
accounts and requests with ``--due`` percent of them due, times the bare selections (the same
SELECT statements through SQLAlchemy Core, every row fetched), then a sweep, then a second sweep
that finds nothing left to send against the bare selections again, and prints both ratios.

    .venv/bin/python -m bench.nudge_sweep [--accounts 100000] [--requests 10000] [--due 1]
                                          [--database-url URL]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Executable, insert, text

from chatbot.community_calendar import business_calendar
from chatbot.policy import bundled_preset_path, load_community
from chatbot.scheduling.sweeper import Sweeper
from chatbot.storage.database import Database
from chatbot.storage.directory import sync_directory
from chatbot.storage.models import Account, RequestRow
from chatbot.storage.nudge_ledger import account_selection, renewal_selection, request_selection
from chatbot.storage.schema import upgrade
from flows.accounts import AccountStatus
from flows.calendar import BusinessCalendar
from flows.community import Community
from flows.kinds import default_registry
from flows.kinds.new_user.details import NewUserState
from flows.model import Platform
from flows.nudges.plan import plan
from flows.nudges.rules import AccountRule, RenewalRule, RequestRule
from tests.conftest import START

CHUNK = 5_000
Due = Callable[[int], bool]
"""Whether the account or open request with this index (from 0) is due."""
OPEN_STATES = (
    NewUserState.AWAITING_VERIFICATION,
    NewUserState.TRAINING,
    NewUserState.AWAITING_APPROVAL,
    NewUserState.APPROVED,
)
DETAILS = {
    "requester_role": "Agency Lead / Technical Administrator",
    "directly_supervises": False,
    "supervisor_name": "Sam Supervisor",
    "supervisor_email": "sup@riverhouse.example.org",
    "coc_id": "sac",
    "access_role_id": "dss",
    "monitors_contracts": False,
    "additional_agency_ids": [],
    "background_check_attested": False,
}


def share(due: float) -> Due:
    """Each row due with probability ``due``."""
    return lambda _index: random.random() < due


def exactly(due: int, count: int, seed: int = 5) -> Due:
    """Exactly ``due`` of ``count`` rows due, picked at random (so open requests in every
    state are among them)."""
    picked = set(random.Random(seed).sample(range(count), due))
    return picked.__contains__


def account_rows(count: int, due: Due, now: datetime) -> Iterator[dict[str, Any]]:
    """Active accounts, each from its own (closed) request; the due ones are past the warning
    or the disable limit."""
    for i in range(count):
        if due(i):
            idle = timedelta(days=random.choice((50, 70)))
        else:
            idle = timedelta(days=random.uniform(0, 40))
        yield {
            "email": f"user{i}@riverhouse.example.org",
            "name": f"User {i}",
            "agency_id": random.choice(("river-house", "yolo-food-bank")),
            "access_role_id": "dss",
            "status": AccountStatus.ACTIVE.value,
            "created_at": now - timedelta(days=400),
            "activated_at": now - timedelta(days=399),
            "last_login_at": now - idle,
            "version": 1,
            "request_id": i + 1,
            "first_login_due": now - timedelta(days=399),
        }


def request_rows(accounts: int, count: int, due: Due, now: datetime) -> Iterator[dict[str, Any]]:
    """The closed requests the accounts came from, then open requests in every state that
    waits on someone; the due open ones are overdue."""
    for i in range(accounts + count):
        closed = i < accounts
        state = NewUserState.ACTIVE if closed else OPEN_STATES[i % len(OPEN_STATES)]
        overdue = not closed and due(i - accounts)
        ahead = timedelta(days=-2 if overdue else 20)
        entered = now - timedelta(days=300 if closed else 4 if overdue else 0.1)
        email = f"trainee{i}@riverhouse.example.org"
        yield {
            "id": i + 1,
            "kind": "new_user",
            "version": 2,
            "state": state.value,
            "requester_email": "lead@riverhouse.example.org",
            "subject_email": email,
            "subject_name": f"Trainee {i}",
            "agency_id": "river-house",
            "open_key": None if closed else email,
            "details": DETAILS,
            "filed_at": entered,
            "updated_at": entered,
            "state_entered_at": entered,
            "due_at": None if closed else now + ahead,
        }


def seed(
    db: Database,
    community: Community,
    accounts: int,
    requests: int,
    due: Due,
    *,
    due_requests: Due | None = None,
) -> None:
    """Seed the accounts and requests; ``due`` picks the due accounts, ``due_requests`` (by
    default ``due`` as well) the due open requests."""
    upgrade(db.engine)
    with db.transaction() as session:
        sync_directory(session, community)
    for model, rows in (
        (RequestRow, request_rows(accounts, requests, due_requests or due, START)),
        (Account, account_rows(accounts, due, START)),
    ):
        batch: list[dict[str, Any]] = []
        for row in rows:
            batch.append(row)
            if len(batch) == CHUNK:
                insert_batch(db, model, batch)
                batch = []
        if batch:
            insert_batch(db, model, batch)
    with db.engine.begin() as connection:
        connection.execute(text("ANALYZE"))


def insert_batch(db: Database, model: type[Account] | type[RequestRow], rows: list[Any]) -> None:
    with db.engine.begin() as connection:
        connection.execute(insert(model), rows)


def selections(community: Community, calendar: BusinessCalendar) -> list[Executable]:
    """The SELECT statements a sweep at START runs (meeting reminders need none)."""
    statements: list[Executable] = []
    for rule in plan(community, calendar, START, default_registry()):
        if isinstance(rule, RequestRule):
            statements.append(request_selection(rule))
        elif isinstance(rule, AccountRule):
            statements.append(account_selection(rule))
        elif isinstance(rule, RenewalRule):
            statements.append(renewal_selection(rule))
    return statements


def bare_sql(db: Database, statements: list[Executable], rounds: int = 3) -> tuple[float, int]:
    """The fastest of ``rounds`` runs of every selection, and the rows they returned."""
    best, rows = float("inf"), 0
    for _ in range(rounds):
        with db.engine.connect() as connection:
            started = time.perf_counter()
            rows = sum(len(connection.execute(s).all()) for s in statements)
            best = min(best, time.perf_counter() - started)
    return best, rows


def timed_sweep(sweeper: Sweeper) -> tuple[float, int]:
    started = time.perf_counter()
    queued = sweeper.sweep(START)
    return time.perf_counter() - started, len(queued)


def report(name: str, ours: float, baseline: float, rows: int, messages: int) -> None:
    print(
        f"{name:<26} {ours * 1000:9.1f} ms ({messages:5d} messages) | bare SQL of the same "
        f"selection {baseline * 1000:7.1f} ms ({rows:5d} rows) | ratio {ours / baseline:6.2f}x"
    )


def measure(database_url: str, accounts: int, requests: int, due_percent: float) -> None:
    random.seed(5)
    community = load_community(bundled_preset_path())
    calendar = business_calendar(community)
    db = Database(database_url)
    seed(db, community, accounts, requests, share(due_percent / 100))
    sweeper = Sweeper(db, community, calendar, default_registry(), (Platform.SLACK,))
    statements = selections(community, calendar)
    baseline, due_rows = bare_sql(db, statements)
    swept, messages = timed_sweep(sweeper)
    idle_baseline, idle_rows = bare_sql(db, statements)
    idle, idle_messages = min(timed_sweep(sweeper) for _ in range(3))
    db.dispose()
    print(
        f"{accounts} accounts, {requests} open requests, {due_percent:g}% due; "
        f"{len(statements)} selections; {database_url.split(':', 1)[0]}"
    )
    report("sweep, due rows to send", swept, baseline, due_rows, messages)
    report("sweep, nothing left due", idle, idle_baseline, idle_rows, idle_messages)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--due", type=float, default=1.0, help="percent of each that is due")
    parser.add_argument("--database-url", help="an empty database (default: a temporary SQLite)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        measure(url, args.accounts, args.requests, args.due)


if __name__ == "__main__":
    main()
