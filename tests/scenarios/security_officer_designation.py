"""Security officer designations: filed by the agency lead (their approval) and trained, then
set in HMIS; put forward by the candidate and waiting on the agency's leads, then denied."""

from __future__ import annotations

from tests.onboarding import OLGA, with_designations
from tests.requests import ADMIN, LEAD, SUPERVISOR
from tests.samples import Recorder

KIND = "security_officer_designation"


def scenario(rec: Recorder) -> None:
    d, first = rec.driver, rec.next_id()
    bundled = d.community
    d.community = with_designations(bundled)
    try:
        _steps(rec, first)
    finally:
        d.community = bundled


def _steps(rec: Recorder, first: int) -> None:
    d = rec.driver
    d.add_account(SUPERVISOR, "Sam Supervisor")
    sam = {"agency": "river-house", "person": SUPERVISOR}
    rec.step(lambda: d.submit(LEAD, sam, KIND), first)
    rec.step(lambda: d.click(SUPERVISOR, "trained.privacy", first, kind=KIND), first)
    rec.step(lambda: d.click(ADMIN, "confirm", first, kind=KIND), first)
    d.add_account(OLGA, "Olga Olsen")
    alternate = {"agency": "river-house", "person": OLGA, "note": "Alternate for Sam."}
    rec.step(lambda: d.submit(OLGA, alternate, KIND), first + 1)
    deny = d.click(ADMIN, "deny", first + 1, kind=KIND)
    reason = "Alternates sign their own agreement first."
    rec.step(lambda: d.give_reason(ADMIN, deny.form.context, reason), first + 1)  # type: ignore[union-attr]
