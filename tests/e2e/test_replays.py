"""A request is acted on once: a signed Slack request replayed byte for byte within Slack's
five minutes, Slack's retry of an event (same event id, new signature, ``X-Slack-Retry-Num``)
and Teams re-delivering an activity (same id) are each answered 200 and run nothing again,
on SQLite and PostgreSQL. A replayed click is not even refused: nothing new is audited."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select

from chatbot.storage.database import Database
from chatbot.storage.models import AuditEventRow
from flows.community import Community
from tests.conftest import Clock
from tests.e2e.records import refused, stored_states
from tests.e2e.slack_testbed import ADMIN_CHANNEL, SlackTestbed
from tests.e2e.teams_testbed import TeamsTestbed, personal, running_bots
from tests.e2e.test_slack_new_user_request import reach_approval
from tests.requests import ADMIN, LEAD


def audit_rows(database: Database) -> int:
    with database.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(AuditEventRow)) or 0)


async def test_a_replayed_command_opens_one_form(slack: SlackTestbed) -> None:
    assert await slack.command(LEAD) == (200, "")
    await slack.settle()
    assert await slack.replay() == (200, "")
    await slack.settle()
    assert len(slack.fake.calls_to("views.open")) == 1


async def test_a_replayed_click_decides_once_and_audits_nothing_more(
    slack: SlackTestbed, database: Database
) -> None:
    await reach_approval(slack)
    admin_ts, _ = slack.last_card(ADMIN_CHANNEL)
    await slack.click(ADMIN, ADMIN_CHANNEL, admin_ts, "Approve")
    await slack.settle()
    audited, updates = audit_rows(database), len(slack.fake.calls_to("chat.update"))
    for _ in range(3):
        assert await slack.replay() == (200, "")
    await slack.settle()
    assert stored_states(database) == ["approved"]
    assert refused(database) == []
    assert audit_rows(database) == audited
    assert len(slack.fake.calls_to("chat.update")) == updates


async def test_slacks_retry_of_an_event_runs_once(slack: SlackTestbed) -> None:
    await slack.open_home(LEAD)
    published = len(slack.fake.calls_to("views.publish"))
    assert published >= 1
    body, _ = slack.sent[-1]
    retried = json.loads(body) | {"event_time": json.loads(body)["event_time"] + 60}
    retry_body = json.dumps(retried)  # Slack signs each retry anew
    headers = slack.signed(retry_body) | {
        "Content-Type": "application/json",
        "X-Slack-Retry-Num": "1",
        "X-Slack-Retry-Reason": "http_timeout",
    }
    assert (await slack.post(retry_body, headers))[0] == 200
    await slack.settle()
    assert len(slack.fake.calls_to("views.publish")) == published


@pytest.fixture
async def teams(
    database_url: str, database: Database, community: Community, clock: Clock
) -> AsyncIterator[TeamsTestbed]:
    async with running_bots(database_url, community, clock, with_slack=False) as bots:
        await bots.teams.install(LEAD)
        await bots.teams.settle()
        yield bots.teams


async def test_teams_redelivering_an_activity_runs_it_once(
    teams: TeamsTestbed, database: Database
) -> None:
    activity = teams.activity("message", LEAD, personal(LEAD), text="help")
    replies = len(teams.fake.messages_in(personal(LEAD)))
    assert (await teams.post(activity))[0] in (200, 201)
    await teams.settle()
    audited = audit_rows(database)
    assert len(teams.fake.messages_in(personal(LEAD))) == replies + 1
    for _ in range(2):
        assert (await teams.post(activity))[0] == 200
    await teams.settle()
    assert len(teams.fake.messages_in(personal(LEAD))) == replies + 1
    assert audit_rows(database) == audited
