"""The Bolt app: listeners that translate Slack events into calls on the neutral service.

Every listener acknowledges first (Slack allows 3 seconds) except view submissions, whose
field errors travel in the acknowledgement; slow work happens after the ack.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import blocks
from adapters.slack.translate import action_command, form_values
from flows.model import Actor, Platform
from flows.outcomes import Accepted, FieldErrors, OpenForm, Outcome
from flows.ports import Inbound
from flows.ui import CardList, Notice

log = logging.getLogger(__name__)

COMMAND = "/hmis-access"
HELP = (
    "*/hmis-access* opens a New User Access Request for a staff member of your agency.\n"
    "*/hmis-access status* lists the requests you filed, supervise or are the subject of.\n"
    "*/hmis-access help* shows this help.\n"
    "HMIS admins approve requests from the cards in the admin channel or from the bot's "
    "Home tab. This bot never asks for or handles passwords."
)


def build_app(service: Inbound, client: AsyncWebClient, signing_secret: str) -> AsyncApp:
    app = AsyncApp(
        client=client,
        signing_secret=signing_secret,
        process_before_response=False,
        raise_error_for_unhandled_request=False,
    )
    listeners = _Listeners(service)
    app.command(COMMAND)(listeners.command)
    app.view_submission(re.compile(".+"))(listeners.view_submission)
    app.action(re.compile(r"^[a-z_]+\."))(listeners.button)  # "<flow>.<verb>": every flow's buttons
    app.event("app_home_opened")(listeners.home_opened)
    return app


class _Listeners:
    def __init__(self, service: Inbound) -> None:
        self._service = service

    async def command(
        self,
        ack: AsyncAck,
        command: dict[str, Any],
        client: AsyncWebClient,
        respond: AsyncRespond | None,
    ) -> None:
        verb = command.get("text", "").strip().lower()
        if verb not in ("", "status"):
            await ack(response_type="ephemeral", text=HELP)
            return
        await ack()
        actor = await self._actor(client, command["user_id"], "new_user.command", respond)
        if actor is None:
            return
        if verb == "status" and respond is not None:
            await respond(
                response_type="ephemeral",
                **blocks.card_list_message(await self._service.status(actor)),
            )
            return
        outcome = await self._service.open_request_form(actor)
        await self._show(outcome, client, respond, command.get("trigger_id"), actor)

    async def view_submission(
        self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        user_id = body.get("user", {}).get("id", "")
        actor = await self._identify(client, user_id)
        if actor is None:
            notice = await self._service.refuse_unidentified(
                Platform.SLACK, user_id, "new_user.submit"
            )
            await ack(
                response_action="update", view=blocks.message_modal("HMIS access", notice.text)
            )
            return
        outcome = await self._service.submit_form(
            actor, view.get("callback_id", ""), view.get("private_metadata", ""), form_values(view)
        )
        if isinstance(outcome, FieldErrors):
            await ack(response_action="errors", errors=outcome.errors)
        elif isinstance(outcome, Accepted | Notice):
            text = outcome.notice.text if isinstance(outcome, Accepted) else outcome.text
            await ack(response_action="update", view=blocks.message_modal("HMIS access", text))
        else:
            await ack()

    async def button(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        action: dict[str, Any],
        client: AsyncWebClient,
        respond: AsyncRespond | None,
    ) -> None:
        await ack()
        actor = await self._actor(
            client, body.get("user", {}).get("id", ""), "new_user.click", respond
        )
        command = action_command(action)
        if actor is None:
            return
        if command is None:
            await self._tell(client, respond, actor, Notice("That button is not valid."))
            return
        outcome = await self._service.click(actor, command)
        await self._show(outcome, client, respond, body.get("trigger_id"), actor)
        if body.get("container", {}).get("type") == "view":
            await self._publish_home(client, actor)

    async def home_opened(self, event: dict[str, Any], client: AsyncWebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        actor = await self._identify(client, event.get("user", ""))
        if actor is not None:
            await self._publish_home(client, actor)

    async def _publish_home(self, client: AsyncWebClient, actor: Actor) -> None:
        lists: list[CardList] = [await self._service.status(actor)]
        queue = await self._service.admin_queue(actor)
        if queue is not None:
            lists.insert(0, queue)
        await client.views_publish(user_id=actor.platform_user_id, view=blocks.home_view(lists))

    async def _show(
        self,
        outcome: Outcome,
        client: AsyncWebClient,
        respond: AsyncRespond | None,
        trigger_id: str | None,
        actor: Actor,
    ) -> None:
        if isinstance(outcome, OpenForm) and trigger_id:
            await client.views_open(trigger_id=trigger_id, view=blocks.modal(outcome.form))
        elif isinstance(outcome, Notice):
            await self._tell(client, respond, actor, outcome)
        elif isinstance(outcome, CardList) and respond is not None:
            await respond(response_type="ephemeral", **blocks.card_list_message(outcome))

    async def _tell(
        self, client: AsyncWebClient, respond: AsyncRespond | None, actor: Actor, notice: Notice
    ) -> None:
        """Ephemeral where Slack gave a response_url; otherwise a DM (App Home has none)."""
        if respond is not None and respond.response_url:
            await respond(
                response_type="ephemeral", replace_original=False, **blocks.notice_message(notice)
            )
        else:
            await client.chat_postMessage(
                channel=actor.platform_user_id, **blocks.notice_message(notice)
            )

    async def _actor(
        self, client: AsyncWebClient, user_id: str, action: str, respond: AsyncRespond | None
    ) -> Actor | None:
        actor = await self._identify(client, user_id)
        if actor is None:
            notice = await self._service.refuse_unidentified(Platform.SLACK, user_id, action)
            if respond is not None and respond.response_url:
                await respond(response_type="ephemeral", **blocks.notice_message(notice))
        return actor

    async def _identify(self, client: AsyncWebClient, user_id: str) -> Actor | None:
        async def lookup() -> str | None:
            try:
                user = (await client.users_info(user=user_id)).get("user") or {}
            except SlackApiError as error:
                log.warning("users.info failed for a user: %s", error.response.get("error"))
                return None
            if user.get("is_bot") or user.get("deleted"):
                return None
            email = (user.get("profile") or {}).get("email")
            return email if isinstance(email, str) else None

        if not user_id:
            return None
        return await self._service.identify(Platform.SLACK, user_id, lookup)
