"""A sustained API storm loses nothing and doubles nothing: while Slack's Web API or the Bot
Framework connector answers half the delivery calls with 429 (``Retry-After``), 500 or 503,
requests are filed; once the storm passes every card is there exactly once per person and
channel, nothing is left pending or given up, and no Slack channel got two posts within a
second. On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import re
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable

import pytest
from sqlalchemy import select

from chatbot.storage.database import Database
from chatbot.storage.models import OutboxRow
from flows.community import Community
from flows.kinds.new_user.form import F
from tests.conftest import Clock
from tests.e2e.slack_testbed import SlackTestbed, card_text
from tests.e2e.teams_testbed import TeamsTestbed, form_inputs, personal, running_bots
from tests.e2e.test_slack_new_user_request import open_form
from tests.fakes.storm import Storm
from tests.requests import ADMIN, LEAD, SECOND_ADMIN, SUPERVISOR, request_values

REQUESTS = 4
SUBJECT = re.compile(r"Storm Trainee (\d+)")  # every card names the new user
SLACK_DELIVERY = frozenset({"chat.postMessage", "chat.update", "users.lookupByEmail"})
TEAMS_DELIVERY = frozenset({"send", "update"})


def trainee(n: int) -> tuple[str, str, str]:
    return f"USTORM{n}", f"storm.trainee{n}@riverhouse.example.org", f"Storm Trainee {n}"


def outbox_statuses(database: Database) -> Counter[str]:
    with database.transaction() as session:
        return Counter(session.scalars(select(OutboxRow.status)))


async def until_delivered(database: Database, clock: Clock, fake_calls: Callable[[], int]) -> None:
    """Move the clock past each retry's backoff until no row is pending and the fake is quiet."""
    deadline = time.monotonic() + 90
    quiet, seen = 0, -1
    while time.monotonic() < deadline:
        clock.advance(minutes=5)
        await asyncio.sleep(0.2)
        pending = (await asyncio.to_thread(outbox_statuses, database))["pending"]
        calls = fake_calls()
        quiet = quiet + 1 if pending == 0 and calls == seen else 0
        seen = calls
        if quiet >= 3:
            return
    raise AssertionError(f"still pending after 90 s: {outbox_statuses(database)}")


def one_card_each(texts: dict[str, list[str]]) -> dict[str, Counter[str]]:
    """Per conversation, how many messages name each new user."""
    return {
        where: Counter(m for text in messages for m in set(SUBJECT.findall(text)))
        for where, messages in texts.items()
    }


async def test_a_slack_storm_loses_no_card_and_doubles_none(
    slack: SlackTestbed, database: Database
) -> None:
    storm = Storm(SLACK_DELIVERY, share=0.5, seed=11)
    slack.fake.storm(storm)
    for n in range(REQUESTS):
        user_id, email, name = trainee(n)
        slack.fake.add_user(user_id, email, name)
        view = await open_form(slack)
        values = request_values(**{F.TRAINEE_EMAIL: email, F.TRAINEE_NAME: name})
        answer = await slack.submit(LEAD, view, values)
        assert answer["response_action"] == "update", answer
    await asyncio.sleep(3)  # the storm goes on for a while
    slack.fake.storm(None)
    await until_delivered(database, slack.clock, lambda: len(slack.fake.calls))

    assert storm.struck > 0
    assert set(outbox_statuses(database)) <= {"sent", "superseded"}
    channels = {channel for channel, _ in slack.fake.messages}
    texts = {c: [card_text(m) for m in slack.fake.messages_in(c)] for c in sorted(channels)}
    counts = one_card_each(texts)
    assert all(v == 1 for n in counts.values() for v in n.values()), counts
    assert sum(len(n) for n in counts.values()) >= REQUESTS * 3  # admins, lead, supervisor
    last_post: dict[str, float] = {}
    for channel, at in slack.fake.posted_at:
        assert at - last_post.get(channel, -10.0) >= 0.95, channel
        last_post[channel] = at


@pytest.fixture
async def teams(
    database_url: str, database: Database, community: Community, clock: Clock
) -> AsyncIterator[TeamsTestbed]:
    async with running_bots(database_url, community, clock, with_slack=False) as bots:
        for email in (LEAD, SUPERVISOR, ADMIN, SECOND_ADMIN):
            await bots.teams.install(email)
        await bots.teams.install_in_team(ADMIN)
        await bots.teams.settle()
        yield bots.teams


async def test_a_teams_storm_loses_no_card_and_doubles_none(
    teams: TeamsTestbed, database: Database
) -> None:
    storm = Storm(TEAMS_DELIVERY, share=0.5, seed=5)
    forms = []
    for n in range(REQUESTS):
        await teams.install(trainee(n)[1])
        assert await teams.say(LEAD, "hmis-access") in (200, 201)
        forms.append(teams.fake.last(personal(LEAD)))
    await teams.settle()
    teams.fake.storm(storm)  # proactive posts and updates: the cards the requests send out
    for n, form in enumerate(forms):
        _, email, name = trainee(n)
        values = request_values(**{F.TRAINEE_EMAIL: email, F.TRAINEE_NAME: name})
        status, body = await teams.click(LEAD, form, "Submit request", form_inputs(values))
        assert status == 200, body
    await asyncio.sleep(3)
    teams.fake.storm(None)
    await until_delivered(database, teams.clock, lambda: len(teams.fake.calls))

    assert storm.struck > 0
    assert set(outbox_statuses(database)) <= {"sent", "superseded"}
    conversations = {posted.conversation for posted in teams.fake.posted}
    texts = {c: [p.text() for p in teams.fake.messages_in(c)] for c in sorted(conversations)}
    counts = one_card_each(texts)
    assert all(v == 1 for n in counts.values() for v in n.values()), counts
    assert sum(len(n) for n in counts.values()) >= REQUESTS * 3
