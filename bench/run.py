"""Runs every path of the plan and prints the table."""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from pathlib import Path

import aiohttp

from bench.databases import (
    bot_database,
    engine_of,
    postgres_database,
    postgres_problem,
    sqlite_url,
)
from bench.fake_connector import FakeConnector
from bench.fake_slack import FakeSlack
from bench.fanout import fanout_path
from bench.harness import SLACK_USERS, Harness
from bench.load import median
from bench.plan import Plan
from bench.processes import TOKEN, bot_environment, choose_pinning, init_database
from bench.seed import Approval, seed_approvals
from bench.slack_paths import approvals_needed, button_path, command_path, form_path
from bench.sweeps import sweeps_path
from bench.table import Row, missed, render
from bench.teams_path import teams_path

LOAD_PATHS = ("command", "button", "form", "teams", "fanout")


async def run(plan: Plan) -> str:
    """Measure everything the plan asks for; the report to print."""
    pinning = choose_pinning(plan.pin)
    pinning.pin_self()
    began, load_before = time.perf_counter(), os.getloadavg()[0]
    fake, connector = FakeSlack(TOKEN, SLACK_USERS), FakeConnector()
    await fake.start()
    await connector.start()
    try:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
            with (
                tempfile.TemporaryDirectory(prefix="hmis-bench-") as folder,
                bot_database(plan.database_url, Path(folder), "bot") as url,
            ):
                h = Harness(plan, pinning, session, fake, connector, Path(folder), url)
                try:
                    await _paths(h)
                finally:
                    await h.stop_all()
    finally:
        await fake.stop()
        await connector.stop()
    return report(h, time.perf_counter() - began, load_before)


async def _paths(h: Harness) -> None:
    clock = _Stopwatch()
    await init_database(bot_environment(h.database_url, h.fake.base_url))
    approvals = []
    if h.plan.runs("button"):
        approvals = await asyncio.to_thread(seed_approvals, h.database_url, approvals_needed(h))
    clock.lap("init and seeding")
    if h.plan.runs("startup"):
        await startup_path(h)
        clock.lap("startup")
    if any(h.plan.runs(p) for p in LOAD_PATHS):
        await _load_paths(h, clock, approvals)
    await h.stop_all()
    if h.plan.runs("sweeps"):
        await sweeps_path(h)
        clock.lap("sweeps")
    h.notes.append(f"seconds per path: {clock.summary()}")


async def _load_paths(h: Harness, clock: _Stopwatch, approvals: list[Approval]) -> None:
    """The paths that load the running bot, its memory noted after each."""
    await h.start(h.bot_spec())
    await h.start(h.bolt_spec())
    h.memory_row("idle", "bot", "bare-bolt", after_load=False)
    clock.lap("servers")
    if h.plan.runs("command"):
        await command_path(h)
        h.memory_row("after command load", "bot", "bare-bolt", after_load=True)
        clock.lap("command")
    if h.plan.runs("button"):
        await button_path(h, approvals)
        h.memory_row("after approve load", "bot", "bare-bolt", after_load=True)
        clock.lap("button")
    if h.plan.runs("form"):
        await form_path(h, h.servers["bot"], h.database_url)
        h.memory_row("after form load", "bot", "bare-bolt", after_load=True)
        await other_engine_form(h)
        clock.lap("form")
    if h.plan.runs("teams"):
        await teams_path(h)
        clock.lap("teams")
    if h.plan.runs("fanout"):
        await fanout_path(h)
        h.memory_row("after fan-out", "bot", "bare-bolt", after_load=True)
        clock.lap("fanout")


class _Stopwatch:
    """How long each path took, for the report's last note."""

    def __init__(self) -> None:
        self._laps: list[tuple[str, float]] = []
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self._laps.append((name, now - self._last))
        self._last = now

    def summary(self) -> str:
        return ", ".join(f"{name} {seconds:.0f}" for name, seconds in self._laps)


async def startup_path(h: Harness) -> None:
    """Process start to a healthy /healthz, bot and bare Bolt in turn."""
    bots, bolts = [], []
    for _ in range(h.plan.rotations):
        for spec, times in ((h.bot_spec("bot-start"), bots), (h.bolt_spec(), bolts)):
            server = await h.start(spec)
            times.append(server.started_in)
            await h.stop(spec.name)
    h.rows.append(Row("start-up to healthy /healthz", "-", "seconds", median(bots), median(bolts)))


async def other_engine_form(h: Harness) -> None:
    """The form path again on the other database engine, with a bot of its own."""
    if engine_of(h.database_url) == "postgresql":
        await _form_on(h, sqlite_url(h.logs, "form"))
        return
    server = h.plan.postgres_url
    problem = postgres_problem(server) if server else "--no-postgres"
    if server is None or problem:
        h.notes.append(f"form path on PostgreSQL skipped: {problem}")
        return
    with postgres_database(server) as url:
        await _form_on(h, url)


async def _form_on(h: Harness, url: str) -> None:
    engine = engine_of(url)
    await init_database(bot_environment(url, h.fake.base_url))
    server = await h.start(h.bot_spec(f"bot-{engine}", url))
    try:
        await form_path(h, server, url)
    finally:
        await h.stop(server.spec.name)


def report(h: Harness, seconds: float, load_before: float) -> str:
    plan = h.plan
    engine = engine_of(h.database_url)
    cores = os.cpu_count()
    lines = [
        f"HMIS Access Bot against bare Bolt and stock botbuilder: plan {plan.name}, "
        f"{plan.rotations} rotation(s) of bot then baseline, medians; bot on {engine}",
        f"{h.pinning.note}",
        f"load average (1 min) {load_before:.2f} before, {os.getloadavg()[0]:.2f} after, on "
        f"{cores} cores: a load near or above 1 means the numbers are noisy",
        "",
        render(h.rows),
        "",
        *missed(h.rows),
        *(f"note: {note}" for note in h.notes),
        f"run time {seconds:.0f} s",
    ]
    return "\n".join(lines)
