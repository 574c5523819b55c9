"""``POST /slack/events`` for aiohttp: verify, translate to a Bolt request, dispatch.

The signature is checked on the raw body before anything parses it, so an unsigned, wrongly
signed or stale request (or one whose timestamp is not a number) gets 401, and a correctly
signed body that Slack could not have sent gets 400; neither reaches a listener.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest

from adapters.slack import envelope
from adapters.slack.signature import SlackSignature

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 1_000_000  # Slack payloads are far smaller; refuse anything bigger
TIMESTAMP_HEADER = "x-slack-request-timestamp"
SIGNATURE_HEADER = "x-slack-signature"


class SlackEventsHandler:
    def __init__(
        self, app: AsyncApp, signing_secret: str, clock: Callable[[], float] = time.time
    ) -> None:
        self._app = app
        self._signature = SlackSignature(signing_secret, clock)

    async def __call__(self, request: web.Request) -> web.StreamResponse:
        if (request.content_length or 0) > MAX_BODY_BYTES:
            return web.json_response({"error": "request too large"}, status=413)
        body = await request.read()
        headers = {k.lower(): v for k, v in request.headers.items()}
        if not self._signature.verify(
            body, headers.get(TIMESTAMP_HEADER), headers.get(SIGNATURE_HEADER)
        ):
            log.info("refused a Slack request with a missing, wrong or stale signature")
            return web.json_response({"error": "invalid signature"}, status=401)
        bolt_request = _bolt_request(body, request.query_string, headers)
        if bolt_request is None:
            return web.json_response({"error": "malformed request"}, status=400)
        bolt_response = await self._app.async_dispatch(bolt_request)
        return await to_aiohttp_response(bolt_response)


def _bolt_request(body: bytes, query: str, headers: dict[str, str]) -> AsyncBoltRequest | None:
    """The request for Bolt, or None when the body is not one Slack sends (UTF-8: a JSON
    object, or a form whose ``payload``, if any, is one; every field Bolt reads well typed)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    content_type = headers.get("content-type", "").split(";")[0]  # as Bolt reads it
    if envelope.payload(text, content_type or None) is None:
        return None
    return AsyncBoltRequest(body=text, query=query, headers=dict[str, str | Sequence[str]](headers))
