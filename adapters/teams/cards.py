"""Neutral forms, cards and lists rendered as Adaptive Cards (plain JSON-ready dicts).

Buttons are ``Action.Execute`` (Universal Actions) carrying the neutral command; forms keep
what was typed and show server-side errors under each field. Pure: no botbuilder types here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any

from adapters.teams import limits
from adapters.teams.limits import clip
from adapters.teams.translate import COMMAND_KEY, FORM_VERB, OPENER_KEY, FormEnvelope
from flows import ui
from flows.ports import FormValues

CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
REQUIRED_MESSAGE = "Please fill this in."
_STYLES = {ui.ButtonStyle.PRIMARY: "positive", ui.ButtonStyle.DANGER: "destructive"}

Json = dict[str, Any]


class Submit(StrEnum):
    """How a form is sent back: a card in chat (Action.Execute) or a dialog (Action.Submit)."""

    EXECUTE = "Action.Execute"
    DIALOG = "Action.Submit"


def adaptive_card(body: list[Json], actions: list[Json], fallback: str) -> Json:
    card: Json = {
        "type": "AdaptiveCard",
        "$schema": SCHEMA,
        "version": limits.CARD_VERSION,
        "fallbackText": clip(fallback, limits.SUMMARY_TEXT),
        "body": body,
    }
    if actions:
        card["actions"] = actions
    return card


def attachment(content: Json) -> Json:
    return {"contentType": CONTENT_TYPE, "content": content}


def card(neutral: ui.Card) -> Json:
    actions = [_button(b) for b in neutral.buttons]
    return adaptive_card(_card_body(neutral), actions, neutral.summary)


def notice_card(notice: ui.Notice) -> Json:
    return adaptive_card([_text(notice.text)], [], notice.text)


def card_list(cards: ui.CardList) -> Json:
    return card_lists((cards,))


def card_lists(lists: Sequence[ui.CardList]) -> Json:
    """Titled lists in one card; each card's buttons sit with it. Cards that would take the
    message past Teams' size limit are counted, not shown."""
    body: list[Json] = []
    budget = limits.LIST_BYTES
    for cards in lists:
        body.append(_title(cards.title))
        if not cards.cards:
            body.append(_text(cards.empty_text))
        for shown, item in enumerate(cards.cards):
            container = _list_item(item)
            budget -= len(json.dumps(container))
            if shown >= limits.CARDS_PER_LIST or budget < 0:
                body.append(_subtle(f"…and {len(cards.cards) - shown} more not shown."))
                break
            body.append(container)
    return adaptive_card(body, [], lists[0].title if lists else "")


def _list_item(item: ui.Card) -> Json:
    items = _card_body(item)
    if item.buttons:
        items.append({"type": "ActionSet", "actions": [_button(b) for b in item.buttons]})
    return {"type": "Container", "separator": True, "spacing": "Large", "items": items}


def form(
    neutral: ui.Form,
    submit: Submit,
    opener: str,
    values: FormValues | None = None,
    errors: Mapping[str, str] | None = None,
) -> Json:
    """The form as a card; ``values`` and ``errors`` re-show a refused submission."""
    values, errors = values or {}, errors or {}
    body: list[Json] = [_title(neutral.title)]
    if errors:
        body.append(_attention("Please correct the fields marked below."))
    for item in neutral.items:
        if isinstance(item, ui.Section):
            body.append(_title(item.title, size="Medium"))
            if item.text:
                body.append(_text(item.text))
        else:
            body.extend(_field(item, values.get(item.id), errors.get(item.id)))
    lists = tuple(
        f.id
        for f in neutral.fields()
        if f.kind in (ui.FieldKind.MULTI_SELECT, ui.FieldKind.ATTESTATION)
    )
    data = FormEnvelope(neutral.id, neutral.context, opener, lists).to_data()
    action: Json = {"type": submit.value, "title": neutral.submit_label, "data": data}
    if submit is Submit.EXECUTE:
        action["verb"] = FORM_VERB
    return adaptive_card(body, [action], neutral.title)


def dialog_launcher(neutral: ui.Form, opener: str) -> Json:
    """In channels the form opens in a dialog, seen only by the person filling it in;
    ``opener`` tells the dialog which form to fetch."""
    fetch: Json = {
        "type": "Action.Submit",
        "title": f"Open the {neutral.title.lower()} form",
        "data": {"msteams": {"type": "task/fetch"}, OPENER_KEY: opener},
    }
    text = "Fill in the form in a dialog only you can see."
    return adaptive_card([_title(neutral.title), _text(text)], [fetch], neutral.title)


def _card_body(neutral: ui.Card) -> list[Json]:
    body: list[Json] = [_title(neutral.title)]
    if neutral.text:
        body.append(_text(neutral.text))
    if neutral.facts:
        body.append(
            {
                "type": "FactSet",
                "facts": [{"title": f.label, "value": f.value} for f in neutral.facts],
            }
        )
    if neutral.links:
        body.append(_text("\n".join(f"- [{name}]({url})" for name, url in neutral.links)))
    if neutral.footer:
        body.append(_subtle(neutral.footer))
    return body


def _field(item: ui.FormField, value: str | list[str] | None, error: str | None) -> list[Json]:
    element = _input(item)
    element |= {"id": item.id, "label": item.label, "isRequired": item.required}
    if item.required:
        element["errorMessage"] = REQUIRED_MESSAGE
    shown = ",".join(value) if isinstance(value, list) else value or item.initial
    if shown:
        element["value"] = shown
    parts = [element]
    if item.hint:
        parts.append(_subtle(item.hint) | {"spacing": "None"})
    if error:
        parts.append(_attention(error) | {"spacing": "None"})
    return parts


def _input(item: ui.FormField) -> Json:
    kind = ui.FieldKind
    if item.kind in (kind.TEXT, kind.EMAIL):
        text: Json = {"type": "Input.Text", "maxLength": limits.TEXT_INPUT}
        return text | ({"style": "Email"} if item.kind is kind.EMAIL else {})
    if item.kind is kind.LONG_TEXT:
        return {"type": "Input.Text", "isMultiline": True, "maxLength": limits.LONG_TEXT_INPUT}
    if item.kind is kind.DATE:
        return {"type": "Input.Date"}
    choices = [{"title": o.label, "value": o.value} for o in item.options] + [
        {"title": f"{g.label}: {o.label}", "value": o.value} for g in item.groups for o in g.options
    ]
    expanded = item.kind in (kind.YES_NO, kind.ATTESTATION)
    return {
        "type": "Input.ChoiceSet",
        "choices": choices,
        "style": "expanded" if expanded else "compact",
        "isMultiSelect": item.kind in (kind.MULTI_SELECT, kind.ATTESTATION),
    }


def _button(button: ui.Button) -> Json:
    command = button.command
    action: Json = {
        "type": "Action.Execute",
        "title": button.label,
        "verb": f"{command.flow}.{command.verb}",
        "data": {COMMAND_KEY: command.encode()},
    }
    style = _STYLES.get(button.style)
    return action | ({"style": style} if style else {})


def _title(text: str, size: str = "Large") -> Json:
    return {"type": "TextBlock", "text": text, "weight": "Bolder", "size": size, "wrap": True}


def _text(text: str) -> Json:
    """Markdown in Teams joins single line breaks; a blank line keeps each line its own."""
    return {"type": "TextBlock", "text": text.replace("\n", "\n\n"), "wrap": True}


def _subtle(text: str) -> Json:
    return {"type": "TextBlock", "text": text, "wrap": True, "isSubtle": True, "size": "Small"}


def _attention(text: str) -> Json:
    return {"type": "TextBlock", "text": text, "wrap": True, "color": "Attention"}
