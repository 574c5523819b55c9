"""``POST /api/messages`` under fuzzing: whatever the body and headers, a request without a
valid Bot Framework token gets 401 (or 400 when it is not even an activity) and no turn runs;
without an app id (dev mode) a malformed activity gets 400; nothing ever answers 5xx."""

from __future__ import annotations

import json
import time

import jwt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fuzz.strategies import bodies, content_types, extra_headers, json_values, scalars
from tests.fuzz.teams_bed import APP_ID, teams_bed

UNAUTHENTICATED_EXAMPLES = 2_000  # x 3 requests
DEV_MODE_EXAMPLES = 1_500

ACTIVITY = {
    "type": "message",
    "id": "act-1",
    "timestamp": "2026-11-16T18:00:00Z",
    "serviceUrl": "http://127.0.0.1:9/",
    "channelId": "msteams",
    "from": {"id": "29:lead", "name": "Lead", "aadObjectId": "aad-lead"},
    "recipient": {"id": "28:hmis-bot", "name": "HMIS Access"},
    "conversation": {"id": "a:chat-lead", "conversationType": "personal", "tenantId": "t"},
    "channelData": {"tenant": {"id": "t"}},
    "text": "hmis-access",
}
FIELDS = (*ACTIVITY, "value", "name", "replyToId", "attachments", "entities", "membersAdded")


@st.composite
def broken_activities(draw: st.DrawFn) -> dict[str, object]:
    """A real activity with some fields replaced by, or added as, anything."""
    changes = draw(st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=3))
    kind = draw(st.sampled_from(("message", "invoke", "conversationUpdate", "event")) | scalars)
    return ACTIVITY | {"type": kind} | changes


activity_bodies = st.one_of(bodies, broken_activities().map(lambda a: json.dumps(a).encode()))


def _token(claims: dict[str, object], key: str) -> str:
    return jwt.encode(claims, key, algorithm="HS256")


now = int(time.time())
claims = st.fixed_dictionaries(
    {},
    optional={
        "iss": st.sampled_from(("https://attacker.example.org", "", "api.botframework.com"))
        | st.text(max_size=20),
        "aud": st.sampled_from((APP_ID, "someone-else")) | scalars,
        "exp": st.sampled_from((now + 600, now - 600)) | st.integers(),
        "nbf": st.integers(),
        "serviceurl": st.text(max_size=20),
        "ver": st.sampled_from(("1.0", "2.0")) | scalars,
        "appid": st.sampled_from((APP_ID,)) | scalars,
    },
)
authorizations = st.one_of(
    st.text(max_size=60),
    st.text(max_size=60).map("Bearer ".__add__),
    st.builds(_token, claims, st.text(max_size=20).map(("k" * 32).__add__)).map("Bearer ".__add__),
)


@settings(max_examples=UNAUTHENTICATED_EXAMPLES)
@given(activity_bodies, content_types, extra_headers, authorizations)
async def test_requests_without_a_valid_token_are_refused_and_run_no_turn(
    body: bytes, content_type: str, headers: dict[str, str], authorization: str
) -> None:
    bed = teams_bed(APP_ID)
    headers |= {"Content-Type": content_type}
    for attempt in (headers, headers | {"Authorization": authorization}):
        assert await bed.post(body, attempt) in (400, 401)
        assert bed.bot.turns == []
    assert await bed.post(json.dumps(ACTIVITY).encode(), headers) == 401


@settings(max_examples=DEV_MODE_EXAMPLES)
@given(activity_bodies, content_types, extra_headers)
async def test_dev_mode_never_answers_5xx(
    body: bytes, content_type: str, headers: dict[str, str]
) -> None:
    bed = teams_bed("")
    status = await bed.post(body, headers | {"Content-Type": content_type})
    assert status in (200, 201, 400)
    assert (status == 400) == (bed.bot.turns == [])


@pytest.mark.parametrize(
    "body",
    [b"[" * 100_000, b'{"type": "message", "value": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"],
    ids=["deep-array", "deep-value"],
)
async def test_bodies_that_break_the_json_parser_are_400(body: bytes) -> None:
    bed = teams_bed("")
    assert await bed.post(body, {"Content-Type": "application/json"}) == 400
    assert bed.bot.turns == []
