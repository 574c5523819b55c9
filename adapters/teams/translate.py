"""Bot Framework activity payloads in, neutral values out: the only place that reads them.

A submitted form carries an envelope (which form, its context, how it was opened, which inputs
are lists) next to the inputs Teams merges into the action data. Nothing in it is trusted: the
flows re-validate every value and re-check the person.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flows.ports import FormValues
from flows.ui import ActionCommand

FORM_KEY = "hmis_form"  # the envelope's key in Action.Execute / Action.Submit data
COMMAND_KEY = "command"  # a button's encoded ActionCommand in its action data
FORM_VERB = "form.submit"  # Action.Execute verb of every form's submit button
OPENED_BY_COMMAND = "command"  # an opener that starts with it: the form a typed command opened
OPENER_KEY = "hmis_opener"  # a dialog launcher's opener in its task/fetch data
_MENTION = re.compile(r"<at>.*?</at>", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class FormEnvelope:
    """What a form's submit button sends back besides the inputs.

    ``opener`` re-opens the same form to show field errors next to the values: either the
    typed command (``opened_by``) or the encoded button command that opened it (e.g. Deny).
    """

    form_id: str
    context: str
    opener: str
    lists: tuple[str, ...] = ()

    def to_data(self) -> dict[str, Any]:
        return {
            FORM_KEY: {
                "id": self.form_id,
                "context": self.context,
                "opener": self.opener,
                "lists": list(self.lists),
            }
        }


def command_words(text: str | None) -> list[str]:
    """A typed command without the bot's @mention, lower-cased and split into words."""
    return _MENTION.sub(" ", text or "").strip().lower().split()


def opened_by(words: list[str]) -> str:
    """The opener of a form a typed command opened: ``command deactivate``."""
    return " ".join([OPENED_BY_COMMAND, *words])


def typed_words(opener: str) -> list[str] | None:
    """The command words of an opener made by ``opened_by``; None for a button's opener."""
    first, *words = opener.split() or [""]
    return words if first == OPENED_BY_COMMAND else None


def dialog_opener(data: object) -> str:
    """What a dialog launcher's task/fetch asks to open (the plain command when unsaid)."""
    value = data.get(OPENER_KEY) if isinstance(data, dict) else None
    return value if isinstance(value, str) and value else OPENED_BY_COMMAND


def envelope(data: object) -> FormEnvelope | None:
    raw = data.get(FORM_KEY) if isinstance(data, dict) else None
    if not isinstance(raw, dict):
        return None
    form_id, context, opener = raw.get("id"), raw.get("context", ""), raw.get("opener", "")
    lists = raw.get("lists", [])
    if not (isinstance(form_id, str) and isinstance(context, str) and isinstance(opener, str)):
        return None
    names = tuple(n for n in lists if isinstance(n, str)) if isinstance(lists, list) else ()
    return FormEnvelope(form_id, context, opener, names)


def form_values(data: dict[str, Any], lists: tuple[str, ...]) -> FormValues:
    """The inputs of a submitted card: Teams joins a multi-select's choices with commas."""
    values: dict[str, str | list[str] | None] = {}
    for key, value in data.items():
        if key in (FORM_KEY, "msteams") or not isinstance(value, str):
            continue
        values[key] = [v for v in value.split(",") if v] if key in lists else value
    return values


def action_command(data: object) -> ActionCommand | None:
    value = data.get(COMMAND_KEY) if isinstance(data, dict) else None
    return ActionCommand.decode(value) if isinstance(value, str) else None


def channel_id(conversation_id: str) -> str:
    """A channel's id from a conversation id, which names the thread after ``;messageid=``."""
    return conversation_id.split(";", 1)[0]
