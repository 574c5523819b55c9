"""A local fake of Slack's Socket Mode, on top of the fake Web API (tests/fakes/slack_web_api.py).

``apps.connections.open`` takes the app-level token only (a bot token gets
``not_allowed_token_type``, as from Slack) and hands out a ``ws://`` URL to this server with a
ticket that is good for one connection. The WebSocket says ``hello``; the test then sends
envelopes as Slack does (``slash_commands``, ``interactive``, ``events_api``) and waits for
the bot's acknowledgement, ``{"envelope_id": ..., "payload": ...}``, which Slack wants within
three seconds. ``disconnect()`` sends Slack's ``disconnect`` message (the client must open a
new connection itself); ``drop()`` closes the socket from this side, as a network failure or
a Slack restart would. ``fail_next("apps.connections.open", error)`` makes Slack refuse the
next connection once, as when it is not ready.

    fake = FakeSocketModeSlack()
    await fake.start()                      # the bot gets SLACK_API_URL=fake.base_url
    await fake.connected()
    ack = await fake.request("slash_commands", {...})
"""

from __future__ import annotations

import asyncio
import itertools
import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Final

from aiohttp import WSMsgType, web

from tests.fakes.slack_web_api import APP_ID, TEST_TOKEN, FakeSlack, Json, read_params

TEST_APP_TOKEN: Final = "xapp-1-A1-test"
ACK_SECONDS: Final = 3.0
"""Slack's limit for acknowledging an envelope: https://docs.slack.dev/apis/events-api/using-socket-mode"""
WAIT_SECONDS: Final = 30.0  # the longest a test waits for the bot, on a busy machine


@dataclass
class Envelope:
    envelope_id: str
    kind: str
    sent_at: float
    acked: asyncio.Event = field(default_factory=asyncio.Event)
    ack: Json | None = None
    ack_seconds: float | None = None


class FakeSocketModeSlack(FakeSlack):
    """The fake Web API plus Socket Mode: ``apps.connections.open`` and ``/link/``."""

    def __init__(self, token: str = TEST_TOKEN, *, app_token: str = TEST_APP_TOKEN) -> None:
        super().__init__(token)
        self.app_token = app_token
        self.connections_opened = 0
        """Answered ``apps.connections.open`` calls: the first connection and every reconnect."""
        self.hellos = 0
        self.envelopes: dict[str, Envelope] = {}
        self.unexpected: list[str] = []
        """Messages from the bot that are not the acknowledgement of an open envelope."""
        self._tickets: set[str] = set()
        self._sockets: list[web.WebSocketResponse] = []
        self._envelope_ids = itertools.count(1)
        self._hello = asyncio.Condition()

    def _routes(self) -> list[web.RouteDef]:
        return [
            web.post("/api/apps.connections.open", self._connections_open),
            web.get("/link/", self._link),
            *super()._routes(),
        ]

    # -- what a test does --

    async def connected(self, sessions: int = 1, seconds: float = WAIT_SECONDS) -> None:
        """Until the bot holds its ``sessions``-th connection (counting reconnects)."""
        async with asyncio.timeout(seconds), self._hello:
            await self._hello.wait_for(lambda: self.hellos >= sessions and self._live())

    async def send(
        self, kind: str, payload: Json, *, accepts_response_payload: bool, via: int = -1
    ) -> str:
        """Send an envelope on a live connection (by default the newest); its id."""
        envelope_id = f"env-{next(self._envelope_ids)}-{secrets.token_hex(4)}"
        message: Json = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": accepts_response_payload,
        }
        if kind == "events_api":
            message |= {"retry_attempt": 0, "retry_reason": ""}
        self.envelopes[envelope_id] = Envelope(envelope_id, kind, time.monotonic())
        await self._live()[via].send_str(json.dumps(message))
        return envelope_id

    async def acknowledged(self, envelope_id: str, seconds: float = WAIT_SECONDS) -> Json:
        """The bot's acknowledgement of the envelope, once it arrives."""
        envelope = self.envelopes[envelope_id]
        async with asyncio.timeout(seconds):
            await envelope.acked.wait()
        assert envelope.ack is not None
        return envelope.ack

    async def request(
        self, kind: str, payload: Json, *, accepts_response_payload: bool, via: int = -1
    ) -> Json:
        envelope_id = await self.send(
            kind, payload, accepts_response_payload=accepts_response_payload, via=via
        )
        return await self.acknowledged(envelope_id)

    async def disconnect(self, reason: str = "refresh_requested") -> None:
        """Slack's warning that this connection is going away: the client reconnects."""
        message = {"type": "disconnect", "reason": reason, "debug_info": {"host": "fake"}}
        await self._live()[-1].send_str(json.dumps(message))

    async def drop(self) -> None:
        """Close every connection from Slack's side, without a word."""
        for socket in self._live():
            await socket.close(code=1001)

    def live_connections(self) -> int:
        return len(self._live())

    # -- Slack's side --

    def _live(self) -> list[web.WebSocketResponse]:
        return [socket for socket in self._sockets if not socket.closed]

    async def _connections_open(self, request: web.Request) -> web.Response:
        params = await read_params(request)
        header = request.headers.get("Authorization", "")
        token = header.removeprefix("Bearer ") if header else params.get("token")
        self.calls.append(("apps.connections.open", {}))
        if not token:
            return self._json({"ok": False, "error": "not_authed"})
        if str(token).startswith("xoxb-"):
            return self._json({"ok": False, "error": "not_allowed_token_type"})
        if token != self.app_token:
            return self._json({"ok": False, "error": "invalid_auth"})
        if self._failures["apps.connections.open"]:  # fail_next("apps.connections.open", ...)
            return self._json(
                {"ok": False, "error": self._failures["apps.connections.open"].popleft()}
            )
        ticket = secrets.token_hex(8)
        self._tickets.add(ticket)
        self.connections_opened += 1
        origin = self.base_url.removesuffix("/api/").replace("http://", "ws://", 1)
        return self._json({"ok": True, "url": f"{origin}/link/?ticket={ticket}&app_id={APP_ID}"})

    async def _link(self, request: web.Request) -> web.StreamResponse:
        ticket = request.query.get("ticket", "")
        if ticket not in self._tickets:
            return web.Response(status=401, text="invalid or used ticket")
        self._tickets.discard(ticket)
        socket = web.WebSocketResponse()  # answers the client's pings
        await socket.prepare(request)
        self._sockets.append(socket)
        await socket.send_str(json.dumps(_hello(len(self._live()))))
        async with self._hello:
            self.hellos += 1
            self._hello.notify_all()
        async for message in socket:
            if message.type == WSMsgType.TEXT:
                self._received(message.data)
        return socket

    def _received(self, text: str) -> None:
        try:
            message = json.loads(text)
        except ValueError:
            message = None
        envelope = self.envelopes.get(message.get("envelope_id", "")) if message else None
        if envelope is None or envelope.ack is not None:
            self.unexpected.append(text)
            return
        envelope.ack = message
        envelope.ack_seconds = time.monotonic() - envelope.sent_at
        envelope.acked.set()


def _hello(connections: int) -> Json:
    return {
        "type": "hello",
        "num_connections": connections,
        "debug_info": {"host": "fake", "build_number": 1, "approximate_connection_time": 18060},
        "connection_info": {"app_id": APP_ID},
    }
