"""The outbound port on the Slack Web API: post and update cards, find people by e-mail."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from adapters.slack.blocks import card_message
from flows.model import Platform
from flows.ports import AdminChannel, DeliveryError, MessageRef, PersonRecipient, Recipient
from flows.ui import Card

# Errors that retrying cannot fix: the person or channel is not reachable on Slack.
PERMANENT_ERRORS = frozenset(
    {
        "users_not_found",
        "user_not_found",
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "account_inactive",
        "user_disabled",
        "invalid_blocks",
        "msg_too_long",
        "no_text",
        "message_not_found",
        "cant_update_message",
    }
)


class SlackMessenger:
    platform = Platform.SLACK

    def __init__(self, client: AsyncWebClient, admin_channel: str | None) -> None:
        self._client = client
        self._admin_channel = admin_channel

    async def post(self, recipient: Recipient, card: Card) -> MessageRef:
        channel = await self._channel_for(recipient)
        response = await self._call(
            self._client.chat_postMessage(channel=channel, **card_message(card))
        )
        return MessageRef(str(response["channel"]), str(response["ts"]))

    async def update(self, ref: MessageRef, card: Card) -> None:
        await self._call(
            self._client.chat_update(channel=ref.channel, ts=ref.message_id, **card_message(card))
        )

    async def check_health(self) -> bool:
        try:
            return bool((await self._client.auth_test()).get("ok"))
        except (SlackApiError, aiohttp.ClientError):
            return False

    async def _channel_for(self, recipient: Recipient) -> str:
        if isinstance(recipient, AdminChannel):
            if not self._admin_channel:
                raise DeliveryError("no Slack admin channel in the community file", permanent=True)
            return self._admin_channel
        assert isinstance(recipient, PersonRecipient)
        user = await self._call(self._client.users_lookupByEmail(email=recipient.email))
        return str(user["user"]["id"])

    @staticmethod
    async def _call(pending: Awaitable[AsyncSlackResponse]) -> dict[str, Any]:
        try:
            response = await pending
        except SlackApiError as error:
            reason = str(error.response.get("error", "unknown_error"))
            raise DeliveryError(reason, permanent=reason in PERMANENT_ERRORS) from None
        except (aiohttp.ClientError, TimeoutError) as error:
            raise DeliveryError(f"network: {type(error).__name__}", permanent=False) from None
        data = response.data
        return data if isinstance(data, dict) else {}
