"""What the Slack fuzz tests drive: the real ``SlackEventsHandler`` in front of a Bolt app whose
every way in is recorded, called directly with aiohttp's mocked requests."""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from adapters.slack.app import COMMAND
from adapters.slack.handler import SlackEventsHandler
from tests.fuzz.mocked import mocked_post

SECRET = "fuzz-signing-secret"
NOW = 1_800_000_000  # the handler's clock: 15 Jan 2027


def slack_signature(secret: str, timestamp: str, body: bytes) -> str:
    """Slack's v0 signature, written from Slack's documentation rather than our code."""
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def signed_headers(body: bytes, timestamp: int | str, secret: str = SECRET) -> dict[str, str]:
    return {
        "X-Slack-Request-Timestamp": str(timestamp),
        "X-Slack-Signature": slack_signature(secret, str(timestamp), body),
    }


@dataclass
class Recorded:
    """Every request that got past the handler, and every listener that ran."""

    dispatched: list[AsyncBoltRequest] = field(default_factory=list)
    listeners: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.dispatched or self.listeners)

    def clear(self) -> None:
        self.dispatched.clear()
        self.listeners.clear()


class _SpiedApp:
    """The Bolt app, with a note of each request the handler passes on to it."""

    def __init__(self, app: AsyncApp, recorded: Recorded) -> None:
        self._app = app
        self._recorded = recorded

    async def async_dispatch(self, request: AsyncBoltRequest) -> BoltResponse:
        self._recorded.dispatched.append(request)
        return await self._app.async_dispatch(request)


async def _authorize(**_kwargs: Any) -> AuthorizeResult:
    return AuthorizeResult(enterprise_id=None, team_id="T1", bot_token="xoxb-fuzz")


def recording_app(recorded: Recorded) -> AsyncApp:
    """The production app's listener kinds, each only recording that it ran. Bolt's own
    signature check is off: the handler's is the one under test, with its own clock."""
    app = AsyncApp(
        signing_secret=SECRET,
        request_verification_enabled=False,
        authorize=_authorize,
        process_before_response=True,  # listeners run inline: no polling for their ack
    )

    def recorder(kind: str) -> Any:
        async def listener(ack: AsyncAck) -> None:
            recorded.listeners.append(kind)
            await ack()

        return listener

    app.command(COMMAND)(recorder("command"))
    app.view_submission(re.compile(".+"))(recorder("view_submission"))
    app.action(re.compile(r"^[a-z_]+\."))(recorder("action"))
    app.event("app_home_opened")(recorder("app_home_opened"))
    return app


@dataclass
class SlackBed:
    handler: SlackEventsHandler
    recorded: Recorded

    async def post(self, body: bytes, headers: Mapping[str, str]) -> int:
        """The status the handler answers; what got through is in ``recorded``."""
        self.recorded.clear()
        response = await self.handler(mocked_post("/slack/events", body, headers))
        return response.status


@functools.cache
def slack_bed() -> SlackBed:
    """Made once and shared by every example: building a Bolt app costs more than a request."""
    recorded = Recorded()
    app = _SpiedApp(recording_app(recorded), recorded)
    handler = SlackEventsHandler(app, SECRET, clock=lambda: NOW)  # type: ignore[arg-type]
    return SlackBed(handler, recorded)
