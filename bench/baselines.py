"""The baselines, each served by its own process the way their own samples serve them.

    python -m bench.baselines bolt --port P --api-url URL   # bare slack-bolt AsyncApp
    python -m bench.baselines echo --port P                 # stock botbuilder echo bot

The bare Bolt app acks every slash command and opens a 10-block modal with views.open through
one shared aiohttp session; it acks buttons and view submissions and does nothing else. It
reads SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET like the bot. The echo bot is botbuilder's
own sample shape (``CloudAdapter(ConfigurationBotFrameworkAuthentication(config))``, an
``ActivityHandler`` that echoes, ``adapter.process`` on ``/api/messages``) with no app id.
Both answer ``GET /healthz`` so start-up is timed the same way as the bot's.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from typing import Any

import aiohttp
from aiohttp import web
from botbuilder.core import ActivityHandler, MessageFactory, TurnContext
from botbuilder.core.integration import aiohttp_error_middleware
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

MODAL_INPUTS = 9  # plus a header section: ten blocks, about the size of the bot's own forms


def modal() -> dict[str, Any]:
    """A modal of ten blocks: a section and nine text inputs."""
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": "*New HMIS user*"}}
    ]
    blocks += [
        {
            "type": "input",
            "block_id": f"field{i}",
            "label": {"type": "plain_text", "text": f"Field {i}"},
            "element": {"type": "plain_text_input", "action_id": "value"},
        }
        for i in range(MODAL_INPUTS)
    ]
    return {
        "type": "modal",
        "callback_id": "bench_modal",
        "title": {"type": "plain_text", "text": "HMIS access"},
        "submit": {"type": "plain_text", "text": "Submit"},
        "blocks": blocks,
    }


async def healthz(_request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def bare_bolt(api_url: str) -> web.Application:
    """Bolt's own aiohttp app (``AsyncApp.web_app``) with ack-first listeners."""
    session = aiohttp.ClientSession()
    client = AsyncWebClient(token=os.environ["SLACK_BOT_TOKEN"], base_url=api_url, session=session)
    bolt = AsyncApp(client=client, signing_secret=os.environ["SLACK_SIGNING_SECRET"])
    form = modal()

    async def open_modal(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        await client.views_open(trigger_id=body["trigger_id"], view=form)

    async def ack_only(ack: AsyncAck) -> None:
        await ack()

    bolt.command("/hmis-access")(open_modal)
    bolt.action(re.compile(r"^[a-z_]+\."))(ack_only)
    bolt.view_submission(re.compile(".+"))(ack_only)
    app = bolt.web_app(path="/slack/events")
    app.router.add_get("/healthz", healthz)

    async def close_session(_app: web.Application) -> None:
        await session.close()

    app.on_cleanup.append(close_session)
    return app


class DefaultConfig:
    """The sample's config.py: an empty app id is the Emulator's unauthenticated mode."""

    # The variable names are the sample's own.
    APP_ID = os.environ.get("MicrosoftAppId", "")  # noqa: SIM112
    APP_PASSWORD = os.environ.get("MicrosoftAppPassword", "")  # noqa: SIM112
    APP_TYPE = os.environ.get("MicrosoftAppType", "MultiTenant")  # noqa: SIM112
    APP_TENANTID = os.environ.get("MicrosoftAppTenantId", "")  # noqa: SIM112


class EchoBot(ActivityHandler):
    async def on_message_activity(self, turn_context: TurnContext) -> None:
        await turn_context.send_activity(MessageFactory.text(f"Echo: {turn_context.activity.text}"))


def stock_echo() -> web.Application:
    adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(DefaultConfig()))
    bot = EchoBot()

    async def messages(request: web.Request) -> web.Response | None:
        return await adapter.process(request, bot)

    app = web.Application(middlewares=[aiohttp_error_middleware])
    app.router.add_post("/api/messages", messages)
    app.router.add_get("/healthz", healthz)
    return app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("which", choices=("bolt", "echo"))
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--api-url", help="the Slack Web API base URL (bolt)")
    args = parser.parse_args(argv)
    app = bare_bolt(args.api_url) if args.which == "bolt" else stock_echo()
    web.run_app(app, host="127.0.0.1", port=args.port, print=lambda _: sys.stdout.flush())


if __name__ == "__main__":
    main()
