"""Neutral forms, cards and notices as plain text."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

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
            lines.append(f"-- {item.title} --")
            lines += textwrap.wrap(item.text, WIDTH) if item.text else []
            continue
        required = "" if item.required else " (optional)"
        lines.append(f"* {item.label}{required}")
        lines += [f"    {o.value}: {o.label}" for o in item.all_options()]
    return "\n".join(lines)


def notice_text(notice: ui.Notice) -> str:
    return f"(only you see this) {notice.text}"


def list_text(cards: ui.CardList) -> str:
    lines = [f"== {cards.title} =="]
    lines += [f"  {c.summary}" for c in cards.cards] or [f"  {cards.empty_text}"]
    return "\n".join(lines)


def help_text(commands: Sequence[CommandHelp], problem: str = "") -> str:
    """The request commands the registry lists, as typed at this console's prompt."""
    lines = [problem] if problem else []
    lines.append("commands:")
    lines += [f"  {c.word or 'request':<14} {c.text}" for c in commands]
    lines += [
        f"  {'buttons':<14} the buttons on cards you can see, numbered",
        f"  {'press N':<14} press button N from `buttons`",
        f"  {'as EMAIL':<14} act as someone else",
        f"  {'quit':<14} leave",
    ]
    return "\n".join(lines)
