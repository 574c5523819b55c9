"""Neutral forms, cards and notices as plain text."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence

from flows import ui
from flows.ports import CommandHelp

WIDTH = 88


def card_text(card: ui.Card, heading: str) -> str:
    lines = [f"┌─ {heading}", f"│ {card.title}"]
    lines += [f"│ {line}" for line in textwrap.wrap(card.text, WIDTH)] if card.text else []
    lines += [f"│   {fact.label}: {fact.value}" for fact in card.facts]
    lines += [f"│   {name}: {url}" for name, url in card.links]
    if card.buttons:
        lines.append("│ " + "  ".join(f"[{b.label}]" for b in card.buttons))
    if card.footer:
        lines += [f"│ {line}" for line in textwrap.wrap(card.footer, WIDTH)]
    lines.append("└" + "─" * 40)
    return "\n".join(lines)


def form_text(form: ui.Form) -> str:
    lines = [f"== {form.title} =="]
    for item in form.items:
        if isinstance(item, ui.Section):
            lines.append(section_text(item))
            continue
        required = "" if item.required else " (optional)"
        lines.append(f"* {item.label}{required}")
        lines += [f"  {line}" for line in choices_text(item)]
    return "\n".join(lines)


def section_text(section: ui.Section) -> str:
    return "\n".join([f"-- {section.title} --", *textwrap.wrap(section.text, WIDTH)])


def choices_text(field: ui.FormField) -> list[str]:
    """A field's choices, numbered as they may be answered."""
    return [f"  {n}. {o.label}" for n, o in enumerate(field.all_options(), 1)]


def errors_text(fields: Sequence[ui.FormField], errors: Mapping[str, str]) -> str:
    """What came back wrong, by the fields' labels, in the form's order."""
    labels = {f.id: f.label for f in fields}
    ordered = [f.id for f in fields if f.id in errors]
    ordered += [field_id for field_id in errors if field_id not in labels]
    lines = [f"  {labels.get(field_id, field_id)}: {errors[field_id]}" for field_id in ordered]
    return "\n".join(["The form came back with errors:", *lines])


def notice_text(notice: ui.Notice) -> str:
    return f"(only you see this) {notice.text}"


def list_text(cards: ui.CardList) -> str:
    lines = [f"== {cards.title} =="]
    lines += [f"  {c.summary}" for c in cards.cards] or [f"  {cards.empty_text}"]
    return "\n".join(lines)


def buttons_text(buttons: Sequence[tuple[ui.Button, str]]) -> str:
    """Numbered buttons, each with the title of the card it is on."""
    lines = [f"  {n}. [{b.label}] on {title}" for n, (b, title) in enumerate(buttons, 1)]
    return "\n".join(lines) or "  You have no buttons to press now."


def help_text(commands: Sequence[CommandHelp], problem: str = "") -> str:
    """The request commands the registry lists, as typed at this console's prompt."""
    lines = [problem] if problem else []
    lines.append("commands:")
    lines += [f"  {c.word or 'request':<14} {c.text}" for c in commands]
    lines += [
        f"  {'buttons':<14} the buttons on the cards you can see now, numbered",
        f"  {'press N':<14} press button N from `buttons`",
        f"  {'as EMAIL':<14} act as someone else",
        f"  {'cancel':<14} in a form: stop without sending it (Ctrl-C does the same)",
        f"  {'quit':<14} leave",
    ]
    return "\n".join(lines)
