"""Slack's Web API rate limits kept on the bot's side, so a burst of deliveries waits its turn
instead of provoking HTTP 429s (https://docs.slack.dev/apis/web-api/rate-limits):

- chat.postMessage: one message a second per channel. Posts to one channel go one at a time,
  each starting a second after the previous one (with its retries) finished, so even a post
  that slack_sdk retried after a 429 or a 5xx never lands within a second of another;
- users.lookupByEmail (Tier 3): 50 calls a minute, with a minute's burst (aiolimiter's leaky
  bucket), so a fan-out to many people new to this process never provokes a 429.

chat.update (Tier 3 too) is not paced: updates follow people's clicks, and holding them to 50
a minute would keep cards stale for minutes under a burst of decisions where Slack allows
more ("50+"); a 429 there is waited out by slack_sdk's retry handler.

The limits are kept in this process; with several replicas each paces its own calls, and
slack_sdk's 429 retry handler remains the backstop."""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from aiolimiter import AsyncLimiter

SECONDS_BETWEEN_POSTS = 1.0  # to one channel
LOOKUPS_PER_MINUTE = 50
CHANNELS_KEPT = 10_000  # idle channels beyond this many are forgotten, oldest first


@dataclass
class _Channel:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    last_post_done: float = float("-inf")


class SlackPacing:
    def __init__(
        self,
        seconds_between_posts: float = SECONDS_BETWEEN_POSTS,
        lookups_per_minute: float = LOOKUPS_PER_MINUTE,
    ) -> None:
        self._between_posts = seconds_between_posts
        self._channels: OrderedDict[str, _Channel] = OrderedDict()
        self._lookups = AsyncLimiter(lookups_per_minute, 60)

    @asynccontextmanager
    async def posting(self, channel: str) -> AsyncIterator[None]:
        """Hold the channel for one post (with its retries), a second after the last one."""
        state = self._channel(channel)
        async with state.lock:
            wait = state.last_post_done + self._between_posts - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            try:
                yield
            finally:
                state.last_post_done = time.monotonic()

    async def before_lookup(self) -> None:
        await self._lookups.acquire()

    def _channel(self, channel: str) -> _Channel:
        state = self._channels.pop(channel, None) or _Channel()
        self._channels[channel] = state  # most recently used last
        if len(self._channels) > CHANNELS_KEPT:
            oldest, first = next(iter(self._channels.items()))
            if not first.lock.locked():
                del self._channels[oldest]
        return state
