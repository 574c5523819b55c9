"""``POST /slack/events`` under fuzzing: whatever the body, headers and content type, a request
that is not correctly signed within five minutes gets 401 and reaches nothing, a signed one
that Slack could not have sent gets 400, and nothing ever answers 5xx.

Drawing an example costs far more than a request, so each example of the first property sends
its body once per way of being unsigned (eight requests an example)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fuzz.slack_bed import NOW, SECRET, signed_headers, slack_bed, slack_signature
from tests.fuzz.strategies import bodies, content_types, extra_headers

UNSIGNED_EXAMPLES = 2_500  # x 8 requests
SIGNED_EXAMPLES = 3_000

TIMESTAMP, SIGNATURE = "X-Slack-Request-Timestamp", "X-Slack-Signature"


def _in_digits(zero: int, number: str = "1800000000") -> str:
    """The number in another script's digits (which Python's ``int()`` reads)."""
    return "".join(chr(zero + int(digit)) for digit in number)


ODD_TIMESTAMPS = (
    "abc", "1e9", "", " ", "-1", "+1800000000", "1800000000.0", " 1800000000", "1800000000\n",
    "0x6b49d200", "1_800_000_000", _in_digits(0x0660), _in_digits(0xFF10), "9" * 5000,
    "-" + "9" * 20, "18000000000000000000000", "NaN", "inf", "None",
)  # fmt: skip
"""Timestamps Slack never sends: not numbers, numbers Python's ``int()`` reads but Slack does
not write, or too large; ``int()`` raised on some of them inside slack_sdk (HTTP 500)."""

fresh = st.integers(min_value=NOW - 300, max_value=NOW + 300)
any_timestamp = st.one_of(
    st.sampled_from(ODD_TIMESTAMPS), st.text(max_size=14), st.integers().map(str), fresh.map(str)
)
hex_like = st.text("0123456789abcdefABCDEF", min_size=60, max_size=68).map("v0=".__add__)


@dataclass(frozen=True)
class Unsigned:
    """One body with its headers, and the ingredients of every way to fail to sign it."""

    body: bytes
    headers: dict[str, str]
    timestamp: str  # fresh
    garbage_timestamp: str
    garbage_signature: str
    other_secret: str
    tail: bytes  # signed after the body: the signature of another body
    age: int  # more than five minutes
    odd_timestamp: str

    def attempts(self) -> dict[str, dict[str, str]]:
        ts, body = self.timestamp, self.body
        stale_past, stale_future = str(NOW - self.age), str(NOW + self.age)

        def signed(
            timestamp: str, secret: str = SECRET, signed_body: bytes = body
        ) -> dict[str, str]:
            signature = slack_signature(secret, timestamp, signed_body)
            return self.headers | {TIMESTAMP: timestamp, SIGNATURE: signature}

        return {
            "no signature": self.headers,
            "timestamp only": self.headers | {TIMESTAMP: self.garbage_timestamp},
            "garbage": self.headers
            | {TIMESTAMP: self.garbage_timestamp, SIGNATURE: self.garbage_signature},
            "another secret": signed(ts, secret=self.other_secret),
            "another body": signed(ts, signed_body=body + self.tail),
            "stale": signed(stale_past),
            "from the future": signed(stale_future),
            "odd timestamp": signed(self.odd_timestamp),
        }


unsigned_requests = st.builds(
    Unsigned,
    body=bodies,
    headers=st.builds(lambda extra, ct: extra | {"Content-Type": ct}, extra_headers, content_types),
    timestamp=fresh.map(str),
    garbage_timestamp=any_timestamp,
    garbage_signature=st.text(max_size=80) | hex_like,
    # not SECRET + "\0": HMAC pads short keys with zeros, so that would be the same key
    other_secret=st.text().map("other-".__add__),
    tail=st.binary(min_size=1, max_size=40),
    age=st.integers(min_value=301, max_value=10**11),
    odd_timestamp=st.sampled_from(ODD_TIMESTAMPS),
)


@settings(max_examples=UNSIGNED_EXAMPLES)
@given(unsigned_requests)
async def test_requests_not_signed_now_are_401_and_reach_nothing(request: Unsigned) -> None:
    bed = slack_bed()
    for name, headers in request.attempts().items():
        assert (await bed.post(request.body, headers), name) == (401, name)
        assert not bed.recorded, name


def _slack_could_send(body: bytes) -> bool:
    """UTF-8 that is a JSON object, or a form (whose ``payload``, if any, is one)."""
    try:
        text = body.decode()
    except UnicodeDecodeError:
        return False
    if text.startswith("{"):
        try:
            return isinstance(json.loads(text), dict)
        except (ValueError, RecursionError):
            return False
    return True


@settings(max_examples=SIGNED_EXAMPLES)
@given(bodies, content_types, fresh, extra_headers)
async def test_signed_requests_never_answer_5xx(
    body: bytes, content_type: str, timestamp: int, headers: dict[str, str]
) -> None:
    bed = slack_bed()
    headers = headers | signed_headers(body, timestamp) | {"Content-Type": content_type}
    status = await bed.post(body, headers)
    assert status < 500
    if status == 400 or not _slack_could_send(body):
        assert (status, bool(bed.recorded)) == (400, False)


@pytest.mark.parametrize("timestamp", ODD_TIMESTAMPS)
async def test_timestamps_that_are_not_plain_numbers_are_401(timestamp: str) -> None:
    bed = slack_bed()
    body = b"command=%2Fhmis-access&user_id=U1"
    headers = {TIMESTAMP: timestamp, SIGNATURE: slack_signature(SECRET, timestamp, body)}
    assert await bed.post(body, headers) == 401
    assert not bed.recorded


COMMAND_BODY = urlencode({"command": "/hmis-access", "text": "", "user_id": "U1"}).encode()


@pytest.mark.parametrize(
    ("age", "status"),
    [(299, 200), (300, 200), (301, 401), (-299, 200), (-300, 200), (-301, 401)],
)
async def test_a_signature_is_good_for_five_minutes_either_way(age: int, status: int) -> None:
    """Slack: refuse a timestamp more than five minutes from local time (replays, and clocks
    set ahead); negative ages are timestamps from the future."""
    bed = slack_bed()
    assert await bed.post(COMMAND_BODY, signed_headers(COMMAND_BODY, NOW - age)) == status
    assert bed.recorded.listeners == (["command"] if status == 200 else [])


@pytest.mark.parametrize(
    "body",
    [
        b"{" * 100_000,
        ("[" * 100_000 + "]" * 100_000).encode(),
        urlencode({"payload": "[" * 50_000 + "]" * 50_000}).encode(),
        b'{"user": {"id": ' * 60 + b"1" + b"}}" * 60,
        b"\xff\xfe{}",
    ],
    ids=["open-braces", "deep-array", "deep-payload", "deep-object", "not-utf8"],
)
async def test_signed_bodies_that_break_parsers_are_400(body: bytes) -> None:
    bed = slack_bed()
    headers = signed_headers(body, NOW) | {"Content-Type": "application/json"}
    assert await bed.post(body, headers) == 400
    assert not bed.recorded
