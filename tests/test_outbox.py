"""The outbox dispatcher with real storage: coalescing and once-only delivery."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest
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


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_replicas_claim_around_rows_another_one_is_claiming(
    database_url: str, database: Database, community: Community, clock: Clock
) -> None:
    """On PostgreSQL the claim reads ``FOR UPDATE SKIP LOCKED``: rows another replica's claim
    has locked are passed over, not waited for. Before, the claim's compare-and-set waited on
    the other replica's lock, so replicas claiming at once took turns instead of working in
    parallel."""
    messenger = ConsoleMessenger(lambda _line: None)
    settings = Settings(HMIS_BOT_DATABASE_URL=database_url)
    runtime = build_runtime(settings, community, {Platform.CONSOLE: messenger}, clock)
    service_driver(runtime.service).submit(LEAD, request_values())
    with database.transaction() as session:
        queued = len(session.scalars(select(OutboxRow.id)).all())
    other = database.engine.connect()
    try:
        with other.begin():  # another replica's claim, in the middle of its transaction
            other.execute(select(OutboxRow.id).order_by(OutboxRow.id).limit(1).with_for_update())
            delivered = await asyncio.wait_for(runtime.dispatcher.deliver_due(), timeout=10)
    finally:
        other.close()
    assert delivered == queued - 1
    runtime.db.dispose()
