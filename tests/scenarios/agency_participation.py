"""Agency onboarding: started for Delta Outreach and declined; started again, every step ticked
and the agency approved."""

from __future__ import annotations

from tests.onboarding import CHECKLIST, DELTA
from tests.requests import ADMIN, SECOND_ADMIN
from tests.samples import Recorder

KIND = "agency_participation"


def scenario(rec: Recorder) -> None:
    d, first = rec.driver, rec.next_id()
    bundled = d.community
    d.community = bundled.model_copy(update={"onboarding_checklist": CHECKLIST})
    try:
        _steps(rec, first)
    finally:
        d.community = bundled


def _steps(rec: Recorder, first: int) -> None:
    d = rec.driver
    start = {"agency": DELTA, "note": "Welcome call booked for Dec 3."}
    rec.step(lambda: d.submit(ADMIN, start, KIND), first)
    deny = d.click(SECOND_ADMIN, "deny", first, kind=KIND)
    reason = "The agency withdrew its application."
    rec.step(lambda: d.give_reason(SECOND_ADMIN, deny.form.context, reason), first)  # type: ignore[union-attr]
    rec.step(lambda: d.submit(ADMIN, {"agency": DELTA}, KIND), first + 1)
    for step in CHECKLIST:
        rec.step(lambda s=step.id: d.click(ADMIN, f"tick.{s}", first + 1, kind=KIND), first + 1)
    rec.step(lambda: d.click(SECOND_ADMIN, "approve", first + 1, kind=KIND), first + 1)
