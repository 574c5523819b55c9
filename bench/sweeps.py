"""Nudge sweeps, in a process of their own pinned like the server: the full sweep against the
bare SQL selecting the same due rows, and the sweep as the accounts grow tenfold with the due
rows fixed. Each rotation sweeps a fresh copy of the seeded database (a sweep changes it).

    python -m bench.sweeps --accounts 100000 --requests 10000 --due-accounts 100 \\
        --due-requests 100 [--rotations 3] [--grow 10] [--postgres URL]   # prints JSON
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import shutil
import sys
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from bench.databases import create_postgres, drop_postgres, engine_of, sqlite_url
from bench.harness import Harness
from bench.load import median
from bench.nudge_sweep import bare_sql, exactly, seed, selections, timed_sweep
from bench.table import Row, ratio_at_most
from chatbot.community_calendar import business_calendar
from chatbot.policy import bundled_preset_path, load_community
from chatbot.scheduling.sweeper import Sweeper
from chatbot.storage.database import Database
from flows.kinds import default_registry
from flows.model import Platform

GROWTH = 10
SWEEP_TARGET = 3.0  # the whole sweep within 3x the bare selection of its due rows
FLAT_TARGET = 1.2  # "flat": at most 20 % slower with ten times the accounts


@dataclass
class Store:
    """Seeded databases and the fresh copies each rotation sweeps."""

    folder: Path
    server: str | None
    made: list[str] = field(default_factory=list)

    def seeded(self, name: str, accounts: int, requests: int, due: tuple[int, int]) -> str:
        url = (
            sqlite_url(self.folder, name)
            if self.server is None
            else create_postgres(self.server, "hmis_sweep_seed")
        )
        self.made.append(url)
        random.seed(5)
        db = Database(url)
        community = load_community(bundled_preset_path())
        seed(
            db,
            community,
            accounts,
            requests,
            exactly(due[0], accounts),
            due_requests=exactly(due[1], requests),
        )
        db.dispose()  # SQLite checkpoints its write-ahead log when the last connection closes
        return url

    def copy(self, url: str) -> str:
        if self.server is not None:
            template = str(make_url(url).database)
            copied = create_postgres(self.server, "hmis_sweep_run", template=template)
        else:
            source = str(make_url(url).database)
            copied = sqlite_url(self.folder, f"run-{uuid.uuid4().hex[:8]}")
            target = str(make_url(copied).database)
            for suffix in ("", "-wal"):
                if Path(source + suffix).exists():
                    shutil.copyfile(source + suffix, target + suffix)
        self.made.append(copied)
        return copied

    def drop(self, url: str) -> None:
        if self.server is not None:
            drop_postgres(self.server, url)
        else:
            for suffix in ("", "-wal", "-shm"):
                Path(str(make_url(url).database) + suffix).unlink(missing_ok=True)
        self.made.remove(url)

    def drop_all(self) -> None:
        for url in list(self.made):
            self.drop(url)


def sweep_once(url: str) -> dict[str, float]:
    """The bare selections (fastest of three), then a sweep, on one database; then a second
    sweep, which finds nothing left to send: the sweep's fixed cost."""
    community = load_community(bundled_preset_path())
    calendar = business_calendar(community)
    db = Database(url)
    try:
        statements = selections(community, calendar)
        bare, rows = bare_sql(db, statements)
        sweeper = Sweeper(db, community, calendar, default_registry(), (Platform.SLACK,))
        swept, messages = timed_sweep(sweeper)
        idle, _ = timed_sweep(sweeper)
    finally:
        db.dispose()
    return {"bare": bare, "rows": rows, "sweep": swept, "messages": messages, "idle": idle}


def measure(args: argparse.Namespace) -> dict[str, list[dict[str, float]]]:
    due = (args.due_accounts, args.due_requests)
    results: dict[str, list[dict[str, float]]] = {"large": [], "small": []}
    with tempfile.TemporaryDirectory() as folder:
        store = Store(Path(folder), args.postgres)
        try:
            seeded = {
                "large": store.seeded("large", args.accounts, args.requests, due),
                "small": store.seeded("small", args.accounts // args.grow, args.requests, due),
            }
            for _ in range(args.rotations):
                for size, template in seeded.items():
                    copy = store.copy(template)
                    results[size].append(sweep_once(copy))
                    store.drop(copy)
        finally:
            store.drop_all()
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--accounts", type=int, required=True)
    parser.add_argument("--requests", type=int, required=True)
    parser.add_argument("--due-accounts", type=int, required=True)
    parser.add_argument("--due-requests", type=int, required=True)
    parser.add_argument("--rotations", type=int, default=3)
    parser.add_argument("--grow", type=int, default=GROWTH)
    parser.add_argument("--postgres", help="a PostgreSQL server URL (default: SQLite files)")
    args = parser.parse_args(argv)
    print(json.dumps(measure(args)))


# In the harness ----------------------------------------------------------------------------


async def sweeps_path(h: Harness) -> None:
    plan = h.plan
    argv = [
        sys.executable,
        "-m",
        "bench.sweeps",
        f"--accounts={plan.accounts}",
        f"--requests={plan.open_requests}",
        f"--due-accounts={plan.due_accounts}",
        f"--due-requests={plan.due_requests}",
        f"--rotations={plan.rotations}",
    ]
    if plan.database_url:
        argv.append(f"--postgres={plan.database_url}")
    child = await asyncio.create_subprocess_exec(
        *h.pinning.argv(argv),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await child.communicate()
    if child.returncode != 0:
        h.notes.append(f"sweeps failed: {err.decode(errors='replace')[-800:]}")
        return
    h.rows += sweep_rows(h, json.loads(out))


def sweep_rows(h: Harness, results: dict[str, list[dict[str, Any]]]) -> list[Row]:
    plan = h.plan
    large, small = results["large"], results["small"]

    def med(runs: list[dict[str, Any]], key: str) -> float:
        return median([float(run[key]) for run in runs])

    engine = engine_of(plan.database_url or "sqlite")
    due = f"{plan.due_accounts}+{plan.due_requests} due"
    why = _sweep_limiter(med(large, "idle"), med(large, "messages"), med(large, "rows"))
    grown = f"{plan.accounts // GROWTH:,} -> {plan.accounts:,} accounts"
    return [
        Row(
            f"nudge sweep vs bare SQL ({plan.accounts:,} accts, "
            f"{plan.open_requests:,} reqs, {due}, {engine})",
            "-",
            "ms",
            med(large, "sweep") * 1000,
            med(large, "bare") * 1000,
            ratio_at_most(SWEEP_TARGET),
            limiter=why,
        ),
        Row(
            f"nudge sweep as accounts grow ({grown}, due fixed)",
            "-",
            "ms",
            med(large, "sweep") * 1000,
            med(small, "sweep") * 1000,
            ratio_at_most(FLAT_TARGET),
            limiter="the bare SQL row below shows whether the selections themselves grow",
        ),
        Row(
            f"bare SQL as accounts grow ({grown})",
            "-",
            "ms",
            med(large, "bare") * 1000,
            med(small, "bare") * 1000,
        ),
    ]


def _sweep_limiter(idle: float, messages: float, rows: float) -> str:
    return (
        f"a sweep that finds nothing due already takes {idle * 1000:.0f} ms "
        "(chatbot/scheduling/sweeper.py runs each of the plan's rules in its own write "
        "transaction and builds its SELECTs anew each time); the "
        f"{messages:.0f} messages from {rows:.0f} due rows add the per-row work (nudge "
        "record, compare-and-set with audit, outbox rows)"
    )


if __name__ == "__main__":
    main()
