"""Test-only crash points, for tests/test_crashes.py; inert unless the variable is set.

``HMIS_BOT_TEST_CRASH_AT=before_commit`` (or ``after_commit``) makes the process kill itself
with SIGKILL, as ``kill -9`` or the kernel's OOM killer would (no cleanup, no flush, no
rollback but the database's own), the first time a service transaction gets there:
``before_commit`` with a decision's changes, audit and outbox rows made but not committed;
``after_commit`` once they are, before the person is answered. Operators never set it; it is
not among the variables ``--help`` lists. The other moments (after the answer, mid-delivery)
need no hook: the test holds the fake Slack's call and kills the process while it waits.
"""

from __future__ import annotations

import os
import signal

VARIABLE = "HMIS_BOT_TEST_CRASH_AT"
BEFORE_COMMIT = "before_commit"
AFTER_COMMIT = "after_commit"

_ARMED = os.environ.get(VARIABLE, "")


def crash_point(point: str) -> None:
    """Die here, at once, when the variable names this point."""
    if point == _ARMED:
        os.kill(os.getpid(), signal.SIGKILL)
