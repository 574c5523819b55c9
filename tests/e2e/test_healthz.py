"""``/healthz`` tells a stuck delivery loop from a healthy one: a dispatcher that has not got
through for longer than its limit is reported stalled (HTTP 503), with its age."""

from __future__ import annotations

from chatbot.delivery.outbox import STALL_AFTER
from chatbot.storage.database import Database
from chatbot.web.server import STATE
from flows.model import Platform
from tests.e2e.slack_testbed import SlackTestbed
from tests.outages import eventually, queue_card
from tests.requests import LEAD


async def test_healthz_reports_a_stalled_dispatcher(
    slack: SlackTestbed, database: Database
) -> None:
    health = await (await slack.http.get("/healthz")).json()
    assert (health["status"], health["dispatcher"]["status"]) == ("ok", "ok")
    assert health["scheduler"] == "off"

    release = slack.fake.hold("chat.postMessage")  # Slack stops answering mid-delivery
    queue_card(database, slack.clock, "Stuck", email=LEAD, platform=Platform.SLACK)
    runtime = slack.http.server.app[STATE].runtime
    assert runtime is not None
    runtime.dispatcher.wake()
    await eventually(lambda: slack.fake.calls_to("chat.postMessage"))
    slack.clock.advance(seconds=STALL_AFTER.total_seconds() + 1)

    response = await slack.http.get("/healthz")
    health = await response.json()
    assert (response.status, health["status"], health["database"]) == (503, "stalled", "ok")
    assert health["dispatcher"]["status"] == "stalled"
    assert health["dispatcher"]["last_progress_age_seconds"] > STALL_AFTER.total_seconds()

    release.set()
    await slack.settle()
    response = await slack.http.get("/healthz")
    health = await response.json()
    assert (response.status, health["dispatcher"]["status"]) == (200, "ok")
    assert health["dispatcher"]["last_progress_age_seconds"] == 0
