"""New Program Requests: withdrawn, denied, and built."""

from __future__ import annotations

from tests.requests import ADMIN, LEAD
from tests.samples import ODD_NAME, Recorder

PROGRAM = "program"


def scenario(rec: Recorder) -> None:
    d, first = rec.driver, rec.next_id()
    outreach = {
        "program": "Street Outreach",
        "change": "new",
        "needs": "Street outreach program, ESG funded, from January; services and contacts.",
    }
    rec.step(lambda: d.submit(LEAD, outreach, PROGRAM), first)
    rec.step(lambda: d.click(LEAD, "withdraw", first, kind=PROGRAM), first)
    rec.step(lambda: d.submit(LEAD, outreach, PROGRAM), first + 1)
    deny = d.click(ADMIN, "deny", first + 1, kind=PROGRAM)
    reason = "ESG programs are set up by the CoC lead; we will call you."
    rec.step(lambda: d.give_reason(ADMIN, deny.form.context, reason), first + 1)  # type: ignore[union-attr]
    shelter = {
        "program": ODD_NAME,
        "change": "changed",
        "needs": "Add 10 beds to the emergency shelter program and a new bed-night service.",
    }
    rec.step(lambda: d.submit(LEAD, shelter, PROGRAM), first + 2)
    rec.step(lambda: d.click(ADMIN, "confirm", first + 2, kind=PROGRAM), first + 2)
