"""Slack's Web API rate limits, as the fan-out benchmark's fake enforces them.

Limits apply per method per app per workspace (https://docs.slack.dev/apis/web-api/rate-limits):
Tier 2 allows 20+ calls a minute, Tier 3 50+, Tier 4 100+, each "with bursts". chat.postMessage
is special: "one message per second per channel", short bursts not guaranteed. Each limit is a
token bucket here: a tier holds a minute's worth of calls and refills evenly; a channel holds
one message and refills one a second. A call over the limit gets HTTP 429 with ``Retry-After``
in whole seconds (slack_sdk reads it with ``int()``).

Slack also keeps an undocumented workspace-wide ceiling on chat.postMessage ("several hundred
a minute"); it is not modelled, so the minimum below is a floor a real workspace may raise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Final

PER_MINUTE: Final = {2: 20, 3: 50, 4: 100}
METHOD_TIERS: Final = {
    # https://docs.slack.dev/reference/methods/<method>: "Rate limits" of each.
    "users.lookupByEmail": 3,
    "chat.update": 3,
    "conversations.open": 3,
    "users.info": 4,
    "views.open": 4,
    "views.update": 4,
    "views.publish": 4,
    "auth.test": 4,
    "chat.postEphemeral": 4,
}
POSTS_PER_CHANNEL_PER_SECOND: Final = 1.0
POST_METHOD: Final = "chat.postMessage"


@dataclass
class Bucket:
    """A token bucket: ``capacity`` calls at once, refilled at ``per_second``."""

    capacity: float
    per_second: float
    tokens: float = -1.0
    stamp: float = 0.0

    def take(self, now: float) -> float:
        """Spend a token and return 0, or return the seconds until one is available."""
        if self.tokens < 0:
            self.tokens, self.stamp = self.capacity, now
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.per_second)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.per_second


@dataclass
class RateLimits:
    """Every bucket of one workspace: one per tiered method, one per channel for posts."""

    methods: dict[str, Bucket] = field(default_factory=dict)
    channels: dict[str, Bucket] = field(default_factory=dict)

    def retry_after(self, method: str, channel: str | None, now: float) -> int:
        """0 when the call is allowed, else the whole seconds Slack would ask to wait."""
        bucket = self._bucket(method, channel)
        if bucket is None:
            return 0
        wait = bucket.take(now)
        return 0 if wait == 0 else max(1, math.ceil(wait))

    def _bucket(self, method: str, channel: str | None) -> Bucket | None:
        if method == POST_METHOD:
            key = channel or ""
            if key not in self.channels:
                self.channels[key] = Bucket(1, POSTS_PER_CHANNEL_PER_SECOND)
            return self.channels[key]
        tier = METHOD_TIERS.get(method)
        if tier is None:
            return None
        if method not in self.methods:
            allowed = PER_MINUTE[tier]
            self.methods[method] = Bucket(allowed, allowed / 60)
        return self.methods[method]


def minimum_seconds(posts_per_channel: dict[str, int], people: int) -> float:
    """The least time these posts can take within the limits, from the first call to the last
    post: every channel's posts one a second, in parallel, and each person looked up once
    (users.lookupByEmail, Tier 3) before their first post."""
    pacing = max((count - 1) / POSTS_PER_CHANNEL_PER_SECOND for count in posts_per_channel.values())
    tier = PER_MINUTE[METHOD_TIERS["users.lookupByEmail"]]
    lookups = max(0, people - tier) * 60 / tier
    return max(pacing, lookups)
