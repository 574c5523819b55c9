"""Conversation references: where the bot may write to a person or channel proactively.

Teams lets a bot message someone only in a conversation it already has, so every activity's
reference is stored (in the database, by the application) and used by the messenger later.
The stored form is botbuilder's own JSON; only this package turns it back into an object.
"""

from __future__ import annotations

from typing import Any, Protocol

from botbuilder.core import TurnContext
from botbuilder.core.serializer_helper import deserializer_helper, serializer_helper
from botbuilder.schema import Activity, ConversationAccount, ConversationReference

from adapters.teams.translate import channel_id

PERSONAL = "personal"


class ConversationStore(Protocol):
    """Stores references by conversation id; personal ones also by the person's e-mail."""

    async def remember(
        self, conversation_id: str, kind: str, email: str | None, reference: dict[str, Any]
    ) -> None: ...

    async def personal(self, email: str) -> dict[str, Any] | None: ...

    async def conversation(self, conversation_id: str) -> dict[str, Any] | None: ...

    async def latest(self) -> dict[str, Any] | None:
        """The most recently seen reference, for its service URL and tenant."""
        ...


def reference_of(activity: Activity) -> ConversationReference:
    """Where to write new messages: the channel itself, not the thread or message it came from."""
    reference = TurnContext.get_conversation_reference(activity)
    conversation = activity.conversation
    reference.conversation = ConversationAccount(
        id=channel_id(conversation.id),
        conversation_type=conversation.conversation_type,
        tenant_id=conversation.tenant_id,
        is_group=conversation.is_group,
    )
    reference.activity_id = ""  # no message to reply to: new posts, never thread replies
    return reference


def to_json(reference: ConversationReference) -> dict[str, Any]:
    return serializer_helper(reference)


def from_json(data: dict[str, Any], conversation_id: str | None = None) -> ConversationReference:
    """A stored reference, optionally re-aimed at another conversation on the same service."""
    reference = deserializer_helper(ConversationReference, dict(data))
    assert isinstance(reference, ConversationReference)
    if conversation_id is not None:
        tenant = reference.conversation.tenant_id if reference.conversation else None
        reference.conversation = ConversationAccount(id=conversation_id, tenant_id=tenant)
    return reference
