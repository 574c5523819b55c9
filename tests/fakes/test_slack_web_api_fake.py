"""The Slack fake answers slack_sdk the way Slack does, and refuses what Slack refuses."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from .slack_web_api import FakeSlack, dm_channel_id

SECTION = {"type": "section", "text": {"type": "mrkdwn", "text": "Request *pending*"}}
MODAL: dict[str, Any] = {
    "type": "modal",
    "callback_id": "new_user",
    "title": {"type": "plain_text", "text": "New HMIS user"},
    "submit": {"type": "plain_text", "text": "Request"},
    "blocks": [
        {
            "type": "input",
            "block_id": "email",
            "label": {"type": "plain_text", "text": "Work e-mail"},
            "element": {"type": "plain_text_input", "action_id": "value"},
        }
    ],
}


@dataclass
class TriggerClock:
    """Monotonic seconds the fake reads to age trigger_ids."""

    now: float = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def trigger_clock() -> TriggerClock:
    return TriggerClock()


@pytest.fixture
async def fake(trigger_clock: TriggerClock) -> AsyncIterator[FakeSlack]:
    slack = FakeSlack(token="xoxb-test", clock=trigger_clock)
    slack.add_user("U1", "ada@example.org", "Ada Lovelace")
    await slack.start()
    yield slack
    await slack.stop()


@pytest.fixture
def client(fake: FakeSlack) -> AsyncWebClient:
    return AsyncWebClient(token="xoxb-test", base_url=fake.base_url)


async def test_update_edits_the_same_message(fake: FakeSlack, client: AsyncWebClient) -> None:
    posted = await client.chat_postMessage(channel="U1", text="pending", blocks=[SECTION])
    assert posted["channel"] == dm_channel_id("U1")

    updated = await client.chat_update(channel=posted["channel"], ts=posted["ts"], text="done")

    assert updated["ts"] == posted["ts"]
    assert [m["text"] for m in fake.dm_messages("U1")] == ["done"]
    assert fake.message("U1", posted["ts"])["blocks"] == [SECTION]  # omitted blocks are kept
    assert [u["text"] for u in fake.updates(posted["channel"], posted["ts"])] == ["done"]


async def test_update_needs_the_dm_id_not_the_user_id(client: AsyncWebClient) -> None:
    posted = await client.chat_postMessage(channel="U1", text="pending")
    with pytest.raises(SlackApiError) as refused:
        await client.chat_update(channel="U1", ts=posted["ts"], text="done")
    assert refused.value.response["error"] == "channel_not_found"


async def test_overlong_section_text_is_invalid_blocks(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    block = {"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}
    with pytest.raises(SlackApiError) as refused:
        await client.chat_postMessage(channel="U1", text="fallback", blocks=[block])
    assert refused.value.response["error"] == "invalid_blocks"
    assert refused.value.response["errors"] == [
        "must be less than 3001 characters [json-pointer:/blocks/0/text/text]"
    ]
    assert fake.dm_messages("U1") == []


async def test_form_encoded_blocks_are_decoded(fake: FakeSlack, client: AsyncWebClient) -> None:
    data = {"channel": "U1", "text": "hi", "blocks": json.dumps([SECTION])}
    await client.api_call("chat.postMessage", data=data)
    assert fake.calls_to("chat.postMessage")[0]["blocks"] == [SECTION]


async def test_trigger_is_single_use_and_expires(
    fake: FakeSlack, client: AsyncWebClient, trigger_clock: TriggerClock
) -> None:
    trigger = fake.issue_trigger_id()
    opened = await client.views_open(trigger_id=trigger, view=MODAL)
    assert fake.opened_views == [opened["view"]]

    stale = fake.issue_trigger_id()
    trigger_clock.now += 3.5
    for trigger_id, error in [
        (trigger, "exchanged_trigger_id"),
        (stale, "expired_trigger_id"),
        ("1.2.unknown", "invalid_trigger_id"),
    ]:
        with pytest.raises(SlackApiError) as refused:
            await client.views_open(trigger_id=trigger_id, view=MODAL)
        assert refused.value.response["error"] == error


async def test_long_modal_title_is_invalid_arguments(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    view = {**MODAL, "title": {"type": "plain_text", "text": "A title longer than 24 chars"}}
    with pytest.raises(SlackApiError) as refused:
        await client.views_open(trigger_id=fake.issue_trigger_id(), view=view)
    assert refused.value.response["error"] == "invalid_arguments"
    assert refused.value.response["response_metadata"]["messages"] == [
        "[ERROR] must be less than 25 characters [json-pointer:/view/title/text]"
    ]


async def test_429_carries_retry_after(fake: FakeSlack, client: AsyncWebClient) -> None:
    fake.rate_limit_next("chat.postMessage", retry_after=7)
    with pytest.raises(SlackApiError) as limited:
        await client.chat_postMessage(channel="U1", text="hi")
    assert limited.value.response.status_code == 429
    assert limited.value.response.headers["Retry-After"] == "7"
    assert limited.value.response["error"] == "ratelimited"


async def test_rate_limit_handler_retries_then_succeeds(fake: FakeSlack) -> None:
    client = AsyncWebClient(
        token="xoxb-test",
        base_url=fake.base_url,
        retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=1)],
    )
    fake.rate_limit_next("chat.postMessage", retry_after=0)

    posted = await client.chat_postMessage(channel="U1", text="hi")

    assert posted["ok"]
    assert len(fake.calls_to("chat.postMessage")) == 2
    assert [m["text"] for m in fake.dm_messages("U1")] == ["hi"]


async def test_auth_and_injected_failures(fake: FakeSlack, client: AsyncWebClient) -> None:
    for token, error in [(None, "not_authed"), ("xoxb-other", "invalid_auth")]:
        with pytest.raises(SlackApiError) as refused:
            await AsyncWebClient(token=token, base_url=fake.base_url).auth_test()
        assert refused.value.response["error"] == error

    fake.fail_next("users.lookupByEmail", "fatal_error")
    with pytest.raises(SlackApiError) as failed:
        await client.users_lookupByEmail(email="ada@example.org")
    assert failed.value.response["error"] == "fatal_error"

    found = await client.users_lookupByEmail(email="ADA@example.org")
    assert found["user"]["profile"]["email"] == "ada@example.org"
    assert (await client.users_info(user="U1"))["user"]["real_name"] == "Ada Lovelace"
    assert (await client.auth_test())["user_id"] == "UBOT"


async def test_response_url_posts_are_recorded(fake: FakeSlack) -> None:
    webhook = AsyncWebhookClient(fake.response_url("cmd-1"))
    sent = await webhook.send(text="Working on it", response_type="ephemeral")
    assert sent.status_code == 200
    assert [r["text"] for r in fake.responses_to("cmd-1")] == ["Working on it"]


async def test_user_without_email_is_not_found_by_email(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    fake.add_user("U2", None, "No Email")
    assert "email" not in (await client.users_info(user="U2"))["user"]["profile"]
    with pytest.raises(SlackApiError) as refused:
        await client.users_lookupByEmail(email="u2@example.org")
    assert refused.value.response["error"] == "users_not_found"
