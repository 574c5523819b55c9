"""Wires the application together from settings: database, community, service, outbox."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from chatbot.community_calendar import business_calendar
from chatbot.outbox import OutboxDispatcher
from chatbot.request_cards import RequestCards
from chatbot.service import BotService
from chatbot.settings import Settings
from chatbot.storage.database import Database
from chatbot.storage.ledger import Clock
from flows.community import Community
from flows.model import Platform
from flows.new_user.cards import REQUEST_SUBJECT, CardRenderer
from flows.ports import Messenger


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Runtime:
    db: Database
    community: Community
    service: BotService
    dispatcher: OutboxDispatcher


def build_runtime(
    settings: Settings,
    community: Community,
    messengers: Mapping[Platform, Messenger],
    clock: Clock = utc_now,
) -> Runtime:
    calendar = business_calendar(community)
    db = Database(settings.database_url)
    live_cards = {REQUEST_SUBJECT: RequestCards(CardRenderer(community, calendar), clock)}
    dispatcher = OutboxDispatcher(db, live_cards, messengers, clock)
    service = BotService(
        db, community, calendar, clock, tuple(messengers), on_commit=dispatcher.wake
    )
    return Runtime(db, community, service, dispatcher)
