"""A closed-loop load generator: ``concurrency`` workers, each sending its next request once
its previous one completed, with a warm-up that is not measured."""

from __future__ import annotations

import asyncio
import math
import statistics
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

import aiohttp

from bench.processes import Server

COMPLETION_TIMEOUT = 30.0  # seconds for one request to reach its effect before it counts failed

One = Callable[[], Awaitable[float]]
"""Sends one request and returns its latency in seconds (to the effect that completes it)."""


class LoadError(RuntimeError):
    """One request failed (an HTTP error, a refusal, a missing effect)."""


class ExhaustedError(LoadError):
    """Nothing left to send (such as requests waiting for approval): the run ends early."""


@dataclass(frozen=True)
class Phase:
    """One measured run of one server."""

    latencies: tuple[float, ...]
    wall: float
    failures: int
    cpu: float
    """Server CPU seconds used during the run."""
    client_cpu: float
    """CPU seconds the load generator (with the fakes) used during the run."""
    cpu_wait: float
    """Seconds the server was ready to run but waited for its core (other processes)."""
    first_failure: str = ""

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.wall if self.wall else 0.0

    def percentile_ms(self, q: float) -> float:
        """Nearest-rank percentile, in milliseconds."""
        ordered = sorted(self.latencies)
        if not ordered:
            return math.nan
        return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)] * 1000

    @property
    def cpu_ms_per_request(self) -> float:
        return self.cpu * 1000 / len(self.latencies) if self.latencies else math.nan

    @property
    def cpu_busy(self) -> float:
        """Share of one core the server used."""
        return self.cpu / self.wall if self.wall else 0.0

    @property
    def starved(self) -> float:
        """Share of the run the server spent waiting for its core."""
        return self.cpu_wait / self.wall if self.wall else 0.0

    @property
    def client_busy(self) -> float:
        """Share of one core the load generator and the fakes used."""
        return self.client_cpu / self.wall if self.wall else 0.0


async def closed_loop(
    one: One, count: int, concurrency: int, seconds: float = math.inf
) -> tuple[list[float], float, int, str]:
    """Run ``count`` requests through ``concurrency`` workers, none started after ``seconds``:
    latencies, wall seconds, failures and the first failure's message."""
    remaining = iter(range(count))
    latencies: list[float] = []
    failures: list[str] = []
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        for _ in remaining:
            if time.perf_counter() > deadline:
                return
            try:
                latencies.append(await asyncio.wait_for(one(), COMPLETION_TIMEOUT))
            except ExhaustedError:
                return
            except (LoadError, TimeoutError, aiohttp.ClientError) as error:
                failures.append(f"{type(error).__name__}: {error}")

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies, time.perf_counter() - began, len(failures), (failures or [""])[0]


async def measure(
    one: One,
    server: Server,
    *,
    warmup: int,
    count: int,
    concurrency: int,
    seconds: float = math.inf,
) -> Phase:
    """A warm-up at the same concurrency, then the measured run (of ``count`` requests, or
    fewer when ``seconds`` run out first)."""
    if warmup:
        await closed_loop(one, warmup, concurrency, seconds / 2)
    cpu, client, wait = server.cpu_seconds(), time.process_time(), server.cpu_wait_seconds()
    latencies, wall, failures, first = await closed_loop(one, count, concurrency, seconds)
    used, client_used = server.cpu_seconds() - cpu, time.process_time() - client
    waited = server.cpu_wait_seconds() - wait
    return Phase(tuple(latencies), wall, failures, used, client_used, waited, first)


def median(values: Sequence[float]) -> float:
    finite = [v for v in values if not math.isnan(v)]
    return statistics.median(finite) if finite else math.nan
