"""The outbox on Slack: retries, rate limits, unreachable people, and nothing lost on restart."""

from __future__ import annotations

from sqlalchemy import select

from chatbot.community_calendar import business_calendar
from chatbot.service import BotService
from chatbot.storage.database import Database
from chatbot.storage.models import OutboxRow
from flows.community import Community
from flows.kinds import default_registry
from flows.kinds.new_user.form import F
from flows.model import Platform
from tests.conftest import Clock
from tests.drive import service_driver
from tests.e2e.slack_testbed import ADMIN_CHANNEL, SlackTestbed, card_text, dm, running_bot
from tests.e2e.test_slack_new_user_request import file_request
from tests.requests import LEAD, SUPERVISOR, request_values


async def test_a_failed_post_is_retried_after_backoff(
    slack: SlackTestbed, database: Database
) -> None:
    slack.fake.fail_next("chat.postMessage", "internal_error")
    await file_request(slack)
    with database.transaction() as session:
        [failed] = session.scalars(select(OutboxRow).where(OutboxRow.last_error.is_not(None)))
        assert (failed.status, failed.attempts) == ("pending", 1)
    slack.clock.advance(seconds=6)
    await slack.settle()
    assert len(slack.fake.messages_in(ADMIN_CHANNEL)) == 1
    assert slack.fake.messages_in(dm(LEAD))
    assert slack.fake.messages_in(dm(SUPERVISOR))


async def test_rate_limits_are_waited_out(slack: SlackTestbed) -> None:
    slack.fake.rate_limit_next("chat.postMessage", retry_after=1)
    await file_request(slack)
    await slack.settle()
    assert len(slack.fake.messages_in(ADMIN_CHANNEL)) == 1
    assert len(slack.fake.calls_to("chat.postMessage")) == 4  # one 429, then three cards


async def test_a_person_not_on_slack_is_reported_to_the_admins(slack: SlackTestbed) -> None:
    await file_request(slack, **{F.SUPERVISOR_EMAIL: "new.boss@riverhouse.example.org"})
    admin_messages = [card_text(m) for m in slack.fake.messages_in(ADMIN_CHANNEL)]
    assert any(
        "Could not reach a person" in m and "new.boss@riverhouse.example.org" in m
        for m in admin_messages
    )


async def test_cards_queued_before_a_crash_are_delivered_after_restart(
    database_url: str, database: Database, community: Community, clock: Clock
) -> None:
    calendar = business_calendar(community)
    service = BotService(
        database, community, calendar, clock, (Platform.SLACK,), default_registry()
    )
    service_driver(service).submit(LEAD, request_values())
    async with running_bot(database_url, community, clock) as slack:
        await slack.settle()
        assert "Jane Doe" in card_text(slack.last_card(ADMIN_CHANNEL)[1])
        assert slack.fake.messages_in(dm(SUPERVISOR))
