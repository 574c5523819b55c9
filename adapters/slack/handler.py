"""``POST /slack/events`` for aiohttp: verify, translate to a Bolt request, dispatch.

Signatures are checked before the body is parsed, so unsigned or stale requests get 401 and
malformed signed ones 400; neither reaches a listener.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from urllib.parse import parse_qs

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 1_000_000  # Slack payloads are far smaller; refuse anything bigger


class SlackEventsHandler:
    def __init__(self, app: AsyncApp, signing_secret: str) -> None:
        self._app = app
        self._verifier = SignatureVerifier(signing_secret)

    async def __call__(self, request: web.Request) -> web.StreamResponse:
        if (request.content_length or 0) > MAX_BODY_BYTES:
            return web.json_response({"error": "request too large"}, status=413)
        body = await request.text()
        headers = {k.lower(): v for k, v in request.headers.items()}
        if not self._verifier.is_valid_request(body, headers):
            log.info("refused a Slack request with a missing, wrong or stale signature")
            return web.json_response({"error": "invalid signature"}, status=401)
        if not _well_formed(body):
            return web.json_response({"error": "malformed request"}, status=400)
        try:
            bolt_request = AsyncBoltRequest(
                body=body,
                query=request.query_string,
                headers=dict[str, str | Sequence[str]](headers),
            )
        except (ValueError, json.JSONDecodeError, KeyError, TypeError):
            return web.json_response({"error": "malformed request"}, status=400)
        bolt_response = await self._app.async_dispatch(bolt_request)
        return await to_aiohttp_response(bolt_response)


def _well_formed(body: str) -> bool:
    """A JSON object, or a form whose ``payload`` (if any) is a JSON object, as Slack sends."""
    if body.startswith("{"):
        return _is_json_object(body)
    payload = parse_qs(body).get("payload")
    return payload is None or (len(payload) == 1 and _is_json_object(payload[0]))


def _is_json_object(text: str) -> bool:
    try:
        return isinstance(json.loads(text), dict)
    except ValueError:
        return False
