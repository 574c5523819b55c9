"""Queues notifications in the outbox, once per platform that should deliver each one."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from chatbot.storage.models import ChatConversation, OutboxRow
from chatbot.storage.upsert import insert_unless_present
from flows.model import Notification, Platform
from flows.ui import card_to_dict

PERSONAL_CHAT = "personal"  # ChatConversation.kind of a one-to-one chat with a person
LOOKUP_CHUNK = 500  # values per IN (...) list, well under every database's parameter limit

# Platforms that can message a person only in a conversation the bot already has with them
# (Teams: a stored conversation reference). Elsewhere (Slack) anyone in the workspace is
# found by e-mail at delivery time, so delivery is always tried.
NEEDS_CONVERSATION = frozenset({Platform.TEAMS})

T = TypeVar("T")


class OutboxWriter:
    def __init__(
        self,
        session: Session,
        platforms: Sequence[Platform],
        admin_platforms: Collection[Platform] | None = None,
    ) -> None:
        """``admin_platforms``: those with an admin channel (default: every platform)."""
        self._session = session
        self._platforms = platforms
        self._admin_platforms = platforms if admin_platforms is None else admin_platforms

    def queue(self, notifications: Sequence[Notification], now: datetime) -> None:
        """Queue each notification once per platform, in order, with one executemany; a dedupe
        key already queued, by this or a concurrent transaction (another replica's sweep), is
        skipped, never an error."""
        chats = self._personal_chats(
            {n.recipient_email for n in notifications if n.recipient_email}
        )
        rows = [row for n in notifications for row in self._rows(n, chats, now)]
        if rows:
            self._session.connection().execute(
                insert_unless_present(self._session, OutboxRow), rows
            )

    def _rows(
        self, notification: Notification, chats: Collection[tuple[Platform, str]], now: datetime
    ) -> list[dict[str, Any]]:
        payload = card_to_dict(notification.card) if notification.card else None
        return [
            {
                "dedupe_key": f"{platform.value}:{notification.dedupe_key}",
                "platform": platform.value,
                "subject_kind": notification.subject_kind,
                "subject_id": notification.subject_id,
                "audience": notification.audience,
                "recipient_email": notification.recipient_email,
                "payload": payload,
                "status": "pending",
                "attempts": 0,
                "next_attempt_at": notification.not_before or now,
                "created_at": now,
            }
            for platform in self._routes(notification.recipient_email, chats)
        ]

    def _routes(self, email: str | None, chats: Collection[tuple[Platform, str]]) -> list[Platform]:
        """Admin posts go to each platform with an admin channel; a person's messages to each
        platform that may reach them (``chats``), or to all when none is known to (so the
        failure is reported to the admins rather than nothing being sent)."""
        if email is None:
            return [p for p in self._platforms if p in self._admin_platforms]
        reachable = [
            p for p in self._platforms if p not in NEEDS_CONVERSATION or (p, email) in chats
        ]
        return reachable or list(self._platforms)

    def _personal_chats(self, emails: Collection[str]) -> set[tuple[Platform, str]]:
        """Which of these people the bot has a personal chat with, on each of its platforms
        that needs one to reach them."""
        platforms = [p.value for p in self._platforms if p in NEEDS_CONVERSATION]
        if not platforms:
            return set()
        found: set[tuple[Platform, str]] = set()
        for chunk in chunked(sorted(emails)):
            rows = self._session.execute(
                select(ChatConversation.platform, ChatConversation.email).where(
                    ChatConversation.platform.in_(platforms),
                    ChatConversation.kind == PERSONAL_CHAT,
                    ChatConversation.email.in_(chunk),
                )
            )
            found |= {(Platform(platform), email) for platform, email in rows if email}
        return found


def chunked(items: Sequence[T], size: int = LOOKUP_CHUNK) -> Iterator[Sequence[T]]:
    """``items`` in consecutive slices of at most ``size``."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
