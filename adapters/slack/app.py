"""The Bolt app: listeners that translate Slack events into calls on the neutral service.

Every listener acknowledges first (Slack allows 3 seconds) except view submissions, whose
field errors travel in the acknowledgement; slow work happens after the ack. Which commands
exist, and their help, comes from the service (the request-kind registry), never from here.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import aiohttp
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import blocks
from adapters.slack.translate import action_command, form_values
from flows.model import Actor, Platform
from flows.outcomes import Accepted, FieldErrors, Help, Lists, OpenForm, Outcome
from flows.ports import Inbound, LookupFailedError, ServiceUnavailableError
from flows.profiles import ProfileEmail, profile_name
from flows.ui import CardList, Notice

log = logging.getLogger(__name__)

COMMAND = "/hmis-access"
HELP_FOOTER = (
    "HMIS admins act on the cards in the admin channel or from the bot's Home tab. "
    "This bot never asks for or handles passwords."
)
MODAL_TITLE = "HMIS access"
NO_PROFILE = {"user_not_found", "users_not_found", "account_inactive"}
"""users.info errors that mean the person has no profile to read, not that Slack failed."""


class _SameToken(logging.Filter):
    """Bolt reads SLACK_BOT_TOKEN itself and warns that the ``client`` it is given wins; that
    client was built from the same variable, so there is nothing to warn about."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != warning_client_prioritized_and_token_skipped()


_SAME_TOKEN = _SameToken()


def help_text(service: Inbound, problem: str = "") -> str:
    lines = [problem] if problem else []
    for command in service.commands():
        typed = f"{COMMAND} {command.word}".strip()
        lines.append(f"*{typed}* {command.text}.")
    return "\n".join([*lines, HELP_FOOTER])


def build_app(service: Inbound, client: AsyncWebClient, signing_secret: str) -> AsyncApp:
    logging.getLogger("slack_bolt.AsyncApp").addFilter(_SAME_TOKEN)  # the same filter: once
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
        words = str(command.get("text", "")).strip().lower().split()
        known = {c.word for c in self._service.commands()}
        if words[:1] == ["help"] or (words and words[0] not in known):
            problem = "" if words[:1] == ["help"] else f"There is no '{words[0]}' command."
            await ack(response_type="ephemeral", text=help_text(self._service, problem))
            return
        await ack()
        try:
            actor = await self._actor(client, command.get("user_id", ""), "chat.command", respond)
            if actor is None:
                return
            outcome = await self._service.command(actor, words)
        except ServiceUnavailableError as error:
            await self._unavailable(respond, error)
            return
        await self._show(outcome, client, respond, command.get("trigger_id"), actor)

    async def view_submission(
        self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        user_id = body.get("user", {}).get("id", "")
        try:
            actor, reason = await self._identify(client, user_id)
            if actor is None:
                notice = await self._service.refuse_unidentified(
                    Platform.SLACK, user_id, "chat.submit", reason
                )
                await ack(
                    response_action="update", view=blocks.message_modal(MODAL_TITLE, notice.text)
                )
                return
            outcome = await self._service.submit_form(
                actor,
                view.get("callback_id", ""),
                view.get("private_metadata", ""),
                form_values(view),
            )
        except ServiceUnavailableError as error:
            notice = Notice(str(error))
            await ack(response_action="update", view=blocks.message_modal(MODAL_TITLE, notice.text))
            return
        if isinstance(outcome, FieldErrors):
            await ack(response_action="errors", errors=outcome.errors)
        elif isinstance(outcome, Accepted | Notice):
            notice = outcome.notice if isinstance(outcome, Accepted) else outcome
            await ack(response_action="update", view=blocks.message_modal(MODAL_TITLE, notice.text))
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
        try:
            user_id = body.get("user", {}).get("id", "")
            actor = await self._actor(client, user_id, "chat.click", respond)
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
        except ServiceUnavailableError as error:
            await self._unavailable(respond, error)

    async def home_opened(self, event: dict[str, Any], client: AsyncWebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        try:
            actor, _ = await self._identify(client, event.get("user", ""))
            if actor is not None:
                await self._publish_home(client, actor)
        except ServiceUnavailableError:
            log.warning("App Home not refreshed: the bot's database did not answer")

    async def _publish_home(self, client: AsyncWebClient, actor: Actor) -> None:
        outcome = await self._service.command(actor, ["status"])
        lists = list(outcome.lists) if isinstance(outcome, Lists) else []
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
        elif isinstance(outcome, Help):
            notice = Notice(help_text(self._service, outcome.problem))
            await self._tell(client, respond, actor, notice)
        elif isinstance(outcome, CardList | Lists) and respond is not None:
            lists = outcome.lists if isinstance(outcome, Lists) else (outcome,)
            await respond(response_type="ephemeral", **blocks.card_lists_message(lists))

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

    async def _unavailable(
        self, respond: AsyncRespond | None, error: ServiceUnavailableError
    ) -> None:
        log.warning("told a person the bot is unavailable: %s", error.cause)
        if respond is not None and respond.response_url:
            await respond(
                response_type="ephemeral",
                replace_original=False,
                **blocks.notice_message(Notice(str(error))),
            )

    async def _actor(
        self, client: AsyncWebClient, user_id: str, action: str, respond: AsyncRespond | None
    ) -> Actor | None:
        actor, reason = await self._identify(client, user_id)
        if actor is None:
            notice = await self._service.refuse_unidentified(
                Platform.SLACK, user_id, action, reason
            )
            if respond is not None and respond.response_url:
                await respond(response_type="ephemeral", **blocks.notice_message(notice))
        return actor

    async def _identify(self, client: AsyncWebClient, user_id: str) -> tuple[Actor | None, str]:
        """The person, or None and why not (no e-mail in the profile, or Slack not answering)."""

        async def lookup() -> str | None:
            try:
                user = (await client.users_info(user=user_id)).get("user") or {}
            except SlackApiError as error:
                reason = str(error.response.get("error", "unknown_error"))
                if reason in NO_PROFILE:
                    return None
                raise LookupFailedError(reason) from None
            except (aiohttp.ClientError, TimeoutError) as error:
                raise LookupFailedError(type(error).__name__) from None
            if user.get("is_bot") or user.get("deleted"):
                return None
            profile = user.get("profile") or {}
            email = profile.get("email")
            if not isinstance(email, str):
                return None
            name = profile_name(
                profile.get("real_name"), profile.get("display_name"), user.get("real_name")
            )
            return ProfileEmail(email, name)

        if not user_id:
            return None, "no_email_in_profile"
        try:
            actor = await self._service.identify(Platform.SLACK, user_id, lookup)
        except LookupFailedError as error:
            log.warning("users.info failed: %s", error)
            return None, "platform_unavailable"
        return actor, "no_email_in_profile"
