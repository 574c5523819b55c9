"""A real outage: the bot's own PostgreSQL cluster is stopped as if it crashed, then started
again. The outbox dispatcher keeps going and delivers once the database is back, and
``/healthz`` answers 503 while it is down and 200 again after."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from aiohttp.test_utils import TestClient, TestServer

from chatbot.delivery.outbox import OutboxDispatcher
from chatbot.runtime import utc_now
from chatbot.settings import Settings
from chatbot.storage.database import Database
from chatbot.storage.schema import upgrade
from chatbot.supervision import Backoff
from chatbot.web.server import create_app
from flows.community import Community
from flows.model import Platform
from tests.outages import ScriptedMessenger, eventually, loop_failures, queue_card
from tests.postgres_cluster import Cluster, stoppable_cluster

pytestmark = pytest.mark.postgresql


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    with stoppable_cluster() as running:
        if isinstance(running, str):
            pytest.skip(running)
        database = Database(running.url)
        upgrade(database.engine)
        database.dispose()
        yield running


async def test_the_dispatcher_delivers_again_once_the_database_is_back(cluster: Cluster) -> None:
    database = Database(cluster.url)
    messenger = ScriptedMessenger()
    outbox = OutboxDispatcher(
        database, {}, {Platform.CONSOLE: messenger}, utc_now, backoff=Backoff(0.05, 0.2)
    )
    stop = asyncio.Event()
    task = asyncio.create_task(outbox.run(stop))
    failures = loop_failures("outbox")
    try:
        await asyncio.sleep(0.2)  # the pool holds connections the crash will cut
        with cluster.down():
            await eventually(lambda: loop_failures("outbox") >= failures + 2, seconds=10)
            assert not task.done()
        queue_card(database, utc_now, "After the crash")
        outbox.wake()
        await eventually(lambda: messenger.posted, seconds=10)
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=10)
        database.dispose()
    assert not task.exception()
    assert [card.title for _, card in messenger.posted] == ["After the crash"]


async def test_healthz_is_503_while_the_database_is_down(
    cluster: Cluster, community: Community
) -> None:
    settings = Settings(HMIS_BOT_DATABASE_URL=cluster.url, HMIS_BOT_SWEEP_MINUTES=0)
    async with TestClient(TestServer(create_app(settings, utc_now, community))) as http:
        assert (await http.get("/healthz")).status == 200
        with cluster.down():
            response = await http.get("/healthz")
            body = await response.json()
            assert (response.status, body["status"], body["database"]) == (
                503,
                "unavailable",
                "down",
            )
        response = await http.get("/healthz")
        assert (response.status, (await response.json())["database"]) == (200, "ok")
