"""Replays and retries acted on once: each Slack request or Teams activity is recorded by its
delivery key before it runs, and a key seen before is not run again, on whichever replica.

Keys are kept for ``REPLAY_WINDOW``: Slack refuses a signature more than five minutes from
now either way, so an older key can never be presented again."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from sqlalchemy import delete

from chatbot.storage.database import Database
from chatbot.storage.ledger import Clock
from chatbot.storage.models import InboundDelivery
from chatbot.storage.upsert import insert_unless_present
from chatbot.supervision import FailureLog

log = logging.getLogger(__name__)

REPLAY_WINDOW = timedelta(minutes=15)
PRUNE_EVERY = 200  # deliveries between two deletions of expired keys


class InboundDeliveries:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock
        self._since_pruned = 0
        self._failures = FailureLog(log)

    async def first(self, key: str) -> bool:
        """True the first time ``key`` arrives. When the database cannot say, True: the
        request then meets the same outage in its own work, and every state change is a
        compare-and-set that a replay cannot repeat."""
        try:
            return await asyncio.to_thread(self._record, key)
        # However the database fails here, the request itself decides what the person hears.
        except Exception as error:  # noqa: BLE001
            self._failures.record("replay check", error)
            return True

    def _record(self, key: str) -> bool:
        now = self._clock()
        self._since_pruned += 1
        with self._db.transaction() as session:
            if self._since_pruned >= PRUNE_EVERY:
                self._since_pruned = 0
                session.execute(
                    delete(InboundDelivery).where(InboundDelivery.received_at < now - REPLAY_WINDOW)
                )
            statement = insert_unless_present(session, InboundDelivery).values(
                key=key, received_at=now
            )
            inserted = session.execute(statement.returning(InboundDelivery.key)).first()
        return inserted is not None
