"""The benchmark harness keeps working: its smallest run end to end (the bot and bare Bolt as
their own processes, signed requests, the one table), and the pieces that decide its verdicts
(Slack's rate limits, the table's targets)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bench.slack_limits import Bucket, RateLimits, minimum_seconds
from bench.table import Row, bot_below, missed, ratio_at_least, render

ROOT = Path(__file__).resolve().parent.parent
SMOKE_TIMEOUT = 120  # seconds; the run itself takes about 20 on a quiet machine


def test_smallest_run_prints_one_table_of_ratios() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--smoke"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=SMOKE_TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    assert sum(1 for line in lines if line.startswith("path ")) == 1
    rate = next(line for line in lines if "/hmis-access" in line and "req/s" in line)
    *_, bot, baseline, ratio, target, met = rate.replace(",", "").split()
    assert float(ratio.removesuffix("x")) == pytest.approx(float(bot) / float(baseline), rel=0.05)
    assert (target, met in ("yes", "NO")) == (">=1x", True)
    assert any(line.startswith("RSS idle") for line in lines)


def test_a_channel_takes_one_post_a_second_and_says_how_long_to_wait() -> None:
    limits = RateLimits()
    assert limits.retry_after("chat.postMessage", "C1", now=100.0) == 0
    assert limits.retry_after("chat.postMessage", "C2", now=100.0) == 0
    assert limits.retry_after("chat.postMessage", "C1", now=100.2) == 1
    assert limits.retry_after("chat.postMessage", "C1", now=101.0) == 0


def test_a_tier_allows_a_minute_of_calls_at_once_then_refills_evenly() -> None:
    tier3 = Bucket(capacity=50, per_second=50 / 60)
    assert all(tier3.take(0.0) == 0 for _ in range(50))
    assert tier3.take(0.0) == 1.2
    assert tier3.take(1.2) == 0


def test_the_least_time_is_the_busiest_channel_or_the_lookups() -> None:
    assert minimum_seconds({"a": 20, "b": 5}, people=2) == 19
    assert minimum_seconds({f"p{i}": 1 for i in range(110)}, people=110) == 72


def test_missed_targets_are_marked_and_explained() -> None:
    rows = [
        Row("fast path", "16", "req/s", 300.0, 200.0, ratio_at_least(1.0)),
        Row("slow path", "16", "p99 ms", 80.0, 10.0, bot_below(50, "ms"), limiter="the lock"),
    ]
    table = render(rows)
    assert "1.50x" in table
    assert "yes" in table.splitlines()[2]
    assert "NO" in table.splitlines()[3]
    assert missed(rows) == ["MISSED slow path [16] p99 ms (bot <50 ms): the lock"]
