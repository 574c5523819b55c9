"""What every path shares: the fakes, the HTTP session, the servers, and the rows so far."""

from __future__ import annotations

import asyncio
import itertools
import math
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

from bench.fake_connector import FakeConnector
from bench.fake_slack import FakeSlack
from bench.load import One, Phase, measure, median
from bench.plan import Plan
from bench.processes import (
    SIGNING_SECRET,
    Pinning,
    Server,
    ServerSpec,
    baseline_spec,
    bot_environment,
    bot_spec,
    launch,
)
from bench.seed import pending_outbox
from bench.slack_requests import SlackSender
from bench.table import Row, Target, bot_below
from tests.requests import ADMIN, LEAD

LEAD_USER = "ULEAD"
ADMIN_USER = "UADMIN"
SLACK_USERS = {LEAD_USER: LEAD, ADMIN_USER: ADMIN}
RSS_LIMIT_MB = 120
DRAIN_SECONDS = 120.0
DRAIN_POLL = 0.2
CPU_BOUND = 0.85  # share of its core above which a server counts as CPU-bound


@dataclass
class Harness:
    plan: Plan
    pinning: Pinning
    session: aiohttp.ClientSession
    fake: FakeSlack
    connector: FakeConnector
    logs: Path
    database_url: str
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    servers: dict[str, Server] = field(default_factory=dict)
    idle_rss: dict[str, float] = field(default_factory=dict)
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    # Servers --------------------------------------------------------------------------------

    def bot_spec(self, name: str = "bot", database_url: str | None = None) -> ServerSpec:
        env = bot_environment(database_url or self.database_url, self.fake.base_url)
        return bot_spec(name, env, self.logs)

    def bolt_spec(self) -> ServerSpec:
        env = bot_environment(self.database_url, self.fake.base_url)
        return baseline_spec("bare-bolt", "bolt", env, self.logs, "--api-url", self.fake.base_url)

    def echo_spec(self) -> ServerSpec:
        env = bot_environment(self.database_url, self.fake.base_url)
        return baseline_spec("stock-echo", "echo", env, self.logs)

    async def start(self, spec: ServerSpec) -> Server:
        server = await launch(spec, self.pinning, self.session)
        self.servers[spec.name] = server
        return server

    async def stop(self, name: str) -> None:
        server = self.servers.pop(name, None)
        if server is not None:
            await server.stop()

    async def stop_all(self) -> None:
        for name in list(self.servers):
            await self.stop(name)

    def sender(self, server: Server) -> SlackSender:
        return SlackSender(self.session, server.url, SIGNING_SECRET)

    def runner(
        self, one: One, server: Server, concurrency: int, *, warmup: bool = True
    ) -> Callable[[], Awaitable[Phase]]:
        """One measured run of ``one`` against the server, sized by the plan."""
        plan = self.plan
        return lambda: measure(
            one,
            server,
            warmup=plan.warmup if warmup else 0,
            count=plan.count(concurrency),
            concurrency=concurrency,
            seconds=plan.seconds,
        )

    # Memory ---------------------------------------------------------------------------------

    def memory_row(self, label: str, bot: str, baseline: str, *, after_load: bool) -> None:
        """Resident memory of two running servers now; after a load, against the limit."""
        target = bot_below(RSS_LIMIT_MB, "MB") if after_load else None
        now = self.servers[bot].rss_mb()
        idle = self.idle_rss.setdefault(bot, now)
        self.rows.append(
            Row(
                f"RSS {label}",
                "-",
                "MB",
                now,
                self.servers[baseline].rss_mb(),
                target,
                limiter=f"{idle:.0f} MB before any load (what serve imports: SQLAlchemy, "
                "alembic, botbuilder with msrest and requests, on top of aiohttp and Bolt), "
                f"{now - idle:+.0f} MB since",
            )
        )


async def rotate(
    rotations: int,
    bot: Callable[[], Awaitable[Phase]],
    baseline: Callable[[], Awaitable[Phase]],
    settle: Callable[[], Awaitable[object]] | None = None,
) -> tuple[list[Phase], list[Phase]]:
    """Bot, baseline, bot, baseline...: each run's phases, in order; ``settle`` runs after
    each bot run (waiting out its background work, so the baseline runs on a quiet core)."""
    bots, baselines = [], []
    for _ in range(rotations):
        bots.append(await bot())
        if settle is not None:
            await settle()
        baselines.append(await baseline())
    return bots, baselines


async def drain_outbox(database_url: str, within: float = DRAIN_SECONDS) -> int:
    """Wait until the bot has delivered every due outbox row; how many are still pending."""
    deadline = time.perf_counter() + within
    pending = await asyncio.to_thread(pending_outbox, database_url)
    while pending and time.perf_counter() < deadline:
        await asyncio.sleep(DRAIN_POLL)
        pending = await asyncio.to_thread(pending_outbox, database_url)
    return pending


def phase_rows(
    path: str,
    concurrency: int,
    bots: Sequence[Phase],
    baselines: Sequence[Phase],
    *,
    rate: Target | None = None,
    p99: Target | None = None,
    hint: str = "",
) -> list[Row]:
    """Requests a second, p50, p99 and server CPU per request: medians of the rotations."""
    why = limiter(bots, baselines, hint)

    def row(figure: str, value: Callable[[Phase], float], target: Target | None) -> Row:
        return Row(
            path,
            str(concurrency),
            figure,
            median([value(p) for p in bots]),
            median([value(p) for p in baselines]),
            target,
            limiter=why,
        )

    return [
        row("req/s", lambda p: p.rate, rate),
        row("p50 ms", lambda p: p.percentile_ms(50), None),
        row("p99 ms", lambda p: p.percentile_ms(99), p99),
        row("CPU ms/req", lambda p: p.cpu_ms_per_request, None),
    ]


def limiter(bots: Sequence[Phase], baselines: Sequence[Phase], hint: str = "") -> str:
    """What the server's CPU time says about the bot's limit, plus what the path knows."""
    busy = median([p.cpu_busy for p in bots])
    cpu = median([p.cpu_ms_per_request for p in bots])
    base_cpu = median([p.cpu_ms_per_request for p in baselines])
    starved = median([p.starved for p in bots])
    kind = (
        "CPU-bound"
        if busy >= CPU_BOUND
        else "short of CPU (other processes share its core)"
        if busy + starved >= CPU_BOUND
        else "not CPU-bound (it waits)"
    )
    text = (
        f"{kind}: the bot kept its core {busy:.0%} busy and waited for it {starved:.0%} of "
        f"the time, {cpu:.2f} ms CPU per request against {base_cpu:.2f} ms for the baseline"
    )
    client = max(p.client_busy for p in [*bots, *baselines])
    if client >= CPU_BOUND:
        text += (
            f"; the load generator was {client:.0%} busy on its core, so the faster server's "
            "figures are a floor"
        )
    failures = sum(p.failures for p in bots)
    if failures:
        first = next(p.first_failure for p in bots if p.failures)
        text += f"; {failures} requests failed (first: {first[:160]})"
    return f"{text}; {hint}" if hint else text


def finite(value: float) -> float | None:
    return None if math.isnan(value) or math.isinf(value) else value
