"""Neutral forms, cards and notices as plain text."""

from __future__ import annotations

import textwrap

from flows import ui

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
