"""Slack payloads in, neutral values out: the only place that reads Slack's payload shapes."""

from __future__ import annotations

from typing import Any

from flows.ports import FormValues
from flows.ui import ActionCommand


def form_values(view: dict[str, Any]) -> FormValues:
    """``view.state.values`` as ``{field id: text | [choices] | None}``."""
    values: dict[str, str | list[str] | None] = {}
    state = view.get("state", {}).get("values", {})
    if not isinstance(state, dict):
        return values
    for block_id, actions in state.items():
        if isinstance(actions, dict):
            for element in actions.values():
                if isinstance(element, dict):
                    values[block_id] = _element_value(element)
    return values


def _element_value(element: dict[str, Any]) -> str | list[str] | None:
    if "selected_options" in element:
        return [o.get("value", "") for o in element.get("selected_options") or []]
    if "selected_date" in element:
        selected = element.get("selected_date")
        return selected if isinstance(selected, str) else None
    if "selected_option" in element:
        selected = element.get("selected_option") or {}
        return selected.get("value") if isinstance(selected, dict) else None
    value = element.get("value")
    return value if isinstance(value, str) else None


def action_command(action: dict[str, Any]) -> ActionCommand | None:
    value = action.get("value")
    return ActionCommand.decode(value) if isinstance(value, str) else None
