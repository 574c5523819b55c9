"""Additional agency access: denied, withdrawn, and objected to by the home agency's lead
then added. River House staff asked for by Yolo Food Bank's lead."""

from __future__ import annotations

from tests.requests import ADMIN, LEAD, OTHER_LEAD
from tests.samples import ODD_NAME, Recorder

AGENCY_ACCESS = "agency_access"
PAT = "pat@riverhouse.example.org"
QUINN = "quinn@riverhouse.example.org"


def scenario(rec: Recorder) -> None:
    d, first = rec.driver, rec.next_id()
    d.add_account(PAT, ODD_NAME)
    d.add_account(QUINN, "Quinn Outreach")
    asked = {"person_email": QUINN, "why": "Runs the shared food pantry program."}
    rec.step(lambda: d.submit(OTHER_LEAD, asked, AGENCY_ACCESS), first)
    deny = d.click(ADMIN, "deny", first, kind=AGENCY_ACCESS)
    reason = "The shared program has not started yet."
    rec.step(lambda: d.give_reason(ADMIN, deny.form.context, reason), first)  # type: ignore[union-attr]
    rec.step(lambda: d.submit(OTHER_LEAD, asked, AGENCY_ACCESS), first + 1)
    rec.step(lambda: d.click(OTHER_LEAD, "withdraw", first + 1, kind=AGENCY_ACCESS), first + 1)
    rec.step(lambda: d.submit(OTHER_LEAD, asked | {"person_email": PAT}, AGENCY_ACCESS), first + 2)
    objection = d.click(LEAD, "object", first + 2, kind=AGENCY_ACCESS)
    why = "Pat moved to our shelter team; the pantry work ended."
    rec.step(lambda: d.give_reason(LEAD, objection.form.context, why), first + 2)  # type: ignore[union-attr]
    rec.step(lambda: d.click(ADMIN, "confirm", first + 2, kind=AGENCY_ACCESS), first + 2)
