"""The outbound port on the Slack Web API: post and update cards, find people by e-mail.

Each post carries its card's name in Slack message metadata (``MARK_EVENT``). A post that may
have got through before (the bot died or lost Slack's answer) first reads the conversation's
latest ``HISTORY_PAGE`` messages for one with that name, and updates it if found: Slack has
no idempotency key for ``chat.postMessage``, and this is how a retry avoids a second copy.
Reading history needs the ``channels:history``, ``groups:history`` and ``im:history`` scopes;
without them the search fails, and the card is posted (a possible copy, as before).

Calls are paced to Slack's rate limits (``SlackPacing``); a person's Slack id, once found by
e-mail, is remembered for the life of the process, so a fan-out to many people spends one
look-up per person, not one per message."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from adapters.slack.blocks import card_message
from adapters.slack.pacing import SlackPacing
from flows.model import Platform
from flows.ports import (
    AdminChannel,
    DeliveryError,
    MessageRef,
    PersonRecipient,
    PostMark,
    Recipient,
)
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


MARK_EVENT = "hmis_bot_card"  # the metadata event type that names a post's card
HISTORY_PAGE = 200  # the latest messages searched for an earlier copy (Slack's advised page)


log = logging.getLogger(__name__)


class SlackMessenger:
    platform = Platform.SLACK

    def __init__(
        self,
        client: AsyncWebClient,
        admin_channel: str | None,
        pacing: SlackPacing | None = None,
    ) -> None:
        self._client = client
        self._admin_channel = admin_channel
        self._pacing = pacing or SlackPacing()
        self._user_ids: dict[str, asyncio.Future[str]] = {}  # found, or being looked up
        self._search_refusals: set[str] = set()  # Slack's reasons, each logged once

    async def post(
        self, recipient: Recipient, card: Card, mark: PostMark | None = None
    ) -> MessageRef:
        channel = await self._channel_for(recipient)
        message = card_message(card)
        if mark is not None:
            if (
                mark.retry
                and (earlier := await self._marked(recipient, channel, mark.card)) is not None
            ):
                await self.update(earlier, card)
                return earlier
            message["metadata"] = {"event_type": MARK_EVENT, "event_payload": {"card": mark.card}}
        async with self._pacing.posting(channel):
            response = await self._call(self._client.chat_postMessage(channel=channel, **message))
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

    async def _marked(self, recipient: Recipient, channel: str, card: str) -> MessageRef | None:
        """The latest message in ``channel`` (a person's id: their DM) posted for ``card``;
        None also when Slack refuses the search (an app installed without the history
        scopes): then the card is posted, as it was before posts were searched for."""
        try:
            if isinstance(recipient, PersonRecipient):  # history needs the DM's own id
                opened = await self._client.conversations_open(users=channel)
                channel = str(opened["channel"]["id"])
            history = await self._client.conversations_history(
                channel=channel, limit=HISTORY_PAGE, include_all_metadata=True
            )
        except SlackApiError as error:
            reason = error.response.get("error", "unknown_error")
            if reason not in self._search_refusals:
                self._search_refusals.add(reason)
                log.warning("cannot look for an earlier copy of a card on Slack: %s", reason)
            return None
        except (aiohttp.ClientError, TimeoutError) as error:
            raise DeliveryError(f"network: {type(error).__name__}", permanent=False) from None
        messages: list[dict[str, Any]] = history.get("messages") or []
        for message in messages:
            metadata = message.get("metadata") or {}
            payload = metadata.get("event_payload") or {}
            if metadata.get("event_type") == MARK_EVENT and payload.get("card") == card:
                return MessageRef(channel, str(message["ts"]))
        return None

    async def _channel_for(self, recipient: Recipient) -> str:
        if isinstance(recipient, AdminChannel):
            if not self._admin_channel:
                raise DeliveryError("no Slack admin channel in the community file", permanent=True)
            return self._admin_channel
        assert isinstance(recipient, PersonRecipient)
        return await self._user_id(recipient.email)

    async def _user_id(self, email: str) -> str:
        """The person's Slack id, looked up once however many deliveries ask at the same
        time; a failed look-up is not remembered."""
        found = self._user_ids.get(email)
        if found is None:
            found = self._user_ids[email] = asyncio.ensure_future(self._look_up(email))
        try:
            return await asyncio.shield(found)
        except Exception:
            if self._user_ids.get(email) is found:
                del self._user_ids[email]
            raise

    async def _look_up(self, email: str) -> str:
        await self._pacing.before_lookup()
        user = await self._call(self._client.users_lookupByEmail(email=email))
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
