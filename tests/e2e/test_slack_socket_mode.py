"""Slack in Socket Mode, on a real ``hmis-bot serve``: the same listeners, reached over the
WebSocket that the bot opens to a local fake of Slack (tests/fakes/slack_socket_mode.py).

The server process gets ``SLACK_BOT_TOKEN`` and ``SLACK_APP_TOKEN`` (no signing secret, no
public URL) and ``SLACK_API_URL`` pointing at the fake, which answers both the Web API and
``apps.connections.open``. Each envelope the fake sends must be acknowledged by its id within
Slack's three seconds, and the listener behind it must do what it does over HTTP.
"""

from __future__ import annotations

import asyncio
import os
import socket
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from chatbot.settings import ENVIRONMENT
from flows.community import Community
from tests.e2e.slack_testbed import ADMIN_CHANNEL, USERS, card_text, find_button, state_values
from tests.fakes.slack_socket_mode import ACK_SECONDS, TEST_APP_TOKEN, FakeSocketModeSlack
from tests.fakes.slack_web_api import TEST_TOKEN, Json, dm_channel_id
from tests.requests import LEAD, SUPERVISOR, request_values

HMIS_BOT = str(Path(sys.executable).parent / "hmis-bot")
SECONDS = 30.0  # the longest wait for the server or the bot, on a busy machine


@dataclass
class Server:
    process: asyncio.subprocess.Process
    base: str
    log: Path
    http: aiohttp.ClientSession

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    async def get(self, path: str) -> tuple[int, Json]:
        async with self.http.get(f"{self.base}{path}") as answer:
            return answer.status, await answer.json()

    async def post(self, path: str, body: str) -> tuple[int, Json]:
        async with self.http.post(f"{self.base}{path}", data=body) as answer:
            return answer.status, await answer.json()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def eventually(done: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + SECONDS
    while not done():
        assert time.monotonic() < deadline, f"waited {SECONDS:g} s for {what}"
        await asyncio.sleep(0.02)


@pytest.fixture
async def fake(community: Community) -> AsyncIterator[FakeSocketModeSlack]:
    async with FakeSocketModeSlack() as slack:
        for email, user_id in USERS.items():
            slack.add_user(user_id, email, community.display_name(email))
        slack.add_channel(ADMIN_CHANNEL)
        yield slack


async def start_server(
    directory: Path, fake: FakeSocketModeSlack, **variables: str
) -> tuple[asyncio.subprocess.Process, str, Path]:
    env = {k: v for k, v in os.environ.items() if k not in ENVIRONMENT}
    env |= {
        "SLACK_BOT_TOKEN": TEST_TOKEN,
        "SLACK_APP_TOKEN": TEST_APP_TOKEN,
        "SLACK_API_URL": fake.base_url,
        "HMIS_BOT_SWEEP_MINUTES": "0",
        **variables,
    }
    init = await asyncio.create_subprocess_exec(HMIS_BOT, "init", cwd=directory, env=env)
    assert await init.wait() == 0
    port = free_port()
    log = directory / f"serve-{port}.log"
    with log.open("wb") as out:
        process = await asyncio.create_subprocess_exec(
            *(HMIS_BOT, "serve", "--host", "127.0.0.1", "--port", str(port)),
            cwd=directory,
            env=env,
            stdout=out,
            stderr=asyncio.subprocess.STDOUT,
        )
    return process, f"http://127.0.0.1:{port}", log


@pytest.fixture
async def serve(tmp_path: Path, fake: FakeSocketModeSlack) -> AsyncIterator[Callable[..., Any]]:
    """Starts ``hmis-bot serve`` in Socket Mode against the fake; waits until it is healthy."""
    servers: list[Server] = []
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=SECONDS)) as http:

        async def start(**variables: str) -> Server:
            process, base, log = await start_server(tmp_path, fake, **variables)
            server = Server(process, base, log, http)
            servers.append(server)
            deadline = time.monotonic() + SECONDS
            while True:
                assert process.returncode is None, server.output()
                with suppress(aiohttp.ClientError):
                    if (await server.get("/healthz"))[0] == 200:
                        return server
                assert time.monotonic() < deadline, f"never healthy: {server.output()}"
                await asyncio.sleep(0.1)

        try:
            yield start
        finally:
            for server in servers:
                if server.process.returncode is None:
                    server.process.terminate()
                    await asyncio.wait_for(server.process.wait(), SECONDS)
    for server in servers:  # stopped as a container is: SIGTERM, the socket closed cleanly
        assert server.process.returncode == 0, server.output()
        assert "Traceback" not in server.output(), server.output()


async def quiet(fake: FakeSocketModeSlack) -> None:
    """Until the bot's calls to Slack have stopped for half a second (the outbox is done)."""
    seen, still = -1, 0
    while still < 10:
        await asyncio.sleep(0.05)
        still = still + 1 if len(fake.calls) == seen else 0
        seen = len(fake.calls)


# What Slack sends -------------------------------------------------------------------------------


def slash_command(fake: FakeSocketModeSlack, email: str, text: str = "") -> Json:
    user = USERS[email]
    return {
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
        "is_enterprise_install": "false",
        "response_url": fake.response_url(f"command-{user}-{time.monotonic_ns()}"),
        "trigger_id": fake.issue_trigger_id(),
    }


def view_submission(email: str, view: Json, answers: dict[str, Any]) -> Json:
    submitted = {**view, "state": {"values": state_values(view, answers)}}
    return {
        "type": "view_submission",
        "team": {"id": "T1"},
        "api_app_id": "A1",
        "user": {"id": USERS[email]},
        "view": submitted,
    }


def button_click(fake: FakeSocketModeSlack, email: str, channel: str, label: str) -> Json:
    message = fake.messages_in(channel)[-1]
    button = find_button(message["blocks"], label)
    return {
        "type": "block_actions",
        "team": {"id": "T1"},
        "api_app_id": "A1",
        "user": {"id": USERS[email]},
        "trigger_id": fake.issue_trigger_id(),
        "container": {"type": "message", "message_ts": message["ts"], "channel_id": channel},
        "channel": {"id": channel},
        "message": fake.payload_message(channel, message["ts"]),
        "response_url": fake.response_url("click"),
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


def acked_in_time(fake: FakeSocketModeSlack) -> list[float]:
    """Every envelope's acknowledgement time, each within Slack's limit."""
    seconds = [e.ack_seconds for e in fake.envelopes.values()]
    assert all(s is not None and s < ACK_SECONDS for s in seconds), seconds
    return [s for s in seconds if s is not None]


# Tests ------------------------------------------------------------------------------------------


async def test_a_request_is_filed_and_verified_over_socket_mode(
    serve: Callable[..., Any], fake: FakeSocketModeSlack
) -> None:
    server: Server = await serve()
    await fake.connected()
    assert "Slack adapter is on in Socket Mode" in server.output()
    status, health = await server.get("/healthz")
    assert (status, health["adapters"]["slack"]) == (200, "socket")
    assert await server.post("/slack/events", "{}") == (
        404,
        {"error": "the Slack adapter runs in Socket Mode"},
    )

    envelope = await fake.send(
        "slash_commands", slash_command(fake, LEAD), accepts_response_payload=True
    )
    assert await fake.acknowledged(envelope) == {"envelope_id": envelope}
    await eventually(lambda: bool(fake.opened_views), "the form to open")
    [view] = fake.opened_views
    assert view["callback_id"] == "new_user_request"

    ack = await fake.request(
        "interactive",
        view_submission(LEAD, view, request_values()),
        accepts_response_payload=True,
    )
    assert ack["payload"]["response_action"] == "update"
    assert "Request #1 filed" in card_text(ack["payload"]["view"])

    supervisor_dm = dm_channel_id(USERS[SUPERVISOR])
    await eventually(lambda: bool(fake.messages_in(supervisor_dm)), "the supervisor's card")
    click = button_click(fake, SUPERVISOR, supervisor_dm, "Confirm background check passed")
    envelope = await fake.send("interactive", click, accepts_response_payload=False)
    assert await fake.acknowledged(envelope) == {"envelope_id": envelope}
    await eventually(lambda: bool(fake.responses_to("click")), "the supervisor to be told")
    assert "Staff verification confirmed" in fake.responses_to("click")[0]["text"]
    await eventually(lambda: bool(fake.messages_in(ADMIN_CHANNEL)), "the admin card")
    assert fake.unexpected == []
    acked_in_time(fake)
    async with server.http.get(f"{server.base}/metrics") as answer:
        metrics = await answer.text()
    assert 'hmis_bot_http_request_seconds_count{route="slack_socket_mode"} 3.0' in metrics
    await an_envelope_slack_could_not_have_sent_is_acknowledged_and_dropped(fake)


async def an_envelope_slack_could_not_have_sent_is_acknowledged_and_dropped(
    fake: FakeSocketModeSlack,
) -> None:
    await quiet(fake)
    calls = len(fake.calls)
    malformed = {"type": "block_actions", "user": "ULEAD", "actions": []}
    envelope = await fake.send("interactive", malformed, accepts_response_payload=False)
    assert await fake.acknowledged(envelope) == {"envelope_id": envelope}
    await quiet(fake)
    assert fake.calls[calls:] == []


async def test_the_bot_reconnects_when_slack_drops_or_refreshes_the_connection(
    serve: Callable[..., Any], fake: FakeSocketModeSlack
) -> None:
    fake.fail_next("apps.connections.open", "internal_error")  # Slack is not ready at first
    server: Server = await serve()
    await fake.connected()
    assert "Slack Socket Mode could not connect (internal_error); trying again in 1 s" in (
        server.output()
    )
    await fake.drop()
    await fake.connected(sessions=2)
    ack = await fake.request(
        "slash_commands", slash_command(fake, LEAD, "help"), accepts_response_payload=True
    )
    assert ack["payload"]["response_type"] == "ephemeral"
    assert "/hmis-access status" in ack["payload"]["text"]

    await fake.disconnect("refresh_requested")
    await fake.connected(sessions=3)
    await fake.request("slash_commands", slash_command(fake, LEAD), accepts_response_payload=True)
    await eventually(lambda: bool(fake.opened_views), "the form to open")
    assert fake.connections_opened == 3
    assert fake.live_connections() == 1
    acked_in_time(fake)


async def test_an_app_token_slack_refuses_is_one_line_and_the_server_runs_on(
    serve: Callable[..., Any], fake: FakeSocketModeSlack
) -> None:
    server: Server = await serve(SLACK_APP_TOKEN="xapp-1-A1-revoked")
    refused = "Slack adapter is off: Slack refused SLACK_APP_TOKEN (invalid_auth)"
    await eventually(lambda: refused in server.output(), "the refusal to be logged")
    assert server.output().count(refused) == 1
    assert "xapp-1-A1-revoked" not in server.output()
    assert (await server.get("/healthz"))[0] == 200
    assert fake.connections_opened == 0
    assert len(fake.calls_to("apps.connections.open")) == 1


@pytest.mark.postgresql
async def test_replicas_on_postgresql_each_hold_a_connection_and_share_the_work(
    empty_postgres: str, serve: Callable[..., Any], fake: FakeSocketModeSlack
) -> None:  # the database first: it outlives the servers
    """Two replicas, one database: Slack hands envelopes to either connection; a request
    filed through one is verified through the other."""
    await serve(HMIS_BOT_DATABASE_URL=empty_postgres)
    await serve(HMIS_BOT_DATABASE_URL=empty_postgres)
    await fake.connected(sessions=2)
    assert fake.live_connections() == 2

    await fake.request(
        "slash_commands", slash_command(fake, LEAD), accepts_response_payload=True, via=0
    )
    await eventually(lambda: bool(fake.opened_views), "the form to open")
    [view] = fake.opened_views
    ack = await fake.request(
        "interactive",
        view_submission(LEAD, view, request_values()),
        accepts_response_payload=True,
        via=0,
    )
    assert "Request #1 filed" in card_text(ack["payload"]["view"])

    supervisor_dm = dm_channel_id(USERS[SUPERVISOR])
    await eventually(lambda: bool(fake.messages_in(supervisor_dm)), "the supervisor's card")
    click = button_click(fake, SUPERVISOR, supervisor_dm, "Confirm background check passed")
    await fake.request("interactive", click, accepts_response_payload=False, via=1)
    await eventually(lambda: bool(fake.responses_to("click")), "the supervisor to be told")
    assert "Staff verification confirmed" in fake.responses_to("click")[0]["text"]
    await quiet(fake)
    assert len(fake.messages_in(ADMIN_CHANNEL)) == 1, "one admin card, whichever replica posted"
    acked_in_time(fake)
