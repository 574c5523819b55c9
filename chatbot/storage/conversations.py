"""Stored conversation references (``adapters.teams.conversations.ConversationStore``) in the
database, never in memory, so every replica can reach everyone the bot has talked to."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError

from chatbot.storage.database import Database
from chatbot.storage.ledger import Clock
from chatbot.storage.models import ChatConversation
from chatbot.storage.routing import PERSONAL_CHAT
from flows.model import Platform


class SqlConversations:
    def __init__(self, db: Database, clock: Clock, platform: Platform = Platform.TEAMS) -> None:
        self._db = db
        self._clock = clock
        self._platform = platform.value

    async def remember(
        self, conversation_id: str, kind: str, email: str | None, reference: dict[str, Any]
    ) -> None:
        row = ChatConversation(
            platform=self._platform,
            conversation_id=conversation_id,
            kind=kind,
            email=email.lower() if email else None,
            reference=reference,
            updated_at=self._clock(),
        )
        await asyncio.to_thread(self._merge, row)

    async def personal(self, email: str) -> dict[str, Any] | None:
        query = (
            select(ChatConversation.reference)
            .where(
                ChatConversation.platform == self._platform,
                ChatConversation.kind == PERSONAL_CHAT,
                ChatConversation.email == email.lower(),
            )
            .order_by(ChatConversation.updated_at.desc())
            .limit(1)
        )
        return await asyncio.to_thread(self._one, query)

    async def conversation(self, conversation_id: str) -> dict[str, Any] | None:
        query = select(ChatConversation.reference).where(
            ChatConversation.platform == self._platform,
            ChatConversation.conversation_id == conversation_id,
        )
        return await asyncio.to_thread(self._one, query)

    async def latest(self) -> dict[str, Any] | None:
        query = (
            select(ChatConversation.reference)
            .where(ChatConversation.platform == self._platform)
            .order_by(ChatConversation.updated_at.desc())
            .limit(1)
        )
        return await asyncio.to_thread(self._one, query)

    def _merge(self, row: ChatConversation) -> None:
        """Upsert; a concurrent first insert of the same conversation makes this one update."""
        for attempt in range(2):
            try:
                with self._db.transaction() as session:
                    session.merge(row)
                return
            except IntegrityError:
                if attempt:
                    raise

    def _one(self, query: Select[tuple[dict[str, Any]]]) -> dict[str, Any] | None:
        with self._db.transaction() as session:
            found = session.scalar(query)
            return dict(found) if found is not None else None
