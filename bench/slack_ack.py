"""How fast the bot acknowledges Slack, against bare Bolt measured in the same run.

Slack gives an app 3 seconds to acknowledge. This sends signed `/hmis-access` commands and
request-form submissions (which validate and write to the database before the ack, since field
errors travel in it) to the real server over loopback, and the same requests to a bare Bolt app
whose listeners only ack, behind the same aiohttp route. It prints percentiles and the ratio.

    .venv/bin/python -m bench.slack_ack [--requests 300] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.handler import SlackEventsHandler
from chatbot.policy import bundled_preset_path, load_community
from chatbot.storage.database import Database
from chatbot.storage.directory import sync_directory
from chatbot.storage.schema import upgrade
from tests.conftest import Clock
from tests.e2e.slack_testbed import LEAD, SIGNING_SECRET, TOKEN, SlackTestbed, running_bot
from tests.requests import request_values

Send = Callable[[int], Awaitable[None]]


async def timed(send: Send, requests: int) -> list[float]:
    samples = []
    for i in range(requests):
        started = time.perf_counter()
        await send(i)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def bare_bolt_app(api_url: str) -> web.Application:
    bolt = AsyncApp(
        client=AsyncWebClient(token=TOKEN, base_url=api_url), signing_secret=SIGNING_SECRET
    )

    async def ack_only(ack: AsyncAck) -> None:
        await ack()

    bolt.command("/hmis-access")(ack_only)
    bolt.view_submission("new_user_request")(ack_only)
    app = web.Application()
    app.router.add_post("/slack/events", SlackEventsHandler(bolt, SIGNING_SECRET))
    return app


def report(name: str, ours: list[float], baseline: list[float]) -> None:
    def pct(samples: list[float], q: int) -> float:
        return statistics.quantiles(samples, n=100)[q - 1]

    print(
        f"{name:<28} p50 {pct(ours, 50):7.2f} ms  p95 {pct(ours, 95):7.2f} ms  "
        f"max {max(ours):7.2f} ms | bare Bolt p50 {pct(baseline, 50):6.2f} ms  "
        f"p95 {pct(baseline, 95):6.2f} ms | ratio p50 {pct(ours, 50) / pct(baseline, 50):5.2f}x"
        f"  p95 {pct(ours, 95) / pct(baseline, 95):5.2f}x"
    )


async def measure(requests: int, database_url: str) -> None:
    community = load_community(bundled_preset_path())
    db = Database(database_url)
    upgrade(db.engine)
    with db.transaction() as session:
        sync_directory(session, community)
    db.dispose()
    async with running_bot(database_url, community, Clock()) as bot:
        await bot.command(LEAD)
        await bot.settle()
        form = bot.fake.opened_views[-1]

        async def command(_: int) -> None:
            assert (await bot.command(LEAD))[0] == 200

        async def submit(i: int) -> None:
            values = request_values(new_user_email=f"user{i}@riverhouse.example.org")
            assert "update" in str(await bot.submit(LEAD, form, values))

        ours_command = await timed(command, requests)
        ours_submit = await timed(submit, requests)
        await bot.settle()
        bare = TestClient(TestServer(bare_bolt_app(str(bot.fake.base_url))))
        await bare.start_server()
        baseline = SlackTestbed(bot.fake, bare, bot.clock, bot._counter)
        base_command = await timed(command_on(baseline), requests)
        base_submit = await timed(submit_on(baseline, form), requests)
        await bare.close()
    print(f"{requests} sequential signed requests per kind over loopback, {database_url}")
    report("/hmis-access (ack)", ours_command, base_command)
    report("form submit (validate+write)", ours_submit, base_submit)


def command_on(bed: SlackTestbed) -> Send:
    async def send(_: int) -> None:
        assert (await bed.command(LEAD))[0] == 200

    return send


def submit_on(bed: SlackTestbed, form: dict[str, object]) -> Send:
    async def send(i: int) -> None:
        await bed.submit(LEAD, form, request_values(new_user_email=f"b{i}@riverhouse.example.org"))

    return send


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        asyncio.run(measure(args.requests, url))


if __name__ == "__main__":
    main()
