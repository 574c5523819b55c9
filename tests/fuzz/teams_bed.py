"""What the Teams fuzz tests drive: the real ``TeamsMessagesHandler`` with the real Bot
Framework authentication, in front of a bot that only records the turns it gets."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from botbuilder.core import Bot, TurnContext
from botbuilder.schema import Activity, ActivityTypes, InvokeResponse

from adapters.teams.credentials import TeamsCredentials
from adapters.teams.handler import TeamsMessagesHandler
from adapters.teams.setup import teams_adapter
from tests.fuzz.mocked import mocked_post

APP_ID = "00000000-0000-0000-0000-0000000000aa"


class RecordingBot(Bot):
    """Records each turn; answers an invoke with an empty 200, as a bot that handled it."""

    def __init__(self) -> None:
        self.turns: list[str | None] = []

    async def on_turn(self, context: TurnContext) -> None:
        self.turns.append(context.activity.type)
        if context.activity.type == ActivityTypes.invoke:
            answer = InvokeResponse(status=200, body={})
            await context.send_activity(Activity(type=ActivityTypes.invoke_response, value=answer))


class _NoConversations:
    """The recording bot stores no conversation references."""

    async def remember(self, *_args: Any) -> None:
        raise AssertionError("nothing may be stored")

    async def personal(self, _email: str) -> dict[str, Any] | None:
        return None

    async def conversation(self, _conversation_id: str) -> dict[str, Any] | None:
        return None

    async def latest(self) -> dict[str, Any] | None:
        return None


@dataclass
class TeamsBed:
    handler: TeamsMessagesHandler
    bot: RecordingBot = field(default_factory=RecordingBot)

    async def post(self, body: bytes, headers: Mapping[str, str]) -> int:
        """The status the handler answers; the turns the bot got are in ``bot.turns``."""
        self.bot.turns.clear()
        response = await self.handler(mocked_post("/api/messages", body, headers))
        return response.status


@functools.cache
def teams_bed(app_id: str) -> TeamsBed:
    """With an app id every request needs a Bot Framework token; without, none (dev mode)."""
    credentials = TeamsCredentials(app_id=app_id, app_password="secret" if app_id else "")
    teams = teams_adapter(credentials, _NoConversations(), None)
    bot = RecordingBot()
    return TeamsBed(TeamsMessagesHandler(teams.adapter, teams.auth, bot), bot)
