"""Keeps the background loops (outbox delivery, nudge sweeps) going through failures, and tells
``/healthz`` when one has stopped making progress.

A loop that meets an error logs one line, counts it in ``/metrics`` (as
``hmis_bot_loop_failures_total{loop=...}``), waits (exponentially
longer each time, up to a cap) and tries again; the database coming back is all it takes to
resume. Tracebacks are logged once per error type, so a long outage is not a flood.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.exc import DBAPIError

from chatbot.storage.ledger import Clock

MAX_REASON = 200  # characters of an error message in a log line


@dataclass
class LoopHealth:
    """When a loop last got through an iteration, so a stuck or failing one shows as stalled."""

    name: str
    clock: Clock
    stall_after: timedelta
    last_progress: datetime = field(init=False)

    def __post_init__(self) -> None:
        self.last_progress = self.clock()  # a loop that never gets going stalls from start-up

    def progressed(self) -> None:
        self.last_progress = self.clock()

    def age(self) -> timedelta:
        return self.clock() - self.last_progress

    def stalled(self) -> bool:
        return self.age() > self.stall_after


@dataclass
class Backoff:
    """Seconds to wait after each consecutive failure: ``first``, doubled each time, capped."""

    first: float = 1.0
    cap: float = 60.0
    _next: float = field(init=False, default=0.0)

    def failed(self) -> float:
        delay = self._next or self.first
        self._next = min(delay * 2, self.cap)
        return delay

    def reset(self) -> None:
        self._next = 0.0


class FailureLog:
    """Logs failures one line each, with the traceback only the first time its type is seen."""

    def __init__(self, logger: logging.Logger) -> None:
        self._log = logger
        self._seen: set[type[BaseException]] = set()

    def record(self, what: str, error: BaseException, after: str = "") -> None:
        traceback = error if self.first_time(error) else None
        self._log.error("%s failed: %s%s", what, describe(error), after, exc_info=traceback)

    def first_time(self, error: BaseException) -> bool:
        """True the first time an error of this type is seen (its traceback is worth logging)."""
        seen = type(error) in self._seen
        self._seen.add(type(error))
        return not seen


def describe(error: BaseException) -> str:
    """The error's type and the first line of its message; for database errors the driver's
    message only (SQLAlchemy's own adds the statement and its parameters)."""
    message = str(error.orig if isinstance(error, DBAPIError) else error)
    first_line = message.strip().splitlines()[0] if message.strip() else ""
    reason = first_line[:MAX_REASON]
    return f"{type(error).__name__}: {reason}" if reason else type(error).__name__
