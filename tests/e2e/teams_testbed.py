"""Drives the running bot the way Teams does: Bot Framework activities POSTed to /api/messages,
with the bot's connector calls answered by the local FakeConnector (the activities'
``serviceUrl``). Slack can run beside it, on the same server and database."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import count
from typing import Any

from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select

from chatbot.settings import Settings
from chatbot.storage.database import Database
from chatbot.storage.models import OutboxRow
from chatbot.web.server import STATE, create_app
from flows.community import Channels, Community, PlatformChannel
from tests.e2e.slack_testbed import (
    ADMIN_CHANNEL,
    SIGNING_SECRET,
    TOKEN,
    USERS,
    SlackTestbed,
)
from tests.fakes.bot_connector import TENANT, FakeConnector, Posted, walk
from tests.fakes.slack_web_api import FakeSlack

TEAMS_ADMIN_CHANNEL = "19:hmis-admins@thread.tacv2"
TEAM = "19:hmis-team@thread.tacv2"
BOT = {"id": "28:hmis-bot", "name": "HMIS Access"}
NO_EMAIL_MEMBER = "no-email"  # a Teams member whose profile shows no e-mail


def teams_id(email: str) -> str:
    return "29:" + USERS.get(email, email).lower()


def personal(email: str) -> str:
    """The personal chat's conversation id Teams gives a person and the bot."""
    return "a:chat-" + USERS.get(email, email).lower()


def with_teams_admin_channel(community: Community) -> Community:
    admin = PlatformChannel(slack=community.channels.admin.slack, teams=TEAMS_ADMIN_CHANNEL)
    return community.model_copy(update={"channels": Channels(admin=admin)})


@dataclass
class TeamsTestbed:
    fake: FakeConnector
    http: TestClient
    service_url: str
    clock: Any
    _ids: count[int]

    # Activities Teams sends ---------------------------------------------------------------

    def activity(self, kind: str, email: str, conversation: str, **fields: Any) -> dict[str, Any]:
        in_channel = conversation.startswith("19:")
        data: dict[str, Any] = {
            "type": kind,
            "id": f"act-{next(self._ids)}",
            "timestamp": datetime.now(UTC).isoformat(),
            "serviceUrl": self.service_url,
            "channelId": "msteams",
            "from": {"id": teams_id(email), "name": email, "aadObjectId": f"aad-{email}"},
            "recipient": BOT,
            "conversation": {
                "id": conversation,
                "conversationType": "channel" if in_channel else "personal",
                "tenantId": TENANT,
                "isGroup": in_channel or None,
            },
            "channelData": {"tenant": {"id": TENANT}},
            "locale": "en-US",
        }
        if in_channel:
            data["channelData"] |= {"team": {"id": TEAM}, "channel": {"id": conversation}}
        return data | fields

    async def post(
        self, activity: dict[str, Any], headers: dict[str, str] | None = None
    ) -> tuple[int, Any]:
        response = await self.http.post("/api/messages", json=activity, headers=headers)
        text = await response.text()
        try:
            body = await response.json() if text else None
        except ValueError:
            body = text
        return response.status, body

    async def install(self, email: str) -> None:
        """The person adds the app: Teams opens the personal chat and tells the bot."""
        self.fake.add_conversation(personal(email))
        status, _ = await self.post(
            self.activity("installationUpdate", email, personal(email), action="add")
        )
        assert status in (200, 201), status

    async def install_in_team(self, email: str, channel: str = TEAMS_ADMIN_CHANNEL) -> None:
        self.fake.add_conversation(channel)
        activity = self.activity(
            "conversationUpdate", email, channel, membersAdded=[BOT], text=None
        )
        status, _ = await self.post(activity)
        assert status in (200, 201), status

    async def say(self, email: str, text: str, conversation: str | None = None) -> int:
        conversation = conversation or personal(email)
        if conversation.startswith("19:"):
            text = f"<at>HMIS Access</at> {text}"
        status, _ = await self.post(self.activity("message", email, conversation, text=text))
        return status

    async def click(
        self,
        email: str,
        posted: Posted,
        label: str,
        inputs: dict[str, str] | None = None,
        card: dict[str, Any] | None = None,
    ) -> tuple[int, Any]:
        """Action.Execute on a button of the message (or of ``card``, a card shown in its
        place): Teams merges the card's inputs into the action's data."""
        action = find_action(card or posted.card(), label)
        value = {
            "action": {
                "type": "Action.Execute",
                "verb": action["verb"],
                "data": {**action.get("data", {}), **(inputs or {})},
            },
            "trigger": "manual",
        }
        activity = self.activity(
            "invoke",
            email,
            posted.conversation,
            name="adaptiveCard/action",
            value=value,
            replyToId=posted.id,
        )
        return await self.post(activity)

    async def open_dialog(self, email: str, posted: Posted, label: str) -> tuple[int, Any]:
        action = find_action(posted.card(), label)
        value = {"data": action["data"], "context": {"theme": "default"}}
        activity = self.activity(
            "invoke", email, posted.conversation, name="task/fetch", value=value
        )
        activity["replyToId"] = posted.id
        return await self.post(activity)

    async def submit_dialog(
        self, email: str, conversation: str, card: dict[str, Any], inputs: dict[str, str]
    ) -> tuple[int, Any]:
        [action] = card["actions"]
        value = {"data": {**action["data"], **inputs}, "context": {"theme": "default"}}
        activity = self.activity("invoke", email, conversation, name="task/submit", value=value)
        return await self.post(activity)

    # Waiting for the bot ------------------------------------------------------------------

    async def settle(self) -> None:
        """Wait until the outbox is empty and the bot's connector calls stop changing."""
        runtime = self.http.server.app[STATE].runtime
        assert runtime is not None
        quiet, seen = 0, -1
        for _ in range(500):
            await asyncio.sleep(0.01)
            pending = await asyncio.to_thread(_due_rows, runtime.db, self.clock.now)
            calls = len(self.fake.calls)
            quiet = quiet + 1 if (pending == 0 and calls == seen) else 0
            seen = calls
            if quiet >= 5:
                return
        raise AssertionError("the bot did not settle within 5 seconds")


def _due_rows(db: Database, now: datetime) -> int:
    query = select(func.count()).select_from(OutboxRow)
    query = query.where(OutboxRow.status == "pending", OutboxRow.next_attempt_at <= now)
    with db.transaction() as session:
        return int(session.scalar(query) or 0)


def find_action(card: dict[str, Any], label: str) -> dict[str, Any]:
    actions = [e for e in walk(card) if str(e.get("type", "")).startswith("Action.")]
    for action in actions:
        if action.get("title") == label:
            return action
    raise AssertionError(f"no button {label!r}; the card has {[a.get('title') for a in actions]}")


def form_inputs(values: dict[str, str | list[str] | None]) -> dict[str, str]:
    """What a Teams client sends for these answers: text, and choices joined by commas."""
    return {
        key: ",".join(value) if isinstance(value, list) else value
        for key, value in values.items()
        if value is not None
    }


def inputs_of(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["id"]: e for e in walk(card) if str(e.get("type", "")).startswith("Input.")}


@dataclass
class Bots:
    teams: TeamsTestbed
    slack: SlackTestbed | None


@asynccontextmanager
async def running_bots(
    database_url: str,
    community: Community,
    clock: Any,
    *,
    with_slack: bool,
    app_id: str = "",
    sweep_minutes: int = 0,
) -> AsyncIterator[Bots]:
    """The server with Teams (dev mode, or ``app_id`` to require tokens), Slack optionally;
    its scheduler sweeps only when ``sweep_minutes`` is set."""
    connector = FakeConnector()
    service_url = await connector.start()
    for email in USERS:
        connector.add_member(teams_id(email), community.display_name(email), email)
    connector.add_member(teams_id(NO_EMAIL_MEMBER), "No Email", None)
    slack_fake = FakeSlack(token=TOKEN) if with_slack else None
    env: dict[str, Any] = {
        "HMIS_BOT_DATABASE_URL": database_url,
        "HMIS_BOT_TEAMS_DEV_MODE": "1",
        "MICROSOFT_APP_ID": app_id,
        "MICROSOFT_APP_PASSWORD": "test-password" if app_id else None,
        "HMIS_BOT_SWEEP_MINUTES": sweep_minutes,
    }
    if slack_fake is not None:
        api_url = await slack_fake.start()
        for email, user_id in USERS.items():
            slack_fake.add_user(user_id, email, community.display_name(email))
        slack_fake.add_channel(ADMIN_CHANNEL)
        slack_fake.add_channel("C0GENERAL")
        env |= {
            "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": api_url,
        }
    settings = Settings(**env)
    http = TestClient(TestServer(create_app(settings, clock, with_teams_admin_channel(community))))
    await http.start_server()
    try:
        slack = SlackTestbed(slack_fake, http, clock, count(1)) if slack_fake else None
        yield Bots(TeamsTestbed(connector, http, service_url, clock, count(1)), slack)
    finally:
        await http.close()
        await connector.stop()
        if slack_fake is not None:
            await slack_fake.stop()
