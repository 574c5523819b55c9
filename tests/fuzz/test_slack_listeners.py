"""The production Bolt app behind the handler, fuzzed with correctly signed bodies of every
shape: the answer is never 5xx. (Bolt answers 500 when a listener raises before it
acknowledges, e.g. on reading a field of the wrong type; the handler's shape check is what
keeps such bodies away from the listeners.)"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Sequence
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.app import build_app
from adapters.slack.handler import SlackEventsHandler
from flows.model import Actor, Platform
from flows.outcomes import Accepted, Outcome
from flows.ports import CommandHelp
from flows.ui import ActionCommand, Notice
from tests.fakes.slack_web_api import FakeSlack
from tests.fuzz.mocked import mocked_post
from tests.fuzz.slack_bed import signed_headers
from tests.fuzz.strategies import SLACK_PAYLOADS, content_types, structured_bodies

SECRET = "listener-fuzz-secret"
TOKEN = "xoxb-listener-fuzz"
BLOCK_ACTIONS, VIEW_SUBMISSION = 0, 1  # in SLACK_PAYLOADS
EXAMPLES = 1_000  # each runs Bolt's listeners, some in tasks after the ack: slower


class QuietService:
    """The neutral service, answering so that no listener posts anywhere."""

    async def identify(self, platform: Platform, user_id: str, _lookup: Any) -> Actor | None:
        return Actor("a@example.org", platform, str(user_id))

    async def refuse_unidentified(self, *_args: Any) -> Notice:
        return Notice("no")

    def commands(self) -> list[CommandHelp]:
        return [CommandHelp("", "opens a form"), CommandHelp("status", "lists")]

    async def command(self, _actor: Actor, _words: Sequence[str]) -> Outcome:
        return Accepted(Notice("ok"))

    async def submit_form(self, _actor: Actor, *_args: Any) -> Outcome:
        return Accepted(Notice("ok"))

    async def click(self, _actor: Actor, _command: ActionCommand) -> Outcome:
        return Accepted(Notice("ok"))


@pytest.fixture
async def production() -> AsyncIterator[SlackEventsHandler]:
    async with FakeSlack(token=TOKEN) as fake:
        client = AsyncWebClient(token=TOKEN, base_url=fake.base_url)
        yield SlackEventsHandler(build_app(QuietService(), client, SECRET), SECRET)


def _broken(kind: int, **fields: object) -> str:
    return json.dumps(SLACK_PAYLOADS[kind] | fields)


FOUND = (  # bodies these tests found answering 500, each kept as an example
    _broken(BLOCK_ACTIONS, actions=[]),  # Bolt reads actions[0]
    _broken(BLOCK_ACTIONS, actions=[{}]),  # ... and its action_id
    _broken(VIEW_SUBMISSION, user=""),  # the listener reads user.id before its ack
    _broken(
        VIEW_SUBMISSION,
        view={"callback_id": "x", "state": {"values": {"b": {"a": {"selected_options": "ab"}}}}},
    ),  # ... and every chosen option's value
)


@settings(max_examples=EXAMPLES, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=structured_bodies, content_type=content_types)
@example(body=FOUND[0], content_type="application/json")
@example(body=FOUND[1], content_type="application/json")
@example(body=FOUND[2], content_type="application/json")
@example(body=FOUND[3], content_type="application/json")
async def test_signed_bodies_never_make_the_app_answer_5xx(
    production: SlackEventsHandler, body: str, content_type: str
) -> None:
    raw = body.encode()
    headers = signed_headers(raw, int(time.time()), SECRET) | {"Content-Type": content_type}
    response = await production(mocked_post("/slack/events", raw, headers))
    assert response.status < 500
