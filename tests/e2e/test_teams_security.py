"""The Teams endpoint's gate, and regressions for botbuilder 4.17's invoke traps."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import jwt
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from botbuilder.core import TurnContext
from botbuilder.core.teams import TeamsActivityHandler
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botbuilder.schema import AdaptiveCardInvokeValue, Attachment
from botbuilder.schema.teams import (
    TaskModuleContinueResponse,
    TaskModuleRequest,
    TaskModuleResponse,
    TaskModuleTaskInfo,
)
from sqlalchemy import func, select

from chatbot.settings import Settings
from chatbot.storage.database import Database
from chatbot.storage.models import AuditEventRow, ChatConversation
from chatbot.web.server import create_app
from flows.community import Community
from tests.conftest import Clock
from tests.e2e.teams_testbed import TeamsTestbed, personal, running_bots
from tests.requests import LEAD

APP_ID = "00000000-0000-0000-0000-0000000000aa"


@pytest.fixture
async def guarded(
    database_url: str, database: Database, community: Community, clock: Clock
) -> AsyncIterator[TeamsTestbed]:
    async with running_bots(database_url, community, clock, with_slack=False, app_id=APP_ID) as b:
        b.teams.fake.add_conversation(personal(LEAD))
        yield b.teams


def rows(database: Database) -> tuple[int, int]:
    with database.transaction() as session:
        return (
            int(session.scalar(select(func.count()).select_from(ChatConversation)) or 0),
            int(session.scalar(select(func.count()).select_from(AuditEventRow)) or 0),
        )


def token(issuer: str, key: str = "a-key-that-is-not-the-bot-framework-one-at-all") -> str:
    now = int(time.time())
    claims = {"iss": issuer, "aud": APP_ID, "iat": now, "nbf": now, "exp": now + 600}
    return jwt.encode(claims, key, algorithm="HS256")


async def test_with_an_app_id_every_bad_token_is_401_and_touches_nothing(
    guarded: TeamsTestbed, database: Database
) -> None:
    message = guarded.activity("message", LEAD, personal(LEAD), text="hmis-access")
    for headers in (
        {},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer not.a.jwt"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": f"Bearer {token('https://attacker.example.org')}"},
    ):
        status, _ = await guarded.post(message, headers)
        assert status == 401, headers
    invoke = guarded.activity("invoke", LEAD, personal(LEAD), name="task/fetch", value={"data": {}})
    assert (await guarded.post(invoke))[0] == 401
    assert guarded.fake.calls == []
    assert rows(database) == (0, 0)


async def test_without_credentials_the_endpoint_is_off(
    database_url: str, database: Database, community: Community, clock: Clock
) -> None:
    app = create_app(Settings(HMIS_BOT_DATABASE_URL=database_url), clock, community)
    async with TestClient(TestServer(app)) as http:
        response = await http.post("/api/messages", json={"type": "message", "text": "hi"})
        assert response.status == 404
        health = await (await http.get("/healthz")).json()
        assert health["adapters"]["teams"] == "off"


async def test_malformed_activities_are_400(guarded: TeamsTestbed) -> None:
    for body in (b"not json", b"[]", b'{"text": "no type"}'):
        response = await guarded.http.post(
            "/api/messages", data=body, headers={"Content-Type": "application/json"}
        )
        assert response.status == 400


async def test_invokes_that_return_a_body_answer_200_not_500(
    database_url: str, database: Database, community: Community, clock: Clock
) -> None:
    """task/fetch, task/submit and adaptiveCard/action each return a body; through our
    handler they are written as JSON (botbuilder's own ``process`` answers 500, below)."""
    async with running_bots(database_url, community, clock, with_slack=False) as bots:
        teams = bots.teams
        await teams.install(LEAD)
        for name, value in (
            ("task/fetch", {"data": {}}),
            ("task/submit", {"data": {"hmis_form": {"id": "new_user_request"}}}),
            (
                "adaptiveCard/action",
                {"action": {"type": "Action.Execute", "verb": "new_user.approve", "data": {}}},
            ),
        ):
            invoke = teams.activity("invoke", LEAD, personal(LEAD), name=name, value=value)
            status, body = await teams.post(invoke)
            assert status == 200, (name, body)
            assert isinstance(body, dict), name
        not_execute = teams.activity(
            "invoke",
            LEAD,
            personal(LEAD),
            name="adaptiveCard/action",
            value={"action": {"type": "Action.Submit", "data": {}}},
        )
        assert (await teams.post(not_execute))[0] == 400


class _FetchBot(TeamsActivityHandler):
    async def on_teams_task_module_fetch(
        self, turn_context: TurnContext, task_module_request: TaskModuleRequest
    ) -> TaskModuleResponse:
        card = Attachment(content_type="application/vnd.microsoft.card.adaptive", content={})
        info = TaskModuleTaskInfo(title="x", card=card)
        return TaskModuleResponse(task=TaskModuleContinueResponse(value=info))


async def test_the_library_trap_is_still_there() -> None:
    """botbuilder-integration-aiohttp 4.17's ``CloudAdapter.process`` answers 500 to an invoke
    that returns a body. When this fails, upstream fixed it and handler.py may use it again."""

    class _Config:
        APP_ID = ""
        APP_PASSWORD = ""

    adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(_Config()))
    bot = _FetchBot()

    async def messages(request: web.Request) -> web.StreamResponse:
        response = await adapter.process(request, bot)
        assert response is not None
        return response

    app = web.Application()
    app.router.add_post("/api/messages", messages)
    async with TestClient(TestServer(app)) as http:
        invoke = {
            "type": "invoke",
            "name": "task/fetch",
            "id": "1",
            "channelId": "msteams",
            "serviceUrl": "http://127.0.0.1:9/",
            "from": {"id": "29:x"},
            "recipient": {"id": "28:bot"},
            "conversation": {"id": "a:x", "conversationType": "personal"},
            "value": {"data": {}},
        }
        response = await http.post("/api/messages", json=invoke)
        assert response.status == 500


def test_botbuilder_hands_the_card_action_over_as_a_plain_dict() -> None:
    """Why bot.py reads ``action["verb"]``: botbuilder 4.17 does not deserialize the action."""
    value = AdaptiveCardInvokeValue(action={"type": "Action.Execute", "verb": "new_user.approve"})
    assert isinstance(value.action, dict)
    assert value.action["verb"] == "new_user.approve"
