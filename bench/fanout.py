"""Fan-out: due nudges in the outbox delivered to a fake Slack that enforces its rate limits,
timed from the first Web API call to the last message, against the least time the limits
allow (``bench.slack_limits.minimum_seconds``)."""

from __future__ import annotations

import asyncio
import time
from collections import Counter

from bench.harness import Harness, drain_outbox
from bench.seed import seed_nudges
from bench.slack_limits import minimum_seconds
from bench.table import Row, bot_at_most, ratio_at_most
from chatbot.delivery.outbox import BATCH, RECIPIENTS_AT_ONCE


async def fanout_path(h: Harness) -> None:
    count, people, cap = h.plan.fanout, h.plan.fanout_people, h.plan.fanout_cap
    leftover = await drain_outbox(h.database_url)  # earlier paths' deliveries, unlimited
    if leftover:
        h.notes.append(f"fan-out: {leftover} earlier outbox rows were still pending")
    h.fake.limit(True)
    try:
        per_person = await asyncio.to_thread(seed_nudges, h.database_url, count, people)
        queued = time.perf_counter()
        await h.fake.wait_until(lambda: len(h.fake.posts) >= count, cap)
        h.rows += _rows(h, per_person, queued)
    finally:
        h.fake.limit(False)


def _rows(h: Harness, per_person: Counter[str], queued: float) -> list[Row]:
    count, people = h.plan.fanout, h.plan.fanout_people
    minimum = minimum_seconds(dict(per_person), people)
    sent = len(h.fake.posts)
    first = h.fake.first_call_at or queued
    finished = sent >= count
    last = max(t for _, t in h.fake.posts) if finished else time.perf_counter()
    limited = sum(h.fake.rate_limited.values())
    path = f"fan-out {count} nudges to {people} people"
    why = _why(h, sent, people)
    return [
        Row(
            path,
            "-",
            "seconds",
            last - first,
            minimum,
            ratio_at_most(1.1),
            limiter=why,
            shown="" if finished else f">{last - first:.0f} ({sent}/{count} sent)",
        ),
        Row(f"{path}: HTTP 429s", "-", "count", float(limited), 0.0, bot_at_most(0, ""), why),
    ]


def _why(h: Harness, sent: int, people: int) -> str:
    lookups = h.fake.calls["users.lookupByEmail"]
    by_method = ", ".join(f"{m} {n}" for m, n in h.fake.rate_limited.most_common()) or "none"
    return (
        f"{lookups} users.lookupByEmail calls for {people} people (Tier 3, 50 a minute, paced; "
        f"each person looked up once) and {sent} posts, paced one a second per channel; the "
        f"outbox delivers to up to {RECIPIENTS_AT_ONCE} people at once, {BATCH} rows a claim; "
        f"429s by method: {by_method}"
    )
