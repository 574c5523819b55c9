"""Who is behind a platform user id, remembered in this process for as long as the database
would vouch for it, so a person's every request does not start with a database transaction.

Entries expire with the database's own ``resolved_at`` + TTL, so a changed profile e-mail is
picked up no later than it would be without this cache. Used from the event loop only."""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime, timedelta

from chatbot.storage.ledger import Clock
from flows.model import Platform

KEPT = 50_000  # people remembered at most, the least recently seen forgotten first


class RecentIdentities:
    def __init__(self, clock: Clock, ttl: timedelta) -> None:
        self._clock = clock
        self._ttl = ttl
        self._known: OrderedDict[tuple[Platform, str], tuple[str, datetime]] = OrderedDict()

    def get(self, platform: Platform, user_id: str) -> str | None:
        key = (platform, user_id)
        found = self._known.get(key)
        if found is None:
            return None
        email, resolved_at = found
        if resolved_at < self._clock() - self._ttl:
            del self._known[key]
            return None
        self._known.move_to_end(key)
        return email

    def put(self, platform: Platform, user_id: str, email: str, resolved_at: datetime) -> None:
        self._known[(platform, user_id)] = (email, resolved_at)
        self._known.move_to_end((platform, user_id))
        if len(self._known) > KEPT:
            self._known.popitem(last=False)
