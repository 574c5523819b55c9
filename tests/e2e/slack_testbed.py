"""Drives the running bot the way Slack does: signed slash commands, interactivity payloads and
events over HTTP, with the bot's Web API calls answered by the local FakeSlack."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from itertools import count
from typing import Any
from urllib.parse import urlencode

from aiohttp.test_utils import TestClient, TestServer
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import func, select

from chatbot.settings import Settings
from chatbot.storage.models import OutboxRow
from chatbot.web.server import STATE, create_app
from flows.community import Community
from flows.kit.registry import Registry
from tests.conftest import Clock
from tests.fakes.slack_web_api import FakeSlack
from tests.requests import (
    ADMIN,
    APPLYING_LEAD,
    LEAD,
    OTHER_LEAD,
    OUTSIDER,
    SECOND_ADMIN,
    SUPERVISOR,
    TRAINEE,
)

BOLT_POST_ACK = "run_ack_function_asynchronously"
SIGNING_SECRET = "test-signing-secret"
TOKEN = "xoxb-test"
ADMIN_CHANNEL = "C0ADMIN001"

USERS = {
    LEAD: "ULEAD",
    SUPERVISOR: "USUP",
    TRAINEE: "UTRAINEE",
    ADMIN: "UADMIN",
    SECOND_ADMIN: "UADMIN2",
    APPLYING_LEAD: "UDELTA",
    OUTSIDER: "UOUTSIDER",
    OTHER_LEAD: "UYOLO",
}
NO_EMAIL_USER = "UNOEMAIL"


def dm(email: str) -> str:
    """The DM channel id FakeSlack gives a user, as Slack does for chat.postMessage to a user."""
    return "D" + USERS[email]


@dataclass
class SlackTestbed:
    fake: FakeSlack
    http: TestClient
    clock: Clock
    _counter: count[int]
    sent: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    # Requests Slack sends -----------------------------------------------------------------

    def signed(self, body: str, timestamp: int | None = None) -> dict[str, str]:
        ts = str(int(time.time()) if timestamp is None else timestamp)
        signature = SignatureVerifier(SIGNING_SECRET).generate_signature(timestamp=ts, body=body)
        return {
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": signature,
            "Content-Type": "application/x-www-form-urlencoded",
        }

    async def post(self, body: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
        headers = headers if headers is not None else self.signed(body)
        self.sent.append((body, headers))
        response = await self.http.post("/slack/events", data=body.encode(), headers=headers)
        return response.status, await response.text()

    async def replay(self, back: int = 1) -> tuple[int, str]:
        """The request sent ``back`` requests ago, again, byte for byte with its signature."""
        body, headers = self.sent[-back]
        return await self.post(body, headers)

    async def command(self, email: str, text: str = "") -> tuple[int, str]:
        user = USERS.get(email, email)
        body = urlencode(
            {
                "token": "legacy",
                "team_id": "T1",
                "team_domain": "test",
                "channel_id": "C0GENERAL",
                "channel_name": "general",
                "user_id": user,
                "user_name": user.lower(),
                "command": "/hmis-access",
                "text": text,
                "api_app_id": "A1",
                "response_url": self.fake.response_url(f"command-{next(self._counter)}"),
                "trigger_id": self.fake.issue_trigger_id(),
            }
        )
        return await self.post(body)

    async def interact(self, payload: dict[str, Any]) -> tuple[int, str]:
        return await self.post(urlencode({"payload": json.dumps(payload)}))

    async def submit(
        self, email: str, view: dict[str, Any], values: dict[str, str | list[str] | None]
    ) -> dict[str, Any]:
        submitted = {**view, "state": {"values": state_values(view, values)}}
        status, text = await self.interact(
            {
                "type": "view_submission",
                "team": {"id": "T1"},
                "api_app_id": "A1",
                "user": {"id": USERS.get(email, email)},
                "trigger_id": self.fake.issue_trigger_id(),
                "view": submitted,
            }
        )
        assert status == 200, text
        return json.loads(text) if text else {}

    async def click(
        self,
        email: str,
        channel: str,
        ts: str,
        label: str,
        value: str | None = None,
        *,
        label_check: bool = True,
    ) -> tuple[int, str]:
        """Press the button labelled ``label`` on the message; with ``value`` (and no
        ``label_check``) press a button that is no longer there, as a stale client would."""
        message = self.fake.message(channel, ts)
        action_id = value.split()[0] + "." + value.split()[1] if value else ""
        button = (
            find_button(message["blocks"], label)
            if label_check
            else {"action_id": action_id, "value": value}
        )
        payload = {
            "type": "block_actions",
            "team": {"id": "T1"},
            "api_app_id": "A1",
            "user": {"id": USERS.get(email, email)},
            "trigger_id": self.fake.issue_trigger_id(),
            "container": {"type": "message", "message_ts": ts, "channel_id": channel},
            "channel": {"id": channel},
            "message": {**message, "ts": ts},
            "response_url": self.fake.response_url(f"click-{next(self._counter)}"),
            "actions": [
                {
                    "type": "button",
                    "action_id": button["action_id"],
                    "block_id": "actions",
                    "value": value or button["value"],
                    "action_ts": str(time.time()),
                }
            ],
        }
        return await self.interact(payload)

    async def click_in_home(self, email: str, label: str) -> tuple[int, str]:
        """Press a button on the person's App Home tab (Slack sends no response_url there)."""
        user = USERS[email]
        home = self.fake.home_view(user)
        assert home is not None, f"no Home tab published for {email}"
        button = find_button(home["blocks"], label)
        return await self.interact(
            {
                "type": "block_actions",
                "team": {"id": "T1"},
                "api_app_id": "A1",
                "user": {"id": user},
                "trigger_id": self.fake.issue_trigger_id(),
                "container": {"type": "view", "view_id": "VHOME"},
                "view": home,
                "actions": [
                    {
                        "type": "button",
                        "action_id": button["action_id"],
                        "block_id": "actions",
                        "value": button["value"],
                        "action_ts": str(time.time()),
                    }
                ],
            }
        )

    async def event(self, event: dict[str, Any]) -> tuple[int, str]:
        body = json.dumps(
            {
                "type": "event_callback",
                "team_id": "T1",
                "api_app_id": "A1",
                "event": event,
                "event_id": f"Ev{next(self._counter)}",
                "event_time": int(time.time()),
            }
        )
        headers = self.signed(body) | {"Content-Type": "application/json"}
        return await self.post(body, headers)

    async def open_home(self, email: str) -> None:
        """The person opens the bot's Home tab; the bot publishes it."""
        await self.event(
            {
                "type": "app_home_opened",
                "user": USERS[email],
                "tab": "home",
                "channel": "D0HOME",
                "event_ts": str(time.time()),
            }
        )
        await self.settle()

    async def deliver(self) -> None:
        """Deliver what has fallen due at the testbed's clock (held nudges)."""
        runtime = self.http.server.app[STATE].runtime
        assert runtime is not None
        runtime.dispatcher.wake()
        await self.settle()

    async def sweep(self) -> None:
        """One scheduled sweep at the testbed's clock, then the deliveries it queued."""
        runtime = self.http.server.app[STATE].runtime
        assert runtime is not None
        await asyncio.to_thread(runtime.sweeper.sweep, self.clock.now)
        runtime.dispatcher.wake()
        await self.settle()

    # Waiting for the bot --------------------------------------------------------------------

    async def settle(self) -> None:
        """Wait until Bolt's post-ack listener work and the due outbox rows are done and the
        bot's calls stop changing."""
        runtime = self.http.server.app[STATE].runtime
        assert runtime is not None
        quiet, seen = 0, -1
        for _ in range(500):
            await asyncio.sleep(0.01)
            pending = await asyncio.to_thread(_due_rows, runtime.db, self.clock.now)
            calls = len(self.fake.calls) + len(self.fake.responses)
            idle = pending == 0 and calls == seen and not _listeners_running()
            quiet = quiet + 1 if idle else 0
            seen = calls
            if quiet >= 5:
                return
        raise AssertionError("the bot did not settle within 5 seconds")

    # Reading what the bot showed ------------------------------------------------------------

    def last_card(self, channel: str) -> tuple[str, dict[str, Any]]:
        messages = self.fake.messages_in(channel)
        assert messages, f"nothing was posted in {channel}"
        return messages[-1]["ts"], messages[-1]

    def last_response_text(self) -> str:
        return str(self.fake.responses[-1]["text"])


def _listeners_running() -> bool:
    """Bolt runs each listener past its ack() in a task of this name (AsyncioListenerRunner)."""
    return any(
        not task.done() and getattr(task.get_coro(), "__name__", "") == BOLT_POST_ACK
        for task in asyncio.all_tasks()
    )


def _due_rows(db: Any, now: datetime) -> int:
    due = select(func.count()).select_from(OutboxRow)
    due = due.where(OutboxRow.status == "pending", OutboxRow.next_attempt_at <= now)
    with db.transaction() as session:
        return int(session.scalar(due) or 0)


def find_button(blocks: list[dict[str, Any]], label: str) -> dict[str, Any]:
    for block in blocks:
        for element in block.get("elements", []):
            if element.get("type") == "button" and element["text"]["text"] == label:
                return dict(element)
    labels = [
        e["text"]["text"]
        for b in blocks
        for e in b.get("elements", [])
        if e.get("type") == "button"
    ]
    raise AssertionError(f"no button {label!r}; the card has {labels}")


def card_text(message: dict[str, Any]) -> str:
    """Everything a person reads on a card, flattened for assertions."""
    return json.dumps(message.get("blocks", []), ensure_ascii=False)


def state_values(
    view: dict[str, Any], answers: dict[str, str | list[str] | None]
) -> dict[str, Any]:
    """What Slack sends as ``view.state.values`` for these answers, for the modal's elements."""
    values: dict[str, Any] = {}
    for block in view["blocks"]:
        if block["type"] != "input" or block["block_id"] not in answers:
            continue
        answer = answers[block["block_id"]]
        element = block["element"]
        kind = element["type"]
        if kind in ("plain_text_input", "email_text_input"):
            state = {"value": answer}
        elif kind == "datepicker":
            state = {"selected_date": answer}
        elif kind in ("checkboxes", "multi_static_select"):
            chosen = answer if isinstance(answer, list) else []
            state = {
                "selected_options": [
                    {"value": v, "text": {"type": "plain_text", "text": v}} for v in chosen
                ]
            }
        else:
            state = {
                "selected_option": {
                    "value": answer,
                    "text": {"type": "plain_text", "text": str(answer)},
                }
                if answer
                else None
            }
        values[block["block_id"]] = {element["action_id"]: {"type": kind, **state}}
    return values


@asynccontextmanager
async def running_bot(
    database_url: str,
    community: Community,
    clock: Clock,
    sweep_minutes: int = 0,
    registry: Registry | None = None,
) -> AsyncIterator[SlackTestbed]:
    """The bot on the fake Slack; its scheduler sweeps only when ``sweep_minutes`` is set."""
    fake = FakeSlack(token=TOKEN)
    api_url = await fake.start()
    for email, user_id in USERS.items():
        fake.add_user(user_id, email, community.display_name(email))
    fake.add_user(NO_EMAIL_USER, None, "No Email")
    fake.add_channel(ADMIN_CHANNEL)
    fake.add_channel("C0GENERAL")
    settings = Settings(
        HMIS_BOT_DATABASE_URL=database_url,
        SLACK_BOT_TOKEN=TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=api_url,
        HMIS_BOT_SWEEP_MINUTES=sweep_minutes,
    )
    http = TestClient(TestServer(create_app(settings, clock, community, registry)))
    await http.start_server()
    try:
        yield SlackTestbed(fake, http, clock, count(1))
    finally:
        await http.close()
        await fake.stop()
