"""Hypothesis strategies for what an attacker, a broken proxy or a confused client may send.

Drawing is most of a fuzz case's cost, so structured bodies are made by breaking one field of
a real payload (cheap, and close to what a buggy sender does) besides a few random shapes.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

from hypothesis import strategies as st

Json = dict[str, Any]
Path = tuple[str | int, ...]

SLACK_WORDS = (
    "block_actions", "view_submission", "event_callback", "url_verification",
    "app_home_opened", "/hmis-access", "home", "new_user.approve", "new_user approve 1 1",
    "U1", "T1", "",
)  # fmt: skip
CONTENT_TYPES = (
    "application/x-www-form-urlencoded",
    "application/json",
    "application/json; charset=utf-8",
    "application/x-www-form-urlencoded; charset=latin-1",
    "text/plain; charset=does-not-exist",
    "multipart/form-data; boundary=x",
    "",
)

_USER = {"id": "U1", "username": "ada", "team_id": "T1"}
SLACK_PAYLOADS: tuple[Json, ...] = (
    {
        "type": "block_actions",
        "team": {"id": "T1", "domain": "test"},
        "user": _USER,
        "api_app_id": "A1",
        "trigger_id": "1.2.3",
        "container": {"type": "message", "message_ts": "1.1", "channel_id": "C1"},
        "channel": {"id": "C1", "name": "admins"},
        "message": {"ts": "1.1", "text": "card", "blocks": []},
        "response_url": "https://hooks.slack.com/actions/x",
        "actions": [
            {
                "type": "button",
                "action_id": "new_user.approve",
                "block_id": "actions",
                "text": {"type": "plain_text", "text": "Approve"},
                "value": "new_user approve 1 3",
            }
        ],
    },
    {
        "type": "view_submission",
        "team": {"id": "T1"},
        "user": _USER,
        "view": {
            "id": "V1",
            "type": "modal",
            "callback_id": "new_user_request",
            "private_metadata": "",
            "state": {
                "values": {"trainee_email": {"v": {"type": "email_text_input", "value": "a@b.org"}}}
            },
        },
    },
    {
        "type": "event_callback",
        "team_id": "T1",
        "api_app_id": "A1",
        "event": {"type": "app_home_opened", "user": "U1", "tab": "home", "channel": "D1"},
        "authorizations": [{"team_id": "T1", "user_id": "UBOT", "is_bot": True}],
        "event_id": "Ev1",
    },
    {"type": "url_verification", "token": "t", "challenge": "c"},
)
SLACK_FORMS: tuple[dict[str, str], ...] = (
    {"command": "/hmis-access", "text": "", "user_id": "U1", "team_id": "T1"},
    {"ssl_check": "1", "token": "t"},
)

scalars = (
    st.none() | st.booleans() | st.integers() | st.text(max_size=8) | st.sampled_from(SLACK_WORDS)
)
json_values = st.one_of(
    scalars,
    st.lists(scalars, max_size=2),
    st.dictionaries(st.sampled_from(("id", "type", "user", "value")), scalars, max_size=2),
    st.lists(st.dictionaries(st.sampled_from(("id", "type")), scalars, max_size=2), max_size=2),
)  # one level deep: the broken payloads supply the depth


def _paths(value: object, path: Path = ()) -> Iterator[Path]:
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*path, index))


def _replaced(value: Any, path: Path, new: object) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    copy = dict(value) if isinstance(value, dict) else list(value)
    copy[head] = _replaced(copy[head], rest, new)  # type: ignore[index]
    return copy


@st.composite
def broken_payloads(draw: st.DrawFn) -> Json:
    """A real Slack payload with one field (at any depth) replaced by something else."""
    payload = draw(st.sampled_from(SLACK_PAYLOADS))
    path = draw(st.sampled_from(list(_paths(payload))[1:]))
    return _replaced(payload, path, draw(json_values))  # type: ignore[no-any-return]


def _as_form(payload: Json) -> str:
    return urlencode({"payload": json.dumps(payload)})


def _form_with(form: dict[str, str], extra: tuple[str, object]) -> str:
    key, value = extra
    return urlencode({**form, key: value if isinstance(value, str) else json.dumps(value)})


structured_bodies = st.one_of(
    broken_payloads().map(json.dumps),
    broken_payloads().map(_as_form),
    st.sampled_from(SLACK_PAYLOADS).map(_as_form),
    st.builds(_form_with, st.sampled_from(SLACK_FORMS), st.tuples(st.text(max_size=8), scalars)),
    json_values.map(json.dumps),
    json_values.map(lambda v: urlencode({"payload": json.dumps(v)})),
)
bodies = st.one_of(
    structured_bodies.map(str.encode),
    st.text(max_size=60).map(str.encode),
    st.binary(max_size=60),
    st.sampled_from((b"", b"{", b"[]", b"null", b"payload=", b"payload=%7B", b"ssl_check=1")),
)
content_types = st.sampled_from(CONTENT_TYPES) | st.text(max_size=20)
extra_headers = st.dictionaries(
    st.sampled_from(("X-Forwarded-For", "Accept", "X-Slack-Retry-Num", "Origin")),
    st.text(max_size=12),
    max_size=2,
)
