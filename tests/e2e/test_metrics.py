"""``GET /metrics`` after real traffic through the server: requests and latency per route,
deliveries and 429s per platform, the outbox's depth and oldest age, open requests by kind
and state, SLA breaches, and sweep durations, as Prometheus parses them.

Counters are the process's own and other tests add to them, so each test compares a scrape
before its traffic with one after."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from prometheus_client.parser import text_string_to_metric_families

from chatbot.storage.database import Database
from flows.community import Community
from flows.model import Platform
from tests.conftest import Clock
from tests.e2e.slack_testbed import SlackTestbed, running_bot
from tests.e2e.teams_testbed import TeamsTestbed, personal, running_bots
from tests.e2e.test_slack_new_user_request import file_request, open_form
from tests.outages import queue_card
from tests.requests import ADMIN, LEAD, request_values

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]
SLACK_EVENTS = {"route": "/slack/events", "method": "POST", "status": "200"}
WAITING = {"kind": "new_user", "state": "awaiting_verification"}


async def scrape(bed: SlackTestbed | TeamsTestbed) -> Samples:
    answer = await bed.http.get("/metrics")
    assert answer.status == 200
    assert answer.content_type == "text/plain"
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(await answer.text())
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def change(before: Samples, after: Samples) -> Callable[..., float]:
    return lambda name, **labels: value(after, name, **labels) - value(before, name, **labels)


async def test_requests_deliveries_and_rate_limits_are_counted_per_route_and_platform(
    slack: SlackTestbed,
) -> None:
    before = await scrape(slack)
    slack.fake.rate_limit_next("chat.postMessage", retry_after=1)
    await file_request(slack)  # the command, then the form: three cards, one 429 on the way
    assert (await slack.http.get("/no/such/page")).status == 404
    after = change(before, await scrape(slack))
    assert after("hmis_bot_http_requests_total", **SLACK_EVENTS) == 2
    assert after("hmis_bot_http_request_seconds_count", route="/slack/events") == 2
    assert after("hmis_bot_http_request_seconds_sum", route="/slack/events") > 0
    unknown = {"route": "unmatched", "method": "GET", "status": "404"}
    assert after("hmis_bot_http_requests_total", **unknown) == 1  # not one series per path
    assert after("hmis_bot_outbox_deliveries_total", platform="slack", result="sent") == 3
    assert after("hmis_bot_rate_limited_total", platform="slack") == 1


async def test_the_backlog_is_read_from_the_database_at_each_scrape(
    slack: SlackTestbed, clock: Clock
) -> None:
    held = slack.fake.hold("chat.postMessage")  # Slack hangs: the cards wait in the outbox
    await slack.submit(LEAD, await open_form(slack), request_values())
    clock.advance(seconds=30)
    waiting = await scrape(slack)
    assert value(waiting, "hmis_bot_outbox_pending", platform="slack") == 3
    assert value(waiting, "hmis_bot_outbox_oldest_pending_seconds") == 30
    assert value(waiting, "hmis_bot_requests_open", **WAITING) == 1
    assert value(waiting, "hmis_bot_requests_overdue", **WAITING) == 0

    held.set()
    await slack.settle()
    clock.advance(days=14)  # staff verification was due within 5 business days
    late = await scrape(slack)
    assert value(late, "hmis_bot_outbox_pending", platform="slack") == 0
    assert value(late, "hmis_bot_outbox_oldest_pending_seconds") == 0
    assert value(late, "hmis_bot_requests_open", **WAITING) == 1
    assert value(late, "hmis_bot_requests_overdue", **WAITING) == 1


async def test_sweeps_are_timed(
    database_url: str, database: Database, community: Community, clock: Clock
) -> None:
    async with running_bot(database_url, community, clock) as idle:
        before = await scrape(idle)
    # The scheduler sweeps at start-up, then every 5 minutes.
    async with running_bot(database_url, community, clock, sweep_minutes=5) as slack:
        for _ in range(500):
            swept = change(before, await scrape(slack))
            if swept("hmis_bot_sweep_seconds_count") >= 1:
                break
            await asyncio.sleep(0.02)
        assert swept("hmis_bot_sweep_seconds_count") == 1
        assert swept("hmis_bot_sweep_seconds_sum") > 0


async def test_teams_rate_limits_are_counted_and_retried(
    database_url: str, database: Database, community: Community, clock: Clock
) -> None:
    """Teams' 429s go back to the outbox, which retries after its backoff; each is counted."""
    async with running_bots(database_url, community, clock, with_slack=False) as bots:
        teams = bots.teams
        await teams.install(ADMIN)
        before = await scrape(teams)
        teams.fake.fail_next(429)
        queue_card(database, clock, "Throttled", ADMIN, Platform.TEAMS)
        for _ in range(500):
            limited = change(before, await scrape(teams))
            if limited("hmis_bot_rate_limited_total", platform="teams"):
                break
            await asyncio.sleep(0.02)
        assert limited("hmis_bot_rate_limited_total", platform="teams") == 1
        assert limited("hmis_bot_outbox_deliveries_total", platform="teams", result="retry") == 1
        clock.advance(seconds=6)  # the first retry's backoff
        await teams.settle()
        assert teams.fake.last(personal(ADMIN)).activity["summary"] == "Throttled"
