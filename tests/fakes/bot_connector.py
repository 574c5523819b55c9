"""A local Bot Framework connector (the ``serviceUrl`` Teams gives a bot), recording what the bot
sends and updates, and refusing what the real one refuses.

Checked like the real service: unknown conversations and messages are 404; members are looked
up in a directory; a message must stay under Teams' ~28 KB; an Adaptive Card must be one Teams
renders (version 1.5 at most, every Action.Execute with a verb, unique input ids).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from itertools import count
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

from tests.fakes.storm import Storm
from tests.privacy_scan import SCAN

ADAPTIVE = "application/vnd.microsoft.card.adaptive"
MESSAGE_BYTES = 28_000  # Teams refuses larger messages (HTTP 413)
MAX_CARD_VERSION = (1, 5)
TENANT = "tenant-0001"


@dataclass
class Member:
    id: str
    name: str
    email: str | None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "aadObjectId": f"aad-{self.id}",
            "tenantId": TENANT,
            "userRole": "user",
        }
        if self.email:
            data |= {"email": self.email, "userPrincipalName": self.email}
        return data


@dataclass
class Posted:
    conversation: str
    id: str
    activity: dict[str, Any]
    updates: list[dict[str, Any]] = field(default_factory=list)

    @property
    def current(self) -> dict[str, Any]:
        return self.updates[-1] if self.updates else self.activity

    def card(self) -> dict[str, Any]:
        for attachment in self.current.get("attachments") or []:
            if attachment.get("contentType") == ADAPTIVE:
                return dict(attachment["content"])
        raise AssertionError(f"message {self.id} holds no Adaptive Card: {self.current}")

    def text(self) -> str:
        """Everything a person reads on the message, flattened for assertions."""
        return json.dumps(
            [self.current.get("text"), self.current.get("attachments")], ensure_ascii=False
        )


class FakeConnector:
    def __init__(self) -> None:
        self.members: dict[str, Member] = {}
        self.conversations: set[str] = set()
        self.posted: list[Posted] = []
        self.calls: list[tuple[str, str]] = []
        self.refused: list[tuple[str, int, str]] = []
        self._ids = count(1)
        self._fail_next: list[int] = []
        self._storm: Storm | None = None
        self._server: TestServer | None = None

    # Set-up -------------------------------------------------------------------------------

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/v3/conversations/{conversation}/activities", self._send)
        app.router.add_post("/v3/conversations/{conversation}/activities/{reply_to}", self._send)
        app.router.add_put("/v3/conversations/{conversation}/activities/{activity}", self._update)
        app.router.add_get("/v3/conversations/{conversation}/members/{member}", self._member)
        self._server = TestServer(app, host="127.0.0.1")
        await self._server.start_server()
        return str(self._server.make_url("/"))

    async def stop(self) -> None:
        if self._server is not None:
            await self._server.close()

    def add_member(self, user_id: str, name: str, email: str | None) -> None:
        self.members[user_id] = Member(user_id, name, email)

    def add_conversation(self, conversation_id: str) -> None:
        self.conversations.add(conversation_id)

    def storm(self, storm: Storm | None) -> None:
        """Answer a share of "send" and "update" calls with 429 or a 5xx (None: calm)."""
        self._storm = storm

    def fail_next(self, status: int) -> None:
        self._fail_next.append(status)

    # Reading what the bot did -----------------------------------------------------------

    def messages_in(self, conversation: str) -> list[Posted]:
        return [p for p in self.posted if p.conversation == conversation]

    def message(self, conversation: str, message_id: str) -> Posted:
        for posted in self.messages_in(conversation):
            if posted.id == message_id:
                return posted
        raise AssertionError(f"no message {message_id} in {conversation}")

    def last(self, conversation: str) -> Posted:
        messages = self.messages_in(conversation)
        assert messages, f"nothing was posted in {conversation}"
        return messages[-1]

    # The connector API ------------------------------------------------------------------

    async def _send(self, request: web.Request) -> web.Response:
        conversation = request.match_info["conversation"]
        self.calls.append(("send", conversation))
        problem = await self._check(request, conversation)
        if problem is not None:
            return problem
        activity = await request.json()
        posted = Posted(conversation, f"m{next(self._ids)}", activity)
        self.posted.append(posted)
        return web.json_response({"id": posted.id}, status=201)

    async def _update(self, request: web.Request) -> web.Response:
        conversation = request.match_info["conversation"]
        self.calls.append(("update", conversation))
        problem = await self._check(request, conversation)
        if problem is not None:
            return problem
        activity_id = request.match_info["activity"]
        found = [p for p in self.messages_in(conversation) if p.id == activity_id]
        if not found:
            return self._refuse(conversation, 404, "MessageNotFound")
        found[0].updates.append(await request.json())
        return web.json_response({"id": activity_id})

    async def _member(self, request: web.Request) -> web.Response:
        self.calls.append(("member", request.match_info["member"]))
        member = self.members.get(request.match_info["member"])
        if member is None:
            return self._refuse(request.match_info["conversation"], 404, "MemberNotFound")
        return web.json_response(member.to_json())

    async def _check(self, request: web.Request, conversation: str) -> web.Response | None:
        if self._fail_next:
            return self._refuse(conversation, self._fail_next.pop(0), "InjectedFailure")
        status = self._storm.strikes(self.calls[-1][0]) if self._storm else None
        if status is not None:
            return self._refuse(conversation, status, "Throttled" if status == 429 else "Storm")
        if conversation not in self.conversations:
            return self._refuse(conversation, 404, "ConversationNotFound")
        body = await request.read()
        SCAN.check("the bot's Teams activity", body.decode(errors="replace"))
        if len(body) > MESSAGE_BYTES:
            return self._refuse(conversation, 413, "MessageSizeTooBig")
        activity = json.loads(body)
        for attachment in activity.get("attachments") or []:
            problem = card_problem(attachment)
            if problem:
                return self._refuse(conversation, 400, problem)
        return None

    def _refuse(self, conversation: str, status: int, code: str) -> web.Response:
        self.refused.append((conversation, status, code))
        return web.json_response({"error": {"code": code, "message": code}}, status=status)


def card_problem(attachment: dict[str, Any]) -> str | None:
    """Why Teams would refuse or mis-render this card, or None."""
    if attachment.get("contentType") != ADAPTIVE:
        return f"unexpected attachment {attachment.get('contentType')}"
    card = attachment.get("content") or {}
    if card.get("type") != "AdaptiveCard":
        return "not an AdaptiveCard"
    version = tuple(int(p) for p in str(card.get("version", "0")).split("."))
    if version > MAX_CARD_VERSION:
        return f"card version {card.get('version')} is newer than Teams renders"
    ids: list[str] = []
    for element in walk(card):
        kind = element.get("type", "")
        if kind == "Action.Execute" and not element.get("verb"):
            return "Action.Execute without a verb"
        if kind.startswith("Input."):
            ids.append(element.get("id", ""))
    if len(ids) != len(set(ids)) or "" in ids:
        return "inputs need unique ids"
    return None


def walk(node: Any) -> list[dict[str, Any]]:
    """Every element and action of a card, depth first."""
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        if "type" in node:
            found.append(node)
        for value in node.values():
            found.extend(walk(value))
    elif isinstance(node, list):
        for item in node:
            found.extend(walk(item))
    return found
