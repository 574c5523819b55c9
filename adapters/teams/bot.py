"""The Teams activity handler: typed commands, dialogs and card buttons to the neutral service.

Every turn first resolves the person (Teams user id -> e-mail through ``TeamsInfo.get_member``,
cached by the service) and stores the conversation reference for proactive messages. Invokes
answer within Teams' ~5 s budget: one service call each, the outbox does the rest.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import aiohttp
from botbuilder.core import InvokeResponse, MessageFactory, TurnContext
from botbuilder.core.teams import TeamsActivityHandler, TeamsInfo
from botbuilder.schema import Activity, ActivityTypes, Attachment
from botbuilder.schema.teams import (
    TaskModuleContinueResponse,
    TaskModuleMessageResponse,
    TaskModuleRequest,
    TaskModuleResponse,
    TaskModuleTaskInfo,
)
from msrest.exceptions import ClientRequestError, HttpOperationError

from adapters.teams import cards, limits
from adapters.teams.cards import Json, Submit
from adapters.teams.conversations import PERSONAL, ConversationStore, reference_of, to_json
from adapters.teams.translate import (
    FORM_VERB,
    action_command,
    channel_id,
    command_words,
    dialog_opener,
    envelope,
    form_values,
    opened_by,
    typed_words,
)
from flows.model import Actor, Platform
from flows.outcomes import Accepted, FieldErrors, Help, Lists, OpenForm, Outcome
from flows.ports import CommandHelp, Inbound, LookupFailedError, ServiceUnavailableError
from flows.profiles import ProfileEmail, profile_name
from flows.ui import ActionCommand, CardList, Notice

log = logging.getLogger(__name__)

COMMAND = "hmis-access"
HELP_FOOTER = (
    "In a channel, mention the bot first. HMIS admins act on the cards in the admin channel. "
    "This bot never asks for or handles passwords."
)
TITLE_LIMIT = 32  # Teams manifest: a command's title, at most 32 characters
DESCRIPTION_LIMIT = 128  # ... and its description, at most 128


def typed(word: str) -> str:
    """What a person types for a command word: ``hmis-access deactivate``; ``help`` alone."""
    return word if word == "help" else f"{COMMAND} {word}".strip()


def command_list(commands: Sequence[CommandHelp]) -> list[tuple[str, str]]:
    """The Teams manifest's command menu: (title, description) per command word, at most
    Teams' ten: the first ones, then the last two (``status`` and ``help``). Every command
    still works when typed; ``help`` lists them all."""
    shown = list(commands)
    if len(shown) > limits.MENU_COMMANDS:
        shown = shown[: limits.MENU_COMMANDS - 2] + shown[-2:]
    return [
        (
            typed(c.word)[:TITLE_LIMIT],
            limits.clip(c.text[:1].upper() + c.text[1:], DESCRIPTION_LIMIT),
        )
        for c in shown
    ]


def help_text(commands: Sequence[CommandHelp], problem: str = "") -> str:
    lines = [problem] if problem else []
    lines += [f"**{typed(c.word)}** {c.text}." for c in commands]
    return "\n\n".join([*lines, HELP_FOOTER])


ACTOR = "hmis.actor"  # turn_state key: the person resolved for this turn
UNIDENTIFIED = "hmis.unidentified"  # turn_state key: why nobody was resolved
NO_EMAIL, UNAVAILABLE = "no_email_in_profile", "platform_unavailable"
NOT_A_MEMBER = frozenset({403, 404})  # get_member: the user is not in this conversation
MESSAGE_RESPONSE = "application/vnd.microsoft.activity.message"


class HmisTeamsBot(TeamsActivityHandler):
    def __init__(self, service: Inbound, conversations: ConversationStore) -> None:
        self._service = service
        self._conversations = conversations

    async def on_turn(self, turn_context: TurnContext) -> None:
        try:
            actor, reason = await self._identify(turn_context)
            turn_context.turn_state[ACTOR] = actor
            turn_context.turn_state[UNIDENTIFIED] = reason
            await self._remember(turn_context, actor)
            await super().on_turn(turn_context)
        except ServiceUnavailableError as error:
            log.warning("told a person the bot is unavailable: %s", error.cause)
            await self._unavailable(turn_context, str(error))

    async def _unavailable(self, turn_context: TurnContext, text: str) -> None:
        """Say so in the turn's own terms: an invoke's response, or a message."""
        if turn_context.activity.type == ActivityTypes.invoke:
            response = InvokeResponse(status=200, body=_message(text))
            await turn_context.send_activity(
                Activity(type=ActivityTypes.invoke_response, value=response)
            )
        else:
            await turn_context.send_activity(MessageFactory.text(text))

    # Typed commands ---------------------------------------------------------------------

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        words = command_words(turn_context.activity.text)
        if words[:1] == [COMMAND]:
            words = words[1:]
        known = {c.word for c in self._service.commands()}
        if words[:1] == ["help"] or (words and words[0] not in known):
            problem = "" if words[:1] == ["help"] else f"There is no '{words[0]}' command."
            await self._send_help(turn_context, problem)
            return
        actor = await self._actor_or_refuse(turn_context, "chat.command")
        if actor is None:
            return
        outcome = await self._service.command(actor, words)
        if not isinstance(outcome, OpenForm):
            await self._tell(turn_context, outcome)
        elif _is_personal(turn_context):
            await _send_card(
                turn_context, cards.form(outcome.form, Submit.EXECUTE, opened_by(words))
            )
        else:
            await _send_card(turn_context, cards.dialog_launcher(outcome.form, opened_by(words)))

    async def on_installation_update_add(self, turn_context: TurnContext) -> None:
        if _is_personal(turn_context):
            await self._send_help(turn_context)

    async def _send_help(self, turn_context: TurnContext, problem: str = "") -> None:
        text = help_text(self._service.commands(), problem)
        await turn_context.send_activity(MessageFactory.text(text))

    # Dialogs (task modules) -------------------------------------------------------------

    async def on_teams_task_module_fetch(
        self, turn_context: TurnContext, task_module_request: TaskModuleRequest
    ) -> TaskModuleResponse:
        actor = _actor(turn_context)
        if actor is None:
            return _dialog_message(await self._refusal(turn_context, "chat.command"))
        opener = dialog_opener(task_module_request.data)
        outcome = await self._reopen(actor, opener)
        if isinstance(outcome, OpenForm):
            return _dialog(cards.form(outcome.form, Submit.DIALOG, opener))
        return _dialog_message(_text_of(outcome, self._service))

    async def on_teams_task_module_submit(
        self, turn_context: TurnContext, task_module_request: TaskModuleRequest
    ) -> TaskModuleResponse:
        actor = _actor(turn_context)
        if actor is None:
            return _dialog_message(await self._refusal(turn_context, "chat.submit"))
        result = await self._submit(actor, task_module_request.data, Submit.DIALOG)
        if isinstance(result, dict):
            return _dialog(result)
        return _dialog_message(_text_of(result, self._service))

    # Card buttons (Universal Actions: Action.Execute) -----------------------------------

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
        """``adaptiveCard/action`` is answered here, not in ``on_adaptive_card_invoke``:
        botbuilder 4.17 cannot serialize a message response (its ``value`` is a string where
        the model expects an object) and hands the action over as a plain dict anyway."""
        if turn_context.activity.name != "adaptiveCard/action":
            return await super().on_invoke_activity(turn_context)
        value = turn_context.activity.value
        action = value.get("action") if isinstance(value, dict) else None
        if not isinstance(action, dict) or action.get("type") != "Action.Execute":
            return InvokeResponse(status=400, body=_message("That is not a card action."))
        return InvokeResponse(status=200, body=await self._card_action(turn_context, action))

    async def _card_action(self, turn_context: TurnContext, action: dict[str, Any]) -> Json:
        data = action.get("data") or {}
        actor = _actor(turn_context)
        if actor is None:
            return _message(await self._refusal(turn_context, "chat.click"))
        if action.get("verb") == FORM_VERB:
            result = await self._submit(actor, data, Submit.EXECUTE)
            return _card_body(result) if isinstance(result, dict) else self._body(result)
        command = action_command(data)
        if command is None:
            return _message("That button is not valid.")
        outcome = await self._service.click(actor, command)
        if isinstance(outcome, OpenForm):
            return _card_body(cards.form(outcome.form, Submit.EXECUTE, command.encode()))
        return self._body(outcome)

    def _body(self, outcome: Outcome) -> Json:
        """Accepted forms turn into their notice card; other notices show as a message, and the
        card itself is updated for everyone by the outbox, re-rendered from the database."""
        if isinstance(outcome, Accepted):
            return _card_body(cards.notice_card(outcome.notice))
        if isinstance(outcome, CardList):
            return _card_body(cards.card_list(outcome))
        if isinstance(outcome, Lists):
            return _card_body(cards.card_lists(outcome.lists))
        return _message(_text_of(outcome, self._service))

    # Shared steps -----------------------------------------------------------------------

    async def _submit(self, actor: Actor, data: object, submit: Submit) -> Json | Outcome:
        """A form card with the errors next to the fields, or what the flow answered."""
        env = envelope(data)
        if env is None or not isinstance(data, dict):
            return Notice("That form is not one this bot knows.")
        values = form_values(data, env.lists)
        outcome = await self._service.submit_form(actor, env.form_id, env.context, values)
        if not isinstance(outcome, FieldErrors):
            return outcome
        reopened = await self._reopen(actor, env.opener)
        if not isinstance(reopened, OpenForm):
            return reopened
        return cards.form(reopened.form, submit, env.opener, values, outcome.errors)

    async def _reopen(self, actor: Actor, opener: str) -> Outcome:
        """The same form again, from what opened it: the typed command or a button."""
        words = typed_words(opener)
        if words is not None:
            return await self._service.command(actor, words)
        command = ActionCommand.decode(opener)
        if command is None:
            return Notice("That form is not one this bot knows.")
        return await self._service.click(actor, command)

    async def _tell(self, turn_context: TurnContext, outcome: Outcome) -> None:
        if isinstance(outcome, CardList | Lists):
            lists = outcome.lists if isinstance(outcome, Lists) else (outcome,)
            await _send_card(turn_context, cards.card_lists(lists))
        else:
            text = _text_of(outcome, self._service)
            await turn_context.send_activity(MessageFactory.text(text))

    async def _actor_or_refuse(self, turn_context: TurnContext, action: str) -> Actor | None:
        actor = _actor(turn_context)
        if actor is None:
            text = await self._refusal(turn_context, action)
            await turn_context.send_activity(MessageFactory.text(text))
        return actor

    async def _refusal(self, turn_context: TurnContext, action: str) -> str:
        user = turn_context.activity.from_property
        reason = turn_context.turn_state.get(UNIDENTIFIED) or NO_EMAIL
        notice = await self._service.refuse_unidentified(
            Platform.TEAMS, user.id if user else "", action, str(reason)
        )
        return notice.text

    async def _identify(self, turn_context: TurnContext) -> tuple[Actor | None, str]:
        """The person, or None and why not (no e-mail, or Teams not answering)."""
        user = turn_context.activity.from_property
        if user is None or not user.id or turn_context.activity.channel_data is None:
            return None, NO_EMAIL  # Teams always sends channelData; TeamsInfo needs it

        async def lookup() -> str | None:
            try:
                member = await TeamsInfo.get_member(turn_context, user.id)
            except HttpOperationError as error:
                if _status(error) in NOT_A_MEMBER:
                    return None
                raise LookupFailedError(f"HTTP {_status(error)}") from None
            except (ClientRequestError, aiohttp.ClientError, TimeoutError) as error:
                raise LookupFailedError(type(error).__name__) from None
            email = member.email or member.user_principal_name
            if not (isinstance(email, str) and "@" in email):
                return None
            return ProfileEmail(email, profile_name(member.name))

        try:
            return await self._service.identify(Platform.TEAMS, str(user.id), lookup), NO_EMAIL
        except LookupFailedError as error:
            log.warning("Teams get_member failed: %s", error)
            return None, UNAVAILABLE

    async def _remember(self, turn_context: TurnContext, actor: Actor | None) -> None:
        activity = turn_context.activity
        conversation = activity.conversation
        if conversation is None or not conversation.id or not activity.service_url:
            return
        kind = conversation.conversation_type or PERSONAL
        email = actor.email if actor is not None and kind == PERSONAL else None
        await self._conversations.remember(
            channel_id(conversation.id), kind, email, to_json(reference_of(activity))
        )


def _actor(turn_context: TurnContext) -> Actor | None:
    actor = turn_context.turn_state.get(ACTOR)
    return actor if isinstance(actor, Actor) else None


def _is_personal(turn_context: TurnContext) -> bool:
    conversation = turn_context.activity.conversation
    return conversation is None or (conversation.conversation_type or PERSONAL) == PERSONAL


async def _send_card(turn_context: TurnContext, content: Json) -> None:
    attachment = Attachment(content_type=cards.CONTENT_TYPE, content=content)
    await turn_context.send_activity(MessageFactory.attachment(attachment))


def _text_of(outcome: Outcome, service: Inbound) -> str:
    if isinstance(outcome, Accepted):
        return outcome.notice.text
    if isinstance(outcome, Notice):
        return outcome.text
    if isinstance(outcome, CardList):
        return outcome.title
    if isinstance(outcome, Help):
        return help_text(service.commands(), outcome.problem)
    return "Done."


def _dialog(content: Json) -> TaskModuleResponse:
    """A dialog showing the card; a form card's fallback text is the form's title."""
    info = TaskModuleTaskInfo(
        title=limits.clip(str(content["fallbackText"]), limits.DIALOG_TITLE),
        card=Attachment(content_type=cards.CONTENT_TYPE, content=content),
        height="large",
        width="medium",
    )
    return TaskModuleResponse(task=TaskModuleContinueResponse(value=info))


def _dialog_message(text: str) -> TaskModuleResponse:
    return TaskModuleResponse(task=TaskModuleMessageResponse(value=text))


def _card_body(content: Json) -> Json:
    return {"statusCode": 200, "type": cards.CONTENT_TYPE, "value": content}


def _message(text: str) -> Json:
    return {"statusCode": 200, "type": MESSAGE_RESPONSE, "value": text}


def _status(error: HttpOperationError) -> int:
    response: Any = error.response
    return int(getattr(response, "status_code", 0) or 0)
