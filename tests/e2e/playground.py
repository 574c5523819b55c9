"""The Microsoft 365 Agents Playground (npm, pinned in tests/teams_playground/) in front of the
running bot: a real Teams client emulator with its own mocked connector.

Started with the browser off, telemetry off and a log file, on a port below 32768, it prints
``Listening on N``; its conversations answer 404 until ``GET /_internal/v1/config`` was called
once. Its HTTP API sends messages and invokes as any configured user; the bot's messages and
updates arrive on its websocket.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import re
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import yaml

HERE = Path(__file__).resolve().parent.parent / "teams_playground"
CLI = HERE / "node_modules" / "@microsoft" / "m365agentsplayground" / "cli.js"
PLAYWRIGHT = HERE / "node_modules" / "playwright-core"
CHROMIUM = Path("/usr/bin/chromium")
REQUIRED = os.environ.get("HMIS_BOT_REQUIRE_PLAYGROUND") == "1"  # set by .ci/run
TEAM = "hmis-team"
ADMIN_CHANNEL = "hmis-admins"


def require(*paths: Path) -> None:
    """Skip when the Playground's tools are not installed here; fail instead in CI."""
    missing = [str(p) for p in paths if not p.exists()]
    if shutil.which("node") is None:
        missing.append("node")
    if not missing:
        return
    message = f"Teams Playground tests need {', '.join(missing)} (npm ci in {HERE})"
    if REQUIRED:
        pytest.fail(f"HMIS_BOT_REQUIRE_PLAYGROUND=1 but: {message}")
    pytest.skip(message)


def config_file(folder: Path, me: tuple[str, str], others: list[tuple[str, str]]) -> Path:
    """The Playground's mock tenant: ``me`` in the personal chat, everyone in one team."""

    def user(index: int, email: str, name: str) -> dict[str, str]:
        first, _, last = name.partition(" ")
        return {
            "id": f"user-id-{index}",
            "name": name,
            "userPrincipleName": email,
            "aadObjectId": f"00000000-0000-0000-0000-{index:012d}",
            "givenName": first,
            "surname": last or first,
            "email": email,
        }

    config = {
        "version": "0.1.1",
        "tenantId": "00000000-0000-0000-0000-000000000001",
        "bot": {"id": "00000000-0000-0000-0000-000000000011", "name": "HMIS Access"},
        "currentUser": user(0, *me),
        "users": [user(i, email, name) for i, (email, name) in enumerate(others, 1)],
        "personalChat": {"id": "personal-chat"},
        "groupChat": {"id": "group-chat", "name": "Group Chat"},
        "team": {
            "id": TEAM,
            "name": "HMIS",
            "aadGroupId": "00000000-0000-0000-0000-000000000031",
            "channels": [{"id": ADMIN_CHANNEL, "name": "HMIS admins"}],
        },
    }
    path = folder / ".m365agentsplayground.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


@dataclass
class Playground:
    url: str
    http: aiohttp.ClientSession
    config: dict[str, Any]
    received: list[dict[str, Any]] = field(default_factory=list)

    def user_id(self, email: str) -> str:
        people = [self.config["currentUser"], *self.config["users"]]
        return str(next(p["id"] for p in people if p["email"] == email))

    async def say(self, email: str, conversation: str, text: str, mention: bool = False) -> str:
        body: dict[str, Any] = {"from": {"id": self.user_id(email)}, "textFormat": "plain"}
        if mention:
            bot = self.config["bot"]
            text = f"<at>{bot['name']}</at> {text}"
            body["mentions"] = [{"mentioned": {"id": bot["id"]}, "text": f"<at>{bot['name']}</at>"}]
        body["text"] = text
        path = f"/_conversation/v1/conversations/{conversation}/messages"
        async with self.http.post(self.url + path, json=body) as response:
            assert response.status == 200, await response.text()
            return str((await response.json())["messageId"])

    async def say_as(self, email: str, conversation: str, text: str) -> None:
        """A message from anyone in the team (its chat box speaks only as the current user):
        the Playground's own template for the conversation, sent as a custom activity."""
        query = {"conversationId": conversation}
        async with self.http.get(
            self.url + "/_internal/v1/customActivities/template", params=query
        ) as response:
            assert response.status == 200, await response.text()
            activity = await response.json()
        people = [self.config["currentUser"], *self.config["users"]]
        person = next(p for p in people if p["email"] == email)
        bot = self.config["bot"]
        activity |= {
            "type": "message",
            "text": f"<at>{bot['name']}</at> {text}",
            "from": {
                "id": person["id"],
                "name": person["name"],
                "aadObjectId": person["aadObjectId"],
            },
            "channelData": {
                "tenant": {"id": self.config["tenantId"]},
                "team": {"id": TEAM},
                "channel": {"id": conversation},
            },
        }
        async with self.http.post(
            self.url + "/_internal/v1/customActivities", json=activity
        ) as response:
            assert response.status == 200, await response.text()

    async def invoke(
        self, email: str, conversation: str, message_id: str, action: dict[str, Any]
    ) -> dict[str, Any]:
        body = {
            "name": "adaptiveCard/action",
            "from": {"id": self.user_id(email)},
            "conversation": {"id": conversation},
            "replyToId": message_id,
            "value": {"action": action, "trigger": "manual"},
        }
        async with self.http.post(self.url + "/_conversation/v1/invoke", json=body) as response:
            text = await response.text()
            assert response.status == 200, text
            return dict(json.loads(text))

    async def wait_for(self, predicate: Any, within: float = 10.0) -> dict[str, Any]:
        """The first websocket event (already received or coming) that ``predicate`` accepts."""
        deadline = asyncio.get_running_loop().time() + within
        while asyncio.get_running_loop().time() < deadline:
            for event in self.received:
                if predicate(event):
                    return event
            await asyncio.sleep(0.02)
        raise AssertionError(f"nothing matched within {within} s; got {self.received[-5:]}")


async def _read_port(process: asyncio.subprocess.Process) -> int:
    assert process.stdout is not None
    while True:
        line = (await process.stdout.readline()).decode()
        if not line:
            raise AssertionError("the Playground exited before listening")
        found = re.search(r"Listening on (\d+)", line)
        if found:
            return int(found.group(1))


async def _listen(url: str, http: aiohttp.ClientSession, into: list[dict[str, Any]]) -> None:
    ws_url = url.replace("http://", "ws://") + "/_ws_conversation/v1/conversations/stream"
    async with http.ws_connect(ws_url) as socket:
        async for message in socket:
            if message.type == aiohttp.WSMsgType.TEXT:
                into.append(json.loads(message.data))


@asynccontextmanager
async def playground(
    bot_url: str, folder: Path, me: tuple[str, str], others: list[tuple[str, str]]
) -> AsyncIterator[Playground]:
    env = os.environ | {
        "TEAMSAPPTESTER_BROWSER": "none",
        "APPLICATION_INSIGHTS_NO_STATSBEAT": "1",
        "M365_AGENTS_PLAYGROUND_LOGFILE": str(folder / "playground.log"),
        "M365_AGENTS_PLAYGROUND_CONFIG_PATH": str(config_file(folder, me, others)),
    }
    port = random.randint(20000, 32000)  # below 32768; the Playground falls back if taken
    process = await asyncio.create_subprocess_exec(
        "node", str(CLI), "start", "--dt", "-p", str(port), "-c", "msteams", "-e", bot_url,
        cwd=folder, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    listener: asyncio.Task[None] | None = None
    try:
        url = f"http://localhost:{await asyncio.wait_for(_read_port(process), 60)}"
        async with aiohttp.ClientSession() as http:
            async with http.get(url + "/_internal/v1/config") as response:
                config = (await response.json())["config"]
            pg = Playground(url, http, config)
            listener = asyncio.create_task(_listen(url, http, pg.received))
            await asyncio.sleep(0.3)
            yield pg
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listener
    finally:
        process.terminate()
        with contextlib.suppress(ProcessLookupError):
            await asyncio.wait_for(process.wait(), 10)
