"""The bot behind the Microsoft 365 Agents Playground (a real Teams client emulator with its
own connector): the request filed, admitted, trained for and approved through its HTTP API,
and one smoke test of its web UI in headless Chromium.

Skipped when the Playground is not installed here (``npm ci`` in tests/teams_playground/);
CI installs it and sets HMIS_BOT_REQUIRE_PLAYGROUND=1, which turns the skip into a failure.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from chatbot.settings import Settings
from chatbot.storage.database import Database
from chatbot.web.server import create_app
from flows.community import Channels, Community, PlatformChannel
from flows.kinds.new_user.form import F
from tests.conftest import Clock
from tests.e2e.playground import (
    ADMIN_CHANNEL,
    CHROMIUM,
    CLI,
    HERE,
    PLAYWRIGHT,
    Playground,
    playground,
    require,
)
from tests.e2e.teams_testbed import form_inputs
from tests.fakes.bot_connector import walk
from tests.requests import ADMIN, LEAD, OUTSIDER, SECOND_ADMIN, SUPERVISOR, TRAINEE, request_values

log = logging.getLogger(__name__)
PERSONAL = "personal-chat"
PEOPLE = [
    (TRAINEE, "Jane Doe"),
    (ADMIN, "HMIS Help Desk"),
    (SECOND_ADMIN, "Second HMIS Admin"),
    (SUPERVISOR, "Sam Supervisor"),
    (OUTSIDER, "Some One"),  # the Playground wants at least five other users
]


@pytest.fixture
async def bot_url(
    database_url: str, database: Database, community: Community, clock: Clock
) -> AsyncIterator[str]:
    """The bot on a real local port, Teams in dev mode (the Playground sends no tokens)."""
    require(CLI)
    community = community.model_copy(
        update={"channels": Channels(admin=PlatformChannel(teams=ADMIN_CHANNEL))}
    )
    settings = Settings(HMIS_BOT_DATABASE_URL=database_url, HMIS_BOT_TEAMS_DEV_MODE="1")
    runner = web.AppRunner(create_app(settings, clock, community))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}/api/messages"
    finally:
        await runner.cleanup()


@pytest.fixture
async def pg(bot_url: str, tmp_path: Path) -> AsyncIterator[Playground]:
    async with playground(bot_url, tmp_path, (LEAD, "Rosa Lead"), PEOPLE) as running:
        yield running


def card_of(event: dict[str, Any]) -> dict[str, Any]:
    return dict(event["message"]["attachments"][0]["content"])


def posted(conversation: str, text: str) -> Any:
    def match(event: dict[str, Any]) -> bool:
        return (
            event.get("action") == "createMessage"
            and event.get("actionConversationId", "").split(";")[0] == conversation
            and text in json.dumps(event.get("message", {}))
        )

    return match


def thread(event: dict[str, Any]) -> str:
    """Where a channel message lives for the Playground: a new post starts its own thread."""
    message = event["message"]
    return str(message.get("postConversationId") or event["actionConversationId"])


def execute(card: dict[str, Any], title: str, inputs: dict[str, str] | None = None) -> Any:
    for action in walk(card):
        if action.get("type") == "Action.Execute" and action.get("title") == title:
            data = {**action.get("data", {}), **(inputs or {})}
            return {"type": "Action.Execute", "verb": action["verb"], "data": data}
    raise AssertionError(f"no button {title!r}")


async def test_a_request_through_the_playground(pg: Playground, database: Database) -> None:
    await pg.say(LEAD, PERSONAL, "hmis-access")
    form = await pg.wait_for(posted(PERSONAL, "Submit request"))
    answers = request_values(
        **{F.DIRECTLY_SUPERVISES: "yes", F.SUPERVISOR_NAME: None, F.SUPERVISOR_EMAIL: None}
    )
    answers[F.BACKGROUND_CHECK] = ["yes"]
    started = time.perf_counter()
    answer = await pg.invoke(
        LEAD,
        PERSONAL,
        form["message"]["messageId"],
        execute(card_of(form), "Submit request", form_inputs(answers)),
    )
    submit_seconds = time.perf_counter() - started
    assert "Request #1 filed" in json.dumps(answer)

    admin = await pg.wait_for(posted(ADMIN_CHANNEL, "New user access request #1"))
    # Jane has no chat with the bot in the Playground: the admins are told, not silence.
    await pg.wait_for(posted(ADMIN_CHANNEL, "Could not reach a person"))

    await pg.say_as(TRAINEE, ADMIN_CHANNEL, "hmis-access status")
    status = await pg.wait_for(posted(ADMIN_CHANNEL, "I've completed"))
    for training in ("Clarity General Training", "Privacy & Security Training"):
        await pg.invoke(
            TRAINEE,
            thread(status),
            status["message"]["messageId"],
            execute(card_of(status), f"I've completed {training}"),
        )
    ready = await pg.wait_for(
        lambda e: e.get("action") == "updateMessage" and '"Approve"' in json.dumps(e)
    )

    started = time.perf_counter()
    answer = await pg.invoke(
        ADMIN,
        thread(admin),
        admin["message"]["messageId"],
        execute(card_of(ready), "Approve"),
    )
    approve_seconds = time.perf_counter() - started
    assert answer  # a message response; the card itself is replaced for everyone:
    await pg.wait_for(
        lambda e: (
            e.get("action") == "updateMessage" and "Approved by HMIS Help Desk" in json.dumps(e)
        )
    )
    log.warning(
        "Playground round trips: submit %.3f s, approve %.3f s", submit_seconds, approve_seconds
    )
    assert max(submit_seconds, approve_seconds) < 5  # Teams allows about 5 s per invoke


async def test_the_playground_ui_shows_the_form_card(pg: Playground, tmp_path: Path) -> None:
    """Headless Chromium: type the command in the Playground's chat, see the card, click it."""
    require(PLAYWRIGHT, CHROMIUM)
    screenshot = tmp_path / "playground.png"
    process = await asyncio.create_subprocess_exec(
        "node", str(HERE / "ui_smoke.mjs"), pg.url, str(screenshot),
        cwd=HERE, env=os.environ | {"CHROMIUM": str(CHROMIUM)},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    output, _ = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode == 0, output.decode()
    assert "card shown" in output.decode()
    assert "validation shown" in output.decode()
    assert screenshot.stat().st_size > 0
