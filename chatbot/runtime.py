"""Wires the application together from settings: database, community, registry, service,
outbox and sweeper."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from chatbot.community_calendar import business_calendar
from chatbot.delivery.live_cards import InactivityCards, RequestCards
from chatbot.delivery.outbox import LiveCards, OutboxDispatcher
from chatbot.scheduling.sweeper import Sweeper
from chatbot.service import BotService
from chatbot.settings import Settings
from chatbot.storage.database import Database
from chatbot.storage.ledger import Clock
from flows.community import Community
from flows.kinds import default_registry
from flows.kit.kind import CardView
from flows.kit.registry import Registry
from flows.model import REQUEST_SUBJECT, Platform
from flows.nudges.inactivity import INACTIVITY_SUBJECT, InactivityCard
from flows.ports import Messenger


def utc_now() -> datetime:
    return datetime.now(UTC)


def admin_channel_platforms(
    community: Community, platforms: Iterable[Platform]
) -> frozenset[Platform]:
    """The platforms that post to the admins: those with an admin channel in the community
    file (a platform without such a setting, like the console, always does)."""
    channels = {
        Platform.SLACK: community.channels.admin.slack,
        Platform.TEAMS: community.channels.admin.teams,
    }
    return frozenset(p for p in platforms if p not in channels or channels[p])


@dataclass
class Runtime:
    db: Database
    community: Community
    registry: Registry
    service: BotService
    dispatcher: OutboxDispatcher
    sweeper: Sweeper


def build_runtime(
    settings: Settings,
    community: Community,
    messengers: Mapping[Platform, Messenger],
    clock: Clock = utc_now,
    *,
    db: Database | None = None,
    registry: Registry | None = None,
) -> Runtime:
    calendar = business_calendar(community)
    db = db or Database(settings.database_url)
    registry = registry or default_registry()
    admins = admin_channel_platforms(community, messengers)
    live_cards: dict[str, LiveCards] = {
        REQUEST_SUBJECT: RequestCards(registry, CardView(community, calendar), clock),
        INACTIVITY_SUBJECT: InactivityCards(InactivityCard(community, calendar), clock),
    }
    platforms = tuple(messengers)
    dispatcher = OutboxDispatcher(db, live_cards, messengers, clock, admin_platforms=admins)
    service = BotService(
        db,
        community,
        calendar,
        clock,
        platforms,
        registry,
        on_commit=dispatcher.wake,
        admin_platforms=admins,
    )
    sweeper = Sweeper(db, community, calendar, registry, platforms, admins)
    return Runtime(db, community, registry, service, dispatcher, sweeper)
