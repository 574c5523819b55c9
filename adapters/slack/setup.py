"""Builds the Slack adapter: one shared HTTP session, 429 retries, the Bolt app, the messenger;
Slack's requests come to ``/slack/events`` or, given an app-level token, over Socket Mode."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import aiohttp
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.app import build_app
from adapters.slack.handler import FirstDelivery, SlackEventsHandler
from adapters.slack.messenger import SlackMessenger
from adapters.slack.pacing import LOOKUPS_PER_MINUTE, SlackPacing
from adapters.slack.socket_mode import SlackSocketMode
from flows.ports import Inbound

RATE_LIMIT_RETRIES = 3  # Slack's Retry-After is honoured between tries


class CountedRateLimitRetries(AsyncRateLimitErrorRetryHandler):
    """slack_sdk's 429 handler (waits out ``Retry-After``, then retries), telling
    ``rate_limited`` of each 429 first, retried or not: the operator's count of them."""

    def __init__(self, rate_limited: Callable[[], None], max_retry_count: int) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self._rate_limited = rate_limited

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        limited = await super()._can_retry_async(
            state=state, request=request, response=response, error=error
        )
        if limited:
            self._rate_limited()
        return limited


@dataclass
class SlackAdapter:
    client: AsyncWebClient
    messenger: SlackMessenger
    signing_secret: str
    app_token: str = ""
    """Socket Mode's app-level token; empty: Slack sends its requests over HTTP."""

    def events_handler(
        self, service: Inbound, first_delivery: FirstDelivery | None = None
    ) -> SlackEventsHandler:
        app = build_app(service, self.client, self.signing_secret)
        return SlackEventsHandler(app, self.signing_secret, first_delivery=first_delivery)

    def socket_mode(
        self, service: Inbound, observe: Callable[[float], None] | None = None
    ) -> SlackSocketMode:
        """The same Bolt app and listeners on a Socket Mode connection (not yet started);
        ``observe`` is told each envelope's time to acknowledgement, in seconds."""
        app = build_app(service, self.client, self.signing_secret)
        return SlackSocketMode(app, self.app_token, self.client, observe)


def slack_adapter(
    session: aiohttp.ClientSession,
    token: str,
    signing_secret: str,
    api_url: str,
    admin_channel: str | None,
    *,
    app_token: str = "",
    rate_limited: Callable[[], None] = lambda: None,
    lookups_per_minute: float = LOOKUPS_PER_MINUTE,
) -> SlackAdapter:
    """``rate_limited`` is told of every HTTP 429 from the Web API; ``lookups_per_minute``
    is the pace the bot keeps for users.lookupByEmail (Tier 3)."""
    client = AsyncWebClient(
        token=token,
        base_url=api_url,
        session=session,
        retry_handlers=[
            CountedRateLimitRetries(rate_limited, RATE_LIMIT_RETRIES),
            AsyncServerErrorRetryHandler(max_retry_count=2),
        ],
    )
    messenger = SlackMessenger(
        client, admin_channel, SlackPacing(lookups_per_minute=lookups_per_minute)
    )
    return SlackAdapter(client, messenger, signing_secret, app_token)
