"""How much the benchmark does: the full run, ``--quick`` and the CI ``--smoke`` run."""

from __future__ import annotations

import argparse
from dataclasses import dataclass, replace

PATHS = ("startup", "command", "button", "form", "teams", "fanout", "sweeps")
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


@dataclass(frozen=True)
class Plan:
    name: str
    rotations: int
    warmup: int
    requests: int
    """Measured requests per run of one server (at least 4 per worker at high concurrency)."""
    seconds: float
    """...or fewer: no request starts after this many seconds of a run."""
    concurrencies: tuple[int, ...]
    accounts: int
    open_requests: int
    due_accounts: int
    due_requests: int
    fanout: int
    fanout_people: int
    fanout_cap: float
    """Seconds the fan-out may take before it is reported unfinished."""
    paths: tuple[str, ...] = PATHS
    database_url: str | None = None
    """A PostgreSQL server URL to run the bot on (the bench creates its own databases)."""
    postgres_url: str | None = DEFAULT_POSTGRES
    """Where the form path's PostgreSQL run creates its database; None: skip it."""
    pin: bool = True

    def count(self, concurrency: int) -> int:
        return max(self.requests, 4 * concurrency)

    def runs(self, path: str) -> bool:
        return path in self.paths


FULL = Plan(
    name="full",
    rotations=3,
    warmup=100,
    requests=2000,
    seconds=20.0,
    concurrencies=(1, 16, 64),
    accounts=100_000,
    open_requests=10_000,
    due_accounts=100,
    due_requests=100,
    fanout=1000,
    fanout_people=50,
    fanout_cap=180.0,
)
QUICK = replace(
    FULL,
    name="quick",
    warmup=15,
    requests=200,
    seconds=5.0,
    accounts=20_000,
    open_requests=2_000,
    due_accounts=20,
    due_requests=20,
    fanout=200,
    fanout_people=20,
    fanout_cap=30.0,
)
SMOKE = replace(
    QUICK,
    name="smoke",
    rotations=1,
    warmup=2,
    requests=10,
    concurrencies=(1,),
    paths=("command",),
    postgres_url=None,
)


def parse(argv: list[str] | None = None) -> Plan:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="The bot against bare Bolt and stock botbuilder, measured in one run.",
    )
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="smaller runs: a few minutes")
    size.add_argument("--smoke", action="store_true", help="the smallest run, for CI")
    parser.add_argument(
        "--database-url",
        help="run the bot on this PostgreSQL server (postgresql+psycopg://USER@HOST/DB); the "
        "bench creates and drops its own databases there (default: SQLite files)",
    )
    parser.add_argument(
        "--postgres-url",
        default=DEFAULT_POSTGRES,
        help="PostgreSQL server for the form path's PostgreSQL run (default: %(default)s)",
    )
    parser.add_argument("--no-postgres", action="store_true", help="skip PostgreSQL runs")
    parser.add_argument(
        "--paths", help=f"comma-separated subset of {','.join(PATHS)} (default: all)"
    )
    parser.add_argument("--no-pin", action="store_true", help="do not pin processes to cores")
    args = parser.parse_args(argv)
    plan = SMOKE if args.smoke else QUICK if args.quick else FULL
    if args.paths:
        chosen = tuple(p.strip() for p in args.paths.split(",") if p.strip())
        unknown = set(chosen) - set(PATHS)
        if unknown:
            parser.error(f"unknown paths {sorted(unknown)}; choose from {', '.join(PATHS)}")
        plan = replace(plan, paths=chosen)
    postgres = None if args.no_postgres else args.database_url or args.postgres_url
    return replace(plan, database_url=args.database_url, postgres_url=postgres, pin=not args.no_pin)
