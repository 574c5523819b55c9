"""The Teams path: a "help" message through ``/api/messages`` until its reply reaches the fake
connector, against botbuilder's stock echo bot on the same route."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from bench.fake_connector import TENANT
from bench.harness import Harness, phase_rows, rotate
from bench.load import LoadError, One
from bench.processes import Server
from bench.table import ratio_at_least

TEAMS_CONCURRENCY = 16
TEAMS_PEOPLE = 64  # distinct people (and personal chats) the messages come from
BOT_ACCOUNT = {"id": "28:hmis-bot", "name": "HMIS Access"}


def message(activity_id: str, member: str, text: str, service_url: str) -> dict[str, Any]:
    """A personal-chat message activity as Teams sends it (``tests/e2e/teams_testbed.py``)."""
    return {
        "type": "message",
        "id": activity_id,
        "timestamp": datetime.now(UTC).isoformat(),
        "serviceUrl": service_url,
        "channelId": "msteams",
        "from": {"id": f"29:{member}", "name": member, "aadObjectId": f"aad-{member}"},
        "recipient": BOT_ACCOUNT,
        "conversation": {
            "id": f"a:chat-{member}",
            "conversationType": "personal",
            "tenantId": TENANT,
        },
        "channelData": {"tenant": {"id": TENANT}},
        "locale": "en-US",
        "text": text,
    }


def help_one(h: Harness, server: Server) -> One:
    async def one() -> float:
        number = next(h.ids)
        activity_id = f"bench-{number}"
        member = f"bench{number % TEAMS_PEOPLE}"
        body = message(activity_id, member, "help", h.connector.service_url)
        replied = h.connector.expect_reply(activity_id)
        started = time.perf_counter()
        try:
            async with h.session.post(f"{server.url}/api/messages", json=body) as response:
                text = await response.text()
                if response.status not in (200, 201):
                    raise LoadError(f"HTTP {response.status}: {text[:200]}")
            return await replied - started
        finally:
            h.connector.forget(activity_id)

    return one


async def teams_path(h: Harness) -> None:
    bot = h.servers["bot"]
    echo = await h.start(h.echo_spec())
    c = TEAMS_CONCURRENCY
    bots, echoes = await rotate(
        h.plan.rotations, h.runner(help_one(h, bot), bot, c), h.runner(help_one(h, echo), echo, c)
    )
    h.rows += phase_rows(
        "teams help -> reply",
        c,
        bots,
        echoes,
        rate=ratio_at_least(3.0),
        hint="botbuilder builds a ConnectorClient and a TokenApiClient for every turn "
        "(CloudAdapterBase.process_activity; msrest's ClientRetryPolicy scans range(999) in "
        "each), the same in the echo bot; the bot adds an identity read and a "
        "conversation-reference write (SqlConversations.remember) per message",
    )
    h.memory_row("after Teams load", "bot", echo.spec.name, after_load=True)
    await h.stop(echo.spec.name)
