"""The outbox dispatcher outlives failures: the database going away, a messenger's bug; and
after a crash the cards it had claimed go out within seconds, not after a minute."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from chatbot.delivery.outbox import CLAIM_LEASE, OutboxDispatcher
from chatbot.runtime import utc_now
from chatbot.storage.database import Database
from chatbot.storage.ledger import Clock
from chatbot.storage.models import OutboxRow
from chatbot.supervision import Backoff
from flows.model import Platform
from tests.conftest import Clock as FakeClock
from tests.outages import (
    ScriptedMessenger,
    SwitchableDatabase,
    eventually,
    loop_failures,
    queue_card,
)

log = logging.getLogger(__name__)
FAST = Backoff(first=0.01, cap=0.05)


def dispatcher(
    database: Database, messenger: ScriptedMessenger, clock: Clock, holder: int | None = None
) -> OutboxDispatcher:
    messengers = {Platform.CONSOLE: messenger}
    return OutboxDispatcher(database, {}, messengers, clock, holder=holder, backoff=FAST)


@contextlib.asynccontextmanager
async def running(outbox: OutboxDispatcher) -> AsyncIterator[asyncio.Task[None]]:
    stop = asyncio.Event()
    task = asyncio.create_task(outbox.run(stop))
    try:
        yield task
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=10)


def rows(database: Database) -> list[OutboxRow]:
    with database.transaction() as session:
        return list(session.scalars(select(OutboxRow).order_by(OutboxRow.id)))


async def test_the_dispatcher_goes_on_after_the_database_fails(
    database_url: str, database: Database, clock: FakeClock
) -> None:
    """Before: an OperationalError from ``_claim_due`` ended the delivery task for good."""
    flaky = SwitchableDatabase(database_url)
    messenger = ScriptedMessenger()
    outbox = dispatcher(flaky, messenger, clock)
    failures = loop_failures("outbox")
    async with running(outbox) as task:
        with flaky.outage():
            await eventually(lambda: loop_failures("outbox") >= failures + 3)
            assert not task.done()
        queue_card(database, clock, "After the outage")
        outbox.wake()
        await eventually(lambda: messenger.posted)
    assert [card.title for _, card in messenger.posted] == ["After the outage"]
    flaky.dispose()


async def test_a_messenger_raising_something_unexpected_fails_only_that_delivery(
    database: Database, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    """Before: a RuntimeError from a messenger ended the delivery task for good."""
    boom = RuntimeError("the platform's client had a bug")
    messenger = ScriptedMessenger(failures=[boom, RuntimeError("again")])
    outbox = dispatcher(database, messenger, clock)
    queue_card(database, clock, "Welcome")
    assert await outbox.deliver_due() == 1
    [row] = rows(database)
    assert (row.status, row.attempts, row.claimed_until) == ("pending", 1, None)
    assert row.last_error == "unexpected RuntimeError: the platform's client had a bug"
    clock.advance(seconds=6)  # the first retry's backoff
    assert await outbox.deliver_due() == 1
    clock.advance(seconds=11)
    assert await outbox.deliver_due() == 1
    [row] = rows(database)
    assert (row.status, row.attempts) == ("sent", 3)
    assert [card.title for _, card in messenger.posted] == ["Welcome"]
    tracebacks = [r for r in caplog.records if r.exc_info and "messenger raised" in r.message]
    assert len(tracebacks) == 1  # once per error type, not once per failure


async def test_cards_claimed_by_a_dispatcher_that_died_go_out_within_seconds(
    database: Database,
) -> None:
    """A server killed mid-delivery left its rows claimed for a minute (the old 60 s lease);
    now its claims lapse within ``CLAIM_LEASE`` and the restarted dispatcher delivers them."""
    queue_card(database, utc_now, "Queued before the crash")
    dead = dispatcher(database, ScriptedMessenger(), utc_now, holder=111)
    [claimed] = (await asyncio.to_thread(dead._claim_due)).jobs  # claimed, then killed
    [row] = rows(database)
    assert row.claimed_until is not None
    assert row.claimed_until.microsecond == 111  # whose claim it is
    messenger = ScriptedMessenger()
    async with running(dispatcher(database, messenger, utc_now)):
        took = await eventually(lambda: messenger.posted, seconds=10)
    log.info("the cards of a dead dispatcher went out %.2f s after the restart", took)
    assert took <= CLAIM_LEASE.total_seconds() + 1.0, took
    assert [card.title for _, card in messenger.posted] == ["Queued before the crash"]
    assert claimed.row_id == row.id


async def test_a_slow_delivery_keeps_its_claim(database: Database) -> None:
    """A delivery that takes longer than the lease is not taken over by another replica:
    its dispatcher renews the claim every second while it is in flight."""
    queue_card(database, utc_now, "Slow")
    slow = ScriptedMessenger(delay=CLAIM_LEASE.total_seconds() + 1.5)
    other = ScriptedMessenger()
    async with running(dispatcher(database, slow, utc_now, holder=1)):
        await asyncio.sleep(0.2)  # the first replica has claimed the row
        async with running(dispatcher(database, other, utc_now, holder=2)):
            await eventually(lambda: slow.posted, seconds=10)
            await asyncio.sleep(0.5)
    assert other.posted == []
    assert [row.status for row in rows(database)] == ["sent"]


def test_claims_expire_at_their_holders_microsecond(database: Database) -> None:
    now = datetime(2026, 11, 16, 18, 0, 0, 123_456, tzinfo=UTC)
    outbox = dispatcher(database, ScriptedMessenger(), lambda: now, holder=42)
    until = outbox._claimed_until(now)
    assert until.microsecond == 42
    lease = CLAIM_LEASE.total_seconds()
    assert lease - 1 < (until - now).total_seconds() <= lease
