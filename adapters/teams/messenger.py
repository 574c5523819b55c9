"""The outbound port on the Bot Framework connector: proactive posts and in-place updates.

A person is reachable once the bot has a personal conversation with them (captured on install
and on every message); the admin channel is reached through its own stored reference, or any
stored reference's service re-aimed at the configured channel id.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any

import aiohttp
from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity, ActivityTypes, Attachment, ConversationReference
from msrest.exceptions import ClientRequestError, HttpOperationError

from adapters.teams import cards, limits
from adapters.teams.conversations import ConversationStore, from_json
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

# Connector answers that retrying cannot fix: bad activity, bot removed or blocked, no such
# conversation or message, too large. 401/429/5xx are retried.
PERMANENT_STATUSES = frozenset({400, 403, 404, 412, 413})
NOT_INSTALLED = "not_installed"


class TeamsMessenger:
    platform = Platform.TEAMS

    def __init__(
        self,
        adapter: CloudAdapter,
        app_id: str,
        conversations: ConversationStore,
        admin_channel: str | None,
    ) -> None:
        self._adapter = adapter
        self._app_id = app_id
        self._conversations = conversations
        self._admin_channel = admin_channel

    async def post(
        self, recipient: Recipient, card: Card, mark: PostMark | None = None
    ) -> MessageRef:
        """Sends the card. ``mark`` is unused: the Bot Framework gives a bot no way to read
        back what it sent, so a post after an ambiguous failure may add a second copy."""
        reference = await self._reference_for(recipient)
        sent: list[str] = []

        async def send(turn_context: TurnContext) -> None:
            response = await turn_context.send_activity(card_activity(card))
            sent.append(str(response.id) if response and response.id else "")

        await self._continue(reference, send)
        if not sent or not sent[0]:
            raise DeliveryError("the connector returned no message id", permanent=False)
        return MessageRef(str(reference.conversation.id), sent[0])

    async def update(self, ref: MessageRef, card: Card) -> None:
        activity = card_activity(card)
        activity.id = ref.message_id

        async def replace(turn_context: TurnContext) -> None:
            await turn_context.update_activity(activity)

        await self._continue(await self._reference_to(ref.channel), replace)

    async def check_health(self) -> bool:
        """Teams has no cheap authenticated ping; delivery failures show up in the outbox."""
        return True

    async def _reference_for(self, recipient: Recipient) -> ConversationReference:
        if isinstance(recipient, PersonRecipient):
            data = await self._conversations.personal(recipient.email)
            if data is None:
                raise DeliveryError(
                    f"{NOT_INSTALLED}: {recipient.email} has not opened a chat with the bot "
                    "on Teams yet",
                    permanent=True,
                )
            return from_json(data)
        assert isinstance(recipient, AdminChannel)
        if not self._admin_channel:
            raise DeliveryError("no Teams admin channel in the community file", permanent=True)
        return await self._reference_to(self._admin_channel)

    async def _reference_to(self, conversation_id: str) -> ConversationReference:
        """The conversation's own reference, or the latest one's service aimed at it."""
        data = await self._conversations.conversation(conversation_id)
        if data is not None:
            return from_json(data)
        latest = await self._conversations.latest()
        if latest is None:
            raise DeliveryError("the bot has not been installed in Teams yet", permanent=False)
        return from_json(latest, conversation_id)

    async def _continue(
        self, reference: ConversationReference, logic: Callable[[TurnContext], Awaitable[None]]
    ) -> None:
        try:
            await self._adapter.continue_conversation(reference, logic, self._app_id)
        except HttpOperationError as error:
            status = _status(error)
            raise DeliveryError(
                f"connector answered HTTP {status}",
                permanent=status in PERMANENT_STATUSES,
                rate_limited=status == HTTPStatus.TOO_MANY_REQUESTS,
            ) from None
        except (ClientRequestError, aiohttp.ClientError, TimeoutError) as error:
            raise DeliveryError(f"network: {type(error).__name__}", permanent=False) from None


def card_activity(card: Card) -> Activity:
    """A message holding the card; ``summary`` is what notifications and previews show."""
    return Activity(
        type=ActivityTypes.message,
        summary=limits.clip(card.summary, limits.SUMMARY_TEXT),
        attachments=[Attachment(content_type=cards.CONTENT_TYPE, content=cards.card(card))],
    )


def _status(error: HttpOperationError) -> int:
    response: Any = error.response
    return int(getattr(response, "status_code", 0) or 0)
