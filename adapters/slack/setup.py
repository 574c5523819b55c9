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
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.app import build_app
from adapters.slack.handler import FirstDelivery, SlackEventsHandler
from adapters.slack.messenger import SlackMessenger
from adapters.slack.socket_mode import SlackSocketMode
from flows.ports import Inbound

RATE_LIMIT_RETRIES = 3  # Slack's Retry-After is honoured between tries


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
) -> SlackAdapter:
    client = AsyncWebClient(
        token=token,
        base_url=api_url,
        session=session,
        retry_handlers=[
            AsyncRateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
            AsyncServerErrorRetryHandler(max_retry_count=2),
        ],
    )
    messenger = SlackMessenger(client, admin_channel)
    return SlackAdapter(client, messenger, signing_secret, app_token)
