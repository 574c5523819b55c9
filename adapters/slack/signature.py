"""Slack's request signature (``v0``), checked strictly on the raw body.

slack_sdk's ``SignatureVerifier`` raises instead of refusing when the timestamp is not an
integer (``int("abc")``, a 5,000-digit number), when the signature holds non-ASCII characters
(``hmac.compare_digest`` on ``str``) or when the body is not UTF-8, so a forged request could
answer 500. Here every such request is simply not signed.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from collections.abc import Callable

MAX_AGE_SECONDS = 300  # Slack: refuse a timestamp more than five minutes from now, either way
_TIMESTAMP = re.compile(r"[0-9]{1,12}")  # Unix seconds in ASCII digits, as Slack sends them
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")  # hex HMAC-SHA256 of "v0:<timestamp>:<body>"


class SlackSignature:
    def __init__(self, signing_secret: str, clock: Callable[[], float] = time.time) -> None:
        self._secret = signing_secret.encode()
        self._clock = clock

    def sign(self, timestamp: str, body: bytes) -> str:
        base = b"v0:" + timestamp.encode("ascii") + b":" + body
        return "v0=" + hmac.new(self._secret, base, hashlib.sha256).hexdigest()

    def verify(self, body: bytes, timestamp: str | None, signature: str | None) -> bool:
        """True only for a current timestamp and the signature of exactly this body."""
        if timestamp is None or signature is None:
            return False
        if not _TIMESTAMP.fullmatch(timestamp) or not _SIGNATURE.fullmatch(signature):
            return False
        if abs(self._clock() - int(timestamp)) > MAX_AGE_SECONDS:
            return False
        return hmac.compare_digest(self.sign(timestamp, body), signature)
