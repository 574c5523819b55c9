"""``POST /api/messages`` for aiohttp: authenticate, then run the activity through the bot.

The token is checked before anything else runs, and every way it can fail (missing, malformed,
wrong issuer or audience, expired, keys unreachable) is a 401 that touched nothing.

``CloudAdapter.process`` is not used: in botbuilder-integration-aiohttp 4.17 it serializes the
invoke response body a second time, which raises on the dict that TeamsActivityHandler already
made of it, so every invoke that returns a body (task/fetch, task/submit, adaptiveCard/action)
answers HTTP 500 (teams-sdk issues 2510 and 2547). Here the body is written as it is.

An activity is run once: Teams re-delivering the same activity id in the same conversation is
answered 200 and not run again, when a ``first_delivery`` check is given.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from azure.core.exceptions import DeserializationError
from botbuilder.core import Bot
from botbuilder.core.serializer_helper import deserializer_helper
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity
from botframework.connector.auth import AuthenticateRequestResult, BotFrameworkAuthentication

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 1_000_000  # Bot Framework activities are far smaller; refuse anything bigger


FirstDelivery = Callable[[str], Awaitable[bool]]
"""True the first time a delivery key is presented, on any replica."""


class TeamsMessagesHandler:
    def __init__(
        self,
        adapter: CloudAdapter,
        auth: BotFrameworkAuthentication,
        bot: Bot,
        first_delivery: FirstDelivery | None = None,
    ) -> None:
        self._adapter = adapter
        self._auth = auth
        self._bot = bot
        self._first_delivery = first_delivery

    async def __call__(self, request: web.Request) -> web.StreamResponse:
        if (request.content_length or 0) > MAX_BODY_BYTES:
            return web.json_response({"error": "request too large"}, status=413)
        activity = _activity(await request.read())
        if activity is None:
            return web.json_response({"error": "malformed activity"}, status=400)
        authenticated = await self._authenticate(activity, request.headers.get("Authorization"))
        if authenticated is None:
            return web.json_response({"error": "unauthorized"}, status=401)
        key = _delivery_key(activity)
        if self._first_delivery is not None and key and not await self._first_delivery(key):
            log.info("a Teams activity delivered again was not run again")
            return web.Response(status=200)
        response = await self._adapter.process_activity(authenticated, activity, self._bot.on_turn)
        if response is None:
            return web.Response(status=201)
        return web.json_response(response.body, status=int(response.status), dumps=_dumps)

    async def _authenticate(
        self, activity: Activity, header: str | None
    ) -> AuthenticateRequestResult | None:
        try:
            result: AuthenticateRequestResult = await self._auth.authenticate_request(
                activity, header or ""
            )
        # Whatever fails while checking a token means the request is not authenticated:
        # botbuilder raises PermissionError, PyJWT's errors, or network errors fetching keys.
        except Exception as error:  # noqa: BLE001
            log.info("refused a Teams request: %s", type(error).__name__)
            return None
        return result


def _activity(body: bytes) -> Activity | None:
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):  # not JSON (or not UTF-8), or nested past the stack
        return None
    if not isinstance(data, dict) or not isinstance(data.get("type"), str):
        return None
    try:
        activity = deserializer_helper(Activity, data)
    except (DeserializationError, TypeError, ValueError, AttributeError):
        return None
    return activity if isinstance(activity, Activity) else None


def _delivery_key(activity: Activity) -> str | None:
    """The activity's id within its channel and conversation (ids are unique only there)."""
    conversation = activity.conversation.id if activity.conversation else None
    if not activity.id or not conversation:
        return None
    return f"teams:{activity.channel_id}:{conversation}:{activity.id}"[:200]


def _dumps(data: object) -> str:
    return json.dumps(data, ensure_ascii=False)
