"""The shape of a Slack request body, checked before Bolt or a listener reads it.

Bolt builds its context from the body with plain indexing (``team.get("id")``,
``payload["authorizations"][0]``) and the listeners read a few fields before they
acknowledge, so a correctly signed body of the wrong shape would make them raise, which Bolt
answers with HTTP 500. Slack never sends such a body: it is malformed, refused with 400.
Only the fields that are read are checked, and only their types; everything else passes.
"""

from __future__ import annotations

from typing import Any

from slack_bolt.request.internals import parse_body

_IDENTIFIED = frozenset({"enterprise", "team", "user", "channel"})
"""An id, or an object that has one: ``"U1"`` or ``{"id": "U1", ...}``."""
_NULLABLE = frozenset({"enterprise", "team"})  # null in org-wide installs' payloads
_OBJECTS = frozenset(
    {"event", "message", "previous_message", "item", "assistant_thread", "function_data", "view"}
    | {"container", "state", "workflow_step", "inputs"}
)
_LISTS_OF_OBJECTS = frozenset({"authorizations", "actions", "response_urls", "selected_options"})
_NON_EMPTY = frozenset({"actions"})  # Bolt reads actions[0]; Slack always sends one
_ITEM_KEYS = {"actions": "action_id"}  # Bolt's matchers index each action by its id
_INPUTS = "values"  # a view's state: {block id: {action id: element state}}
_INTERACTIVE = frozenset(
    {"block_actions", "view_submission", "view_closed", "shortcut", "message_action"}
    | {"block_suggestion"}
)
"""Payload types whose ``user`` is an object; listeners read its ``id`` before acknowledging."""
_STRINGS = frozenset(
    {"type", "subtype", "id", "callback_id", "private_metadata", "trigger_id", "response_url"}
    | {"user_id", "team_id", "channel_id", "action_id", "tab"}
)
_TOP_STRINGS = _STRINGS | {"command", "text"}  # a slash command's; nested "text" may be an object
MAX_DEPTH = 64  # Slack nests a few levels; a deeper body is an attack on the parser


def payload(body: str, content_type: str | None) -> dict[str, Any] | None:
    """The body as Bolt will parse it, or None when Slack could not have sent it."""
    try:
        parsed = parse_body(body, content_type)
    except (ValueError, RecursionError):  # not JSON, or nested past the parser's stack
        return None
    return parsed if well_formed(parsed) else None


def well_formed(parsed: object) -> bool:
    """Whether a parsed body (or a Socket Mode envelope's payload) is one Slack sends."""
    if not isinstance(parsed, dict) or not _well_formed(parsed, 0):
        return False
    return parsed.get("type") not in _INTERACTIVE or isinstance(parsed.get("user", {}), dict)


def _well_formed(value: object, depth: int) -> bool:
    if not isinstance(value, dict) or depth > MAX_DEPTH:
        return False
    strings = _TOP_STRINGS if depth == 0 else _STRINGS
    return all(_field_ok(key, item, depth + 1, strings) for key, item in value.items())


def _field_ok(key: str, value: object, depth: int, strings: frozenset[str]) -> bool:
    if value is None:
        return key in _NULLABLE or key not in strings | _IDENTIFIED | _OBJECTS | _LISTS_OF_OBJECTS
    if key in strings:
        return isinstance(value, str)
    if key in _IDENTIFIED:
        return isinstance(value, str) or _well_formed(value, depth)
    if key in _OBJECTS:
        return _well_formed(value, depth)
    if key in _LISTS_OF_OBJECTS:
        if not isinstance(value, list) or (key in _NON_EMPTY and not value):
            return False
        required = _ITEM_KEYS.get(key)
        return all(
            _well_formed(item, depth) and (required is None or required in item) for item in value
        )
    if key == _INPUTS:
        return isinstance(value, dict) and all(
            isinstance(block, dict) and all(_well_formed(state, depth) for state in block.values())
            for block in value.values()
        )
    return True
