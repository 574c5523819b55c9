"""The Teams activity handler: typed commands, dialogs and card buttons to the neutral service.

Every turn first resolves the person (Teams user id -> e-mail through ``TeamsInfo.get_member``,
cached by the service) and stores the conversation reference for proactive messages. Invokes
answer within Teams' ~5 s budget: one service call each, the outbox does the rest.
"""

from __future__ import annotations

import logging
from typing import Any

from botbuilder.core import InvokeResponse, MessageFactory, TurnContext
from botbuilder.core.teams import TeamsActivityHandler, TeamsInfo
from botbuilder.schema import Attachment
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
    OPENED_BY_COMMAND,
    action_command,
    channel_id,
    command_words,
    envelope,
    form_values,
)
from flows.model import Actor, Platform
from flows.outcomes import Accepted, FieldErrors, OpenForm, Outcome
from flows.ports import Inbound
from flows.ui import ActionCommand, CardList, Notice

log = logging.getLogger(__name__)

COMMAND = "hmis-access"
COMMANDS = (
    (COMMAND, "Request HMIS access for a staff member of your agency"),
    (f"{COMMAND} status", "See the requests you filed, supervise or are the subject of"),
    ("help", "What this bot does and how to use it"),
)
HELP = (
    "**hmis-access** opens a New User Access Request for a staff member of your agency.\n\n"
    "**hmis-access status** lists the requests you filed, supervise or are the subject of "
    "(and, for HMIS admins, the approval queue).\n\n"
    "**help** shows this help.\n\n"
    "In a channel, mention the bot first. HMIS admins approve requests from the cards in the "
    "admin channel. This bot never asks for or handles passwords."
)
ACTOR = "hmis.actor"  # turn_state key: the person resolved for this turn
MESSAGE_RESPONSE = "application/vnd.microsoft.activity.message"


class HmisTeamsBot(TeamsActivityHandler):
    def __init__(self, service: Inbound, conversations: ConversationStore) -> None:
        self._service = service
        self._conversations = conversations

    async def on_turn(self, turn_context: TurnContext) -> None:
        actor = await self._identify(turn_context)
        turn_context.turn_state[ACTOR] = actor
        await self._remember(turn_context, actor)
        await super().on_turn(turn_context)

    # Typed commands ---------------------------------------------------------------------

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        words = command_words(turn_context.activity.text)
        if words[:1] == [COMMAND]:
            words = words[1:]
        if words not in ([], ["status"]):
            await turn_context.send_activity(MessageFactory.text(HELP))
            return
        actor = await self._actor_or_refuse(turn_context, "new_user.command")
        if actor is None:
            return
        if words == ["status"]:
            for cards_list in await self._status_lists(actor):
                await _send_card(turn_context, cards.card_list(cards_list))
            return
        outcome = await self._service.open_request_form(actor)
        if not isinstance(outcome, OpenForm):
            await self._tell(turn_context, outcome)
        elif _is_personal(turn_context):
            await _send_card(
                turn_context, cards.form(outcome.form, Submit.EXECUTE, OPENED_BY_COMMAND)
            )
        else:
            await _send_card(turn_context, cards.dialog_launcher(outcome.form))

    async def on_installation_update_add(self, turn_context: TurnContext) -> None:
        if _is_personal(turn_context):
            await turn_context.send_activity(MessageFactory.text(HELP))

    # Dialogs (task modules) -------------------------------------------------------------

    async def on_teams_task_module_fetch(
        self, turn_context: TurnContext, task_module_request: TaskModuleRequest
    ) -> TaskModuleResponse:
        actor = _actor(turn_context)
        if actor is None:
            return _dialog_message(await self._refusal(turn_context, "new_user.command"))
        outcome = await self._service.open_request_form(actor)
        if isinstance(outcome, OpenForm):
            return _dialog(cards.form(outcome.form, Submit.DIALOG, OPENED_BY_COMMAND))
        return _dialog_message(_text_of(outcome))

    async def on_teams_task_module_submit(
        self, turn_context: TurnContext, task_module_request: TaskModuleRequest
    ) -> TaskModuleResponse:
        actor = _actor(turn_context)
        if actor is None:
            return _dialog_message(await self._refusal(turn_context, "new_user.submit"))
        result = await self._submit(actor, task_module_request.data, Submit.DIALOG)
        if isinstance(result, dict):
            return _dialog(result)
        return _dialog_message(_text_of(result))

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
            return _message(await self._refusal(turn_context, "new_user.click"))
        if action.get("verb") == FORM_VERB:
            result = await self._submit(actor, data, Submit.EXECUTE)
            return _card_body(result) if isinstance(result, dict) else _outcome_body(result)
        command = action_command(data)
        if command is None:
            return _message("That button is not valid.")
        outcome = await self._service.click(actor, command)
        if isinstance(outcome, OpenForm):
            return _card_body(cards.form(outcome.form, Submit.EXECUTE, command.encode()))
        return _outcome_body(outcome)

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
        if opener == OPENED_BY_COMMAND:
            return await self._service.open_request_form(actor)
        command = ActionCommand.decode(opener)
        if command is None:
            return Notice("That form is not one this bot knows.")
        return await self._service.click(actor, command)

    async def _status_lists(self, actor: Actor) -> list[CardList]:
        lists = [await self._service.status(actor)]
        queue = await self._service.admin_queue(actor)
        return [queue, *lists] if queue is not None else lists

    async def _tell(self, turn_context: TurnContext, outcome: Outcome) -> None:
        if isinstance(outcome, CardList):
            await _send_card(turn_context, cards.card_list(outcome))
        else:
            await turn_context.send_activity(MessageFactory.text(_text_of(outcome)))

    async def _actor_or_refuse(self, turn_context: TurnContext, action: str) -> Actor | None:
        actor = _actor(turn_context)
        if actor is None:
            text = await self._refusal(turn_context, action)
            await turn_context.send_activity(MessageFactory.text(text))
        return actor

    async def _refusal(self, turn_context: TurnContext, action: str) -> str:
        user = turn_context.activity.from_property
        notice = await self._service.refuse_unidentified(
            Platform.TEAMS, user.id if user else "", action
        )
        return notice.text

    async def _identify(self, turn_context: TurnContext) -> Actor | None:
        user = turn_context.activity.from_property
        if user is None or not user.id or turn_context.activity.channel_data is None:
            return None  # Teams always sends channelData; TeamsInfo cannot work without it

        async def lookup() -> str | None:
            try:
                member = await TeamsInfo.get_member(turn_context, user.id)
            except (HttpOperationError, ClientRequestError) as error:
                log.warning("Teams get_member failed: %s", type(error).__name__)
                return None
            email = member.email or member.user_principal_name
            return email if isinstance(email, str) and "@" in email else None

        return await self._service.identify(Platform.TEAMS, str(user.id), lookup)

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


def _text_of(outcome: Outcome) -> str:
    if isinstance(outcome, Accepted):
        return outcome.notice.text
    if isinstance(outcome, Notice):
        return outcome.text
    if isinstance(outcome, CardList):
        return outcome.title
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


def _outcome_body(outcome: Outcome) -> Json:
    """Accepted forms turn into their notice card; other notices show as a message, and the
    card itself is updated for everyone by the outbox, re-rendered from the database."""
    if isinstance(outcome, Accepted):
        return _card_body(cards.notice_card(outcome.notice))
    if isinstance(outcome, CardList):
        return _card_body(cards.card_list(outcome))
    return _message(_text_of(outcome))
