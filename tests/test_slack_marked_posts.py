"""The Slack messenger against the fake Slack: each post names its card in message metadata,
and a post that may have got through before finds the first message and updates it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.messenger import MARK_EVENT, SlackMessenger
from flows.ports import AdminChannel, PersonRecipient, PostMark
from flows.ui import Card
from tests.fakes.slack_web_api import FakeSlack, dm_channel_id

ADMIN_CHANNEL = "C0ADMIN001"
PERSON = ("UPAT", "pat@riverhouse.example.org", "Pat Doe")
FIRST = Card(title="Request #7", summary="Request #7 filed", text="Waiting for verification.")
LATER = Card(title="Request #7", summary="Request #7 verified", text="Training.")


@pytest.fixture
async def slack() -> AsyncIterator[tuple[FakeSlack, SlackMessenger]]:
    fake = FakeSlack(token="xoxb-test")
    await fake.start()
    fake.add_user(*PERSON)
    fake.add_channel(ADMIN_CHANNEL)
    async with aiohttp.ClientSession() as session:
        client = AsyncWebClient(token="xoxb-test", base_url=fake.base_url, session=session)
        yield fake, SlackMessenger(client, ADMIN_CHANNEL)
    await fake.stop()


@pytest.mark.parametrize(
    ("recipient", "channel"),
    [(PersonRecipient(PERSON[1]), dm_channel_id(PERSON[0])), (AdminChannel(), ADMIN_CHANNEL)],
)
async def test_a_retry_updates_the_message_an_earlier_attempt_posted(
    slack: tuple[FakeSlack, SlackMessenger], recipient: PersonRecipient, channel: str
) -> None:
    fake, messenger = slack
    first = await messenger.post(recipient, FIRST, PostMark("request:7:admins", retry=False))
    await messenger.post(recipient, FIRST, PostMark("request:8:admins", retry=False))
    again = await messenger.post(recipient, LATER, PostMark("request:7:admins", retry=True))
    assert again == first
    assert len(fake.messages_in(channel)) == 2
    message = fake.message(channel, first.message_id)
    assert message["metadata"] == {
        "event_type": MARK_EVENT,
        "event_payload": {"card": "request:7:admins"},
    }
    assert [version["text"] for version in message["history"]] == [
        "Request #7 filed",
        "Request #7 verified",
    ]


async def test_a_retry_posts_when_no_earlier_attempt_got_through(
    slack: tuple[FakeSlack, SlackMessenger],
) -> None:
    fake, messenger = slack
    await messenger.post(AdminChannel(), FIRST, PostMark("request:7:admins", retry=True))
    [message] = fake.messages_in(ADMIN_CHANNEL)
    assert message["metadata"]["event_payload"] == {"card": "request:7:admins"}


async def test_a_retry_posts_when_slack_refuses_the_search(
    slack: tuple[FakeSlack, SlackMessenger],
) -> None:
    """An app installed before the history scopes: the card goes out, as before the search."""
    fake, messenger = slack
    await messenger.post(AdminChannel(), FIRST, PostMark("request:7:admins", retry=False))
    fake.fail_next("conversations.history", "missing_scope")
    await messenger.post(AdminChannel(), LATER, PostMark("request:7:admins", retry=True))
    assert len(fake.messages_in(ADMIN_CHANNEL)) == 2
