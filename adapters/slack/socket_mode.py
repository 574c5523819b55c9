"""Slack over Socket Mode: the same Bolt app and listeners, with Slack's requests arriving on a
WebSocket the bot opens itself (``apps.connections.open`` with the app-level token), so the
bot needs no public HTTPS address.

slack_bolt's aiohttp ``AsyncSocketModeHandler`` speaks the protocol: it acknowledges each
envelope by its ``envelope_id`` (carrying the ack's body, such as a view submission's field
errors), answers pings, and reconnects when Slack says ``disconnect`` or the connection drops.
Two things are added here. An envelope whose payload Slack could not have sent is acknowledged
(so Slack does not send it again) and dropped, as the HTTP endpoint answers such a body with
400 (adapters/slack/envelope.py). And the first connection is made in the background, retried
while Slack does not answer, so it never holds up the server; an app token Slack refuses is
one error line, and the rest of the server runs on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from time import perf_counter

import aiohttp
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import envelope

log = logging.getLogger(__name__)

REFUSED = frozenset(
    {"invalid_auth", "not_authed", "not_allowed_token_type", "token_revoked", "token_expired"}
    | {"account_inactive"}
)
"""``apps.connections.open`` errors that no retry mends: the app token is wrong."""
RETRY_SECONDS = (1, 2, 5, 10, 30)
"""Waits between attempts at the first connection while Slack does not answer; the last
repeats. After that the Socket Mode client reconnects by itself."""


class _CheckedHandler(AsyncSocketModeHandler):
    def __init__(
        self,
        app: AsyncApp,
        app_token: str,
        client: AsyncWebClient,
        observe: Callable[[float], None] | None,
    ) -> None:
        super().__init__(app, app_token, web_client=client)
        self._observe = observe

    # Bolt's own ``handle`` narrows the client to aiohttp's the same way.
    async def handle(  # type: ignore[override]
        self, client: SocketModeClient, req: SocketModeRequest
    ) -> None:
        started = perf_counter()
        if envelope.well_formed(req.payload):
            await super().handle(client, req)  # returns once acknowledged, as over HTTP
        else:
            log.info("dropped a Socket Mode envelope (%s) Slack could not have sent", req.type)
            await client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))
        if self._observe is not None:
            self._observe(perf_counter() - started)


class SlackSocketMode:
    """The Socket Mode connection of one Bolt app; build it inside the running event loop."""

    def __init__(
        self,
        app: AsyncApp,
        app_token: str,
        client: AsyncWebClient,
        observe: Callable[[float], None] | None = None,
    ) -> None:
        self._app_token = app_token
        self._web = client
        self._handler = _CheckedHandler(app, app_token, client, observe)
        self._connecting: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._connecting = asyncio.create_task(self._connect(), name="slack-socket-mode")

    async def stop(self) -> None:
        if self._connecting is not None:
            self._connecting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._connecting
        await self._handler.close_async()  # type: ignore[no-untyped-call]  # Bolt's is unannotated

    async def _connect(self) -> None:
        url = await self._first_url()
        if url is None:
            return
        self._handler.client.wss_uri = url
        await self._handler.connect_async()  # type: ignore[no-untyped-call]  # Bolt's is unannotated
        log.info("Slack Socket Mode is connected")

    async def _first_url(self) -> str | None:
        """The WebSocket URL Slack hands out, once it answers; None when it refuses the token."""
        attempt = 0
        while True:
            try:
                response = await self._web.apps_connections_open(app_token=self._app_token)
                return str(response["url"])
            except SlackApiError as error:
                problem = str(error.response.get("error", "unknown_error"))
                if problem in REFUSED:
                    log.error(
                        "Slack adapter is off: Slack refused SLACK_APP_TOKEN (%s); create an "
                        "app-level token with the connections:write scope under Basic "
                        "Information, App-Level Tokens",
                        problem,
                    )
                    return None
            except (aiohttp.ClientError, TimeoutError) as error:
                problem = type(error).__name__
            wait = RETRY_SECONDS[min(attempt, len(RETRY_SECONDS) - 1)]
            attempt += 1
            log.warning(
                "Slack Socket Mode could not connect (%s); trying again in %d s", problem, wait
            )
            await asyncio.sleep(wait)
