"""Neutral forms, cards and lists rendered as Block Kit with slack_sdk's typed builders."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    CheckboxesElement,
    ContextBlock,
    DatePickerElement,
    DividerBlock,
    EmailInputElement,
    HeaderBlock,
    InputBlock,
    InputInteractiveElement,
    MarkdownTextObject,
    Option,
    OptionGroup,
    PlainTextInputElement,
    PlainTextObject,
    RadioButtonsElement,
    SectionBlock,
    StaticMultiSelectElement,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from adapters.slack import limits
from adapters.slack.limits import clip, escape
from flows import ui


def card_blocks(card: ui.Card) -> list[Block]:
    blocks: list[Block] = [HeaderBlock(text=clip(card.title, limits.HEADER_TEXT))]
    if card.text:
        blocks.append(
            SectionBlock(text=MarkdownTextObject(text=clip(escape(card.text), limits.SECTION_TEXT)))
        )
    facts = [
        MarkdownTextObject(text=clip(f"*{escape(f.label)}*\n{escape(f.value)}", limits.FIELD_TEXT))
        for f in card.facts
    ]
    for start in range(0, len(facts), limits.FIELDS_PER_SECTION):
        blocks.append(SectionBlock(fields=facts[start : start + limits.FIELDS_PER_SECTION]))
    if card.links:
        lines = "\n".join(f"• <{url}|{escape(name)}>" for name, url in card.links)
        blocks.append(SectionBlock(text=MarkdownTextObject(text=clip(lines, limits.SECTION_TEXT))))
    if card.buttons:
        blocks.append(ActionsBlock(elements=[_button(b) for b in card.buttons]))
    if card.footer:
        blocks.append(
            ContextBlock(
                elements=[MarkdownTextObject(text=clip(escape(card.footer), limits.CONTEXT_TEXT))]
            )
        )
    return blocks


def card_message(card: ui.Card) -> dict[str, Any]:
    """``text`` + ``blocks`` for chat.postMessage / chat.update; text is the fallback."""
    return {
        "text": clip(card.summary, limits.FALLBACK_TEXT),
        "blocks": [b.to_dict() for b in card_blocks(card)],
    }


def notice_message(notice: ui.Notice) -> dict[str, Any]:
    return {"text": clip(notice.text, limits.FALLBACK_TEXT)}


def card_list_blocks(cards: ui.CardList, max_blocks: int) -> list[Block]:
    blocks: list[Block] = [HeaderBlock(text=clip(cards.title, limits.HEADER_TEXT))]
    if not cards.cards:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=escape(cards.empty_text))))
    for shown, card in enumerate(cards.cards):
        rendered = [DividerBlock(), *card_blocks(card)]
        if len(blocks) + len(rendered) > max_blocks - 1:
            more = len(cards.cards) - shown
            blocks.append(
                ContextBlock(elements=[MarkdownTextObject(text=f"…and {more} more not shown.")])
            )
            break
        blocks.extend(rendered)
    return blocks


def card_lists_message(lists: tuple[ui.CardList, ...]) -> dict[str, Any]:
    """Several lists in one message, each cut to what still fits in Slack's block limit."""
    blocks: list[Block] = []
    for cards in lists:
        room = limits.MESSAGE_BLOCKS - len(blocks)
        if room < limits.LIST_MINIMUM_BLOCKS:
            break
        blocks.extend(card_list_blocks(cards, room))
    title = lists[0].title if lists else ""
    return {"text": title, "blocks": [b.to_dict() for b in blocks]}


def home_view(lists: list[ui.CardList]) -> dict[str, Any]:
    blocks: list[Block] = []
    for cards in lists:
        room = limits.VIEW_BLOCKS - len(blocks)
        if room < limits.LIST_MINIMUM_BLOCKS:
            break
        blocks.extend(card_list_blocks(cards, room))
    return View(type="home", blocks=blocks).to_dict()


def modal(form: ui.Form) -> dict[str, Any]:
    """The form as a modal view, a fresh dict each time. A form depends only on the community
    and the person filing, so the same one is asked for again and again: it is built with
    slack_sdk's validating Block Kit classes (milliseconds) once, then kept as JSON text."""
    return dict(json.loads(_modal_json(form)))


@lru_cache(maxsize=512)
def _modal_json(form: ui.Form) -> str:
    return json.dumps(_modal(form))


def _modal(form: ui.Form) -> dict[str, Any]:
    blocks: list[Block] = []
    for item in form.items:
        if isinstance(item, ui.Section):
            text = f"*{escape(item.title)}*" + (f"\n{escape(item.text)}" if item.text else "")
            blocks.append(SectionBlock(text=MarkdownTextObject(text=text)))
        else:
            element = _input_element(item)
            if element is not None:
                blocks.append(
                    InputBlock(
                        block_id=item.id,
                        label=clip(item.label, limits.LABEL_TEXT),
                        element=element,
                        optional=not item.required,
                        hint=clip(item.hint, limits.HINT_TEXT) if item.hint else None,
                    )
                )
    return View(
        type="modal",
        callback_id=form.id,
        private_metadata=form.context,
        title=clip(form.title, limits.MODAL_TITLE),
        submit=clip(form.submit_label, limits.MODAL_TITLE),
        close="Cancel",
        blocks=blocks[: limits.VIEW_BLOCKS],
    ).to_dict()


def message_modal(title: str, text: str) -> dict[str, Any]:
    """A modal that only tells something, used to answer a submission in place."""
    return View(
        type="modal",
        title=clip(title, limits.MODAL_TITLE),
        close="Close",
        blocks=[
            SectionBlock(text=MarkdownTextObject(text=clip(escape(text), limits.SECTION_TEXT)))
        ],
    ).to_dict()


def _input_element(item: ui.FormField) -> InputInteractiveElement | None:
    kind = ui.FieldKind
    if item.kind in (kind.TEXT, kind.LONG_TEXT):
        return PlainTextInputElement(
            action_id=item.id,
            multiline=item.kind is kind.LONG_TEXT,
            max_length=1000 if item.kind is kind.LONG_TEXT else 200,
        )
    if item.kind is kind.EMAIL:
        return EmailInputElement(action_id=item.id, initial_value=item.initial)
    if item.kind is kind.DATE:
        return DatePickerElement(action_id=item.id, initial_date=item.initial)
    if item.kind is kind.ATTESTATION:
        return CheckboxesElement(action_id=item.id, options=_options(item.options, True))
    if item.kind is kind.MULTI_SELECT:
        if not item.all_options():
            return None
        return StaticMultiSelectElement(
            action_id=item.id,
            placeholder="Choose agencies",
            options=_options(item.options) if item.options else None,
            option_groups=[
                OptionGroup(label=clip(g.label, limits.OPTION_TEXT), options=_options(g.options))
                for g in item.groups
            ]
            or None,
        )
    described = any(o.description for o in item.options)
    if (item.kind is kind.YES_NO or described) and len(item.options) <= limits.OPTIONS_PER_RADIO:
        radios = _options(item.options, True)
        chosen = next((o for o in radios if o.value == item.initial), None)
        return RadioButtonsElement(action_id=item.id, options=radios, initial_option=chosen)
    options = _options(item.options[: limits.OPTIONS_PER_SELECT])
    initial = next((o for o in options if o.value == item.initial), None)
    return StaticSelectElement(
        action_id=item.id, placeholder="Choose…", options=options, initial_option=initial
    )


def _options(options: tuple[ui.Option, ...], describe: bool = False) -> list[Option]:
    return [
        Option(
            value=o.value,
            text=PlainTextObject(text=clip(o.label, limits.OPTION_TEXT)),
            description=PlainTextObject(text=clip(o.description, limits.OPTION_TEXT))
            if describe and o.description
            else None,
        )
        for o in options
    ]


def _button(button: ui.Button) -> ButtonElement:
    command = button.command
    style = None if button.style is ui.ButtonStyle.DEFAULT else button.style.value
    return ButtonElement(
        text=clip(button.label, limits.BUTTON_TEXT),
        action_id=f"{command.flow}.{command.verb}",
        value=command.encode()[: limits.BUTTON_VALUE],
        style=style,
    )
