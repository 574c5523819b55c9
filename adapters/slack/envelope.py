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
_LISTS_OF_OBJECTS = frozenset({"authorizations", "actions", "response_urls"})
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
    return parsed if _well_formed(parsed, 0) else None


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
        return isinstance(value, list) and all(_well_formed(item, depth) for item in value)
    return True
