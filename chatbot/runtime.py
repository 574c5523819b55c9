"""Wires the application together from settings: database, community, service, outbox."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from chatbot.community_calendar import business_calendar
from chatbot.delivery.live_cards import RequestCards
from chatbot.delivery.outbox import LiveCards, OutboxDispatcher
from chatbot.inactivity import InactivityCards, InactivityClicks
from chatbot.scheduling.sweeper import Sweeper
from chatbot.service import BotService
from chatbot.settings import Settings
from chatbot.storage.database import Database
from chatbot.storage.ledger import Clock
from flows.community import Community
from flows.model import Platform
from flows.new_user.cards import REQUEST_SUBJECT, CardRenderer
from flows.nudges.inactivity import INACTIVITY_FLOW, INACTIVITY_SUBJECT, InactivityCard
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
) -> Runtime:
    calendar = business_calendar(community)
    db = db or Database(settings.database_url)
    admins = admin_channel_platforms(community, messengers)
    live_cards: dict[str, LiveCards] = {
        REQUEST_SUBJECT: RequestCards(CardRenderer(community, calendar), clock),
        INACTIVITY_SUBJECT: InactivityCards(InactivityCard(community, calendar), clock),
    }
    platforms = tuple(messengers)
    clicks = InactivityClicks(db, community, clock, platforms, admins)
    dispatcher = OutboxDispatcher(db, live_cards, messengers, clock, admin_platforms=admins)
    service = BotService(
        db,
        community,
        calendar,
        clock,
        tuple(messengers),
        on_commit=dispatcher.wake,
        admin_platforms=admins,
        other_flows={INACTIVITY_FLOW: clicks.click},
    )
    sweeper = Sweeper(db, community, calendar, platforms, admins)
    return Runtime(db, community, service, dispatcher, sweeper)
