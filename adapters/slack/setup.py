"""Builds the Slack adapter: one shared HTTP session, 429 retries, the Bolt app, the messenger."""

from __future__ import annotations

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
from flows.ports import Inbound

RATE_LIMIT_RETRIES = 3  # Slack's Retry-After is honoured between tries


@dataclass
class SlackAdapter:
    client: AsyncWebClient
    messenger: SlackMessenger
    signing_secret: str

    def events_handler(
        self, service: Inbound, first_delivery: FirstDelivery | None = None
    ) -> SlackEventsHandler:
        app = build_app(service, self.client, self.signing_secret)
        return SlackEventsHandler(app, self.signing_secret, first_delivery=first_delivery)


def slack_adapter(
    session: aiohttp.ClientSession,
    token: str,
    signing_secret: str,
    api_url: str,
    admin_channel: str | None,
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
    return SlackAdapter(client, SlackMessenger(client, admin_channel), signing_secret)
