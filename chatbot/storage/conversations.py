"""Stored conversation references (``adapters.teams.conversations.ConversationStore``) in the
database, never in memory, so every replica can reach everyone the bot has talked to.

A reference arrives with every turn but rarely changes: the one this process last wrote for a
conversation is not written again for ``REWRITE_AFTER`` (the write was most of a Teams turn's
database time). ``updated_at`` then says when the reference was last confirmed, to that
precision."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError

from chatbot.storage.database import Database
from chatbot.storage.ledger import Clock
from chatbot.storage.models import ChatConversation
from chatbot.storage.routing import PERSONAL_CHAT
from flows.model import Platform

REWRITE_AFTER = timedelta(hours=1)
WRITTEN_KEPT = 50_000  # conversations whose last write is remembered, at most


class SqlConversations:
    def __init__(self, db: Database, clock: Clock, platform: Platform = Platform.TEAMS) -> None:
        self._db = db
        self._clock = clock
        self._platform = platform.value
        self._written: dict[str, tuple[str, str | None, dict[str, Any], datetime]] = {}

    async def remember(
        self, conversation_id: str, kind: str, email: str | None, reference: dict[str, Any]
    ) -> None:
        now = self._clock()
        last = self._written.get(conversation_id)
        unchanged = last is not None and last[:3] == (kind, email, reference)
        if unchanged and last is not None and now - last[3] < REWRITE_AFTER:
            return
        row = ChatConversation(
            platform=self._platform,
            conversation_id=conversation_id,
            kind=kind,
            email=email.lower() if email else None,
            reference=reference,
            updated_at=now,
        )
        await asyncio.to_thread(self._merge, row)
        if len(self._written) >= WRITTEN_KEPT:
            self._written.clear()
        self._written[conversation_id] = (kind, email, reference, now)

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
