"""Deactivations: scheduled then withdrawn, waiting on admins, and confirmed."""

from __future__ import annotations

from tests.requests import ADMIN, LEAD
from tests.samples import ODD_NAME, Recorder

DEACTIVATION = "deactivation"


def scenario(rec: Recorder) -> None:
    d, first = rec.driver, rec.next_id()
    d.add_account("leaver@riverhouse.example.org", ODD_NAME)
    d.add_account("retired@riverhouse.example.org", "Rita Retired")
    leaving = {"person": "leaver@riverhouse.example.org", "reason": "left_agency"}
    rec.step(lambda: d.submit(LEAD, leaving | {"last_day": "2026-11-20"}, DEACTIVATION), first)
    rec.step(lambda: d.click(LEAD, "withdraw", first, kind=DEACTIVATION), first)
    rec.step(lambda: d.submit(LEAD, leaving, DEACTIVATION), first + 1)
    retired = {
        "person": "retired@riverhouse.example.org",
        "reason": "other",
        "reason_text": "Retired; her duties moved to the front desk.",
    }
    rec.step(lambda: d.submit(LEAD, retired, DEACTIVATION), first + 2)
    rec.step(lambda: d.click(ADMIN, "confirm", first + 2, kind=DEACTIVATION), first + 2)
