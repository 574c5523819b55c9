"""The outbox dispatcher with real storage: coalescing and once-only delivery."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from adapters.console.messenger import ADMIN_CHANNEL, ConsoleMessenger
from chatbot.runtime import build_runtime
from chatbot.settings import Settings
from chatbot.storage.database import Database
from chatbot.storage.models import OutboxRow
from flows.community import Community
from flows.model import Platform
from tests.conftest import Clock
from tests.drive import service_driver
from tests.requests import LEAD, SUPERVISOR, request_values


async def test_changes_queued_before_delivery_are_coalesced_into_one_post(
    database_url: str, database: Database, community: Community, clock: Clock
) -> None:
    written: list[str] = []
    messenger = ConsoleMessenger(written.append)
    settings = Settings(HMIS_BOT_DATABASE_URL=database_url)
    runtime = build_runtime(settings, community, {Platform.CONSOLE: messenger}, clock)
    service = runtime.service

    driver = service_driver(service)
    driver.submit(LEAD, request_values())
    driver.click(SUPERVISOR, "verify")
    await runtime.dispatcher.deliver_due()
    assert await runtime.dispatcher.deliver_due() == 0

    [admin_card] = messenger.cards_for(ADMIN_CHANNEL)
    assert "training in progress" in admin_card.summary
    assert sum("updated" in line.splitlines()[0] for line in written) == 0
    with database.transaction() as session:
        statuses = Counter(session.scalars(select(OutboxRow.status)))
    assert statuses == {"sent": 4, "superseded": 3}
    runtime.db.dispose()
