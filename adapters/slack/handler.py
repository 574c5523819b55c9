"""``POST /slack/events`` for aiohttp: verify, translate to a Bolt request, dispatch.

The signature is checked on the raw body before anything parses it, so an unsigned, wrongly
signed or stale request (or one whose timestamp is not a number) gets 401, and a correctly
signed body that Slack could not have sent gets 400; neither reaches a listener.

A request is run once: a replay of a signed request (the same signature) or Slack's retry of
an event (the same ``event_id``, ``X-Slack-Retry-Num`` set) is answered 200 and not run again,
when a ``first_delivery`` check is given.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

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

FirstDelivery = Callable[[str], Awaitable[bool]]
"""True the first time a delivery key is presented, on any replica."""


class SlackEventsHandler:
    def __init__(
        self,
        app: AsyncApp,
        signing_secret: str,
        clock: Callable[[], float] = time.time,
        first_delivery: FirstDelivery | None = None,
    ) -> None:
        self._app = app
        self._signature = SlackSignature(signing_secret, clock)
        self._first_delivery = first_delivery

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
        parsed = _payload(body, headers)
        if parsed is None:
            return web.json_response({"error": "malformed request"}, status=400)
        if self._first_delivery is not None and not await self._first_delivery(
            _delivery_key(parsed.fields, headers[SIGNATURE_HEADER])
        ):
            log.info("a Slack request delivered again (a replay or a retry) was not run again")
            return web.Response(status=200)
        bolt_request = AsyncBoltRequest(
            body=parsed.text,
            query=request.query_string,
            headers=dict[str, str | Sequence[str]](headers),
        )
        bolt_response = await self._app.async_dispatch(bolt_request)
        return await to_aiohttp_response(bolt_response)


@dataclass(frozen=True)
class _Parsed:
    text: str
    fields: dict[str, Any]


def _payload(body: bytes, headers: dict[str, str]) -> _Parsed | None:
    """The body as text and as parsed, or None when it is not one Slack sends (UTF-8: a JSON
    object, or a form whose ``payload``, if any, is one; every field Bolt reads well typed)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    content_type = headers.get("content-type", "").split(";")[0]  # as Bolt reads it
    fields = envelope.payload(text, content_type or None)
    return None if fields is None else _Parsed(text, fields)


def _delivery_key(fields: dict[str, Any], signature: str) -> str:
    """An event by its id (Slack's retries of it carry new signatures); anything else by its
    signature, which covers the body and the timestamp: a replay presents the same one."""
    event_id = fields.get("event_id")
    if isinstance(event_id, str) and event_id:
        return f"slack:event:{event_id}"[:200]
    return f"slack:signature:{signature}"[:200]
