"""Slack's requests to an app, each freshly signed with the app's signing secret, as
``tests/e2e/slack_testbed.py`` builds them (slash command, button click, view submission)."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import urlencode

import aiohttp
from slack_sdk.signature import SignatureVerifier

from bench.load import LoadError

FORM = "application/x-www-form-urlencoded"
MESSAGE_BLOCKS = 8  # a card in a button payload: Slack sends the whole message back


class SlackSender:
    """Posts signed requests to one server's ``/slack/events``."""

    def __init__(self, session: aiohttp.ClientSession, url: str, signing_secret: str) -> None:
        self._session = session
        self._url = f"{url}/slack/events"
        self._verifier = SignatureVerifier(signing_secret)

    async def post(self, body: str) -> str:
        """Send the body, signed now; the response text, or ``LoadError`` unless HTTP 200."""
        timestamp = str(int(time.time()))
        headers = {
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": self._verifier.generate_signature(timestamp=timestamp, body=body),
            "Content-Type": FORM,
        }
        async with self._session.post(self._url, data=body.encode(), headers=headers) as response:
            text = await response.text()
            if response.status != 200:
                raise LoadError(f"HTTP {response.status}: {text[:200]}")
            return text


def command(user_id: str, trigger_id: str, response_url: str, text: str = "") -> str:
    return urlencode(
        {
            "token": "legacy",
            "team_id": "T1",
            "team_domain": "bench",
            "channel_id": "C0GENERAL",
            "channel_name": "general",
            "user_id": user_id,
            "user_name": user_id.lower(),
            "command": "/hmis-access",
            "text": text,
            "api_app_id": "A1",
            "response_url": response_url,
            "trigger_id": trigger_id,
        }
    )


def click(
    user_id: str, channel: str, ts: str, value: str, *, trigger_id: str, response_url: str
) -> str:
    """A ``block_actions`` payload for the button whose value is ``value`` (``flow verb id v``)."""
    action_id = ".".join(value.split()[:2])
    payload = {
        "type": "block_actions",
        "team": {"id": "T1"},
        "api_app_id": "A1",
        "user": {"id": user_id},
        "trigger_id": trigger_id,
        "container": {"type": "message", "message_ts": ts, "channel_id": channel},
        "channel": {"id": channel},
        "message": _message(ts, value),
        "response_url": response_url,
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": "actions",
                "value": value,
                "action_ts": str(time.time()),
            }
        ],
    }
    return urlencode({"payload": json.dumps(payload)})


def _message(ts: str, value: str) -> dict[str, Any]:
    """The card the button sits on, about the size of a request card."""
    facts = [
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*Fact {i}*\nvalue {i}"}}
        for i in range(MESSAGE_BLOCKS - 1)
    ]
    button = {
        "type": "button",
        "action_id": ".".join(value.split()[:2]),
        "value": value,
        "text": {"type": "plain_text", "text": "Approve"},
    }
    blocks = [*facts, {"type": "actions", "block_id": "actions", "elements": [button]}]
    return {"type": "message", "ts": ts, "text": "Request", "blocks": blocks}


def view_submission(user_id: str, view: dict[str, Any], state: dict[str, Any]) -> str:
    submitted = {**view, "state": {"values": state}}
    payload = {
        "type": "view_submission",
        "team": {"id": "T1"},
        "api_app_id": "A1",
        "user": {"id": user_id},
        "view": submitted,
    }
    return urlencode({"payload": json.dumps(payload)})
