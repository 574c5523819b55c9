"""Additional agency access: denied, withdrawn, and objected to by the home agency's lead
then added. River House staff asked for by Yolo Food Bank's lead; a River House staff member's
own request declined by their supervisor."""

from __future__ import annotations

from tests.requests import ADMIN, LEAD, OTHER_LEAD, SUPERVISOR
from tests.samples import ODD_NAME, Recorder

AGENCY_ACCESS = "agency_access"
PAT = "pat@riverhouse.example.org"
QUINN = "quinn@riverhouse.example.org"
ROBIN = "robin@riverhouse.example.org"


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
    _own(rec, first + 3)


def _own(rec: Recorder, request_id: int) -> None:
    """A staff member asks to see Yolo Food Bank's clients themselves; their supervisor
    declines it (an endorsement goes on as the other agency's lead's request would, which the
    states above show)."""
    d = rec.driver
    d.add_account(ROBIN, "Robin Reach")
    own = {"agency": "yolo-food-bank", "why": "I run the pantry program we share with them."}
    rec.step(lambda: d.submit(ROBIN, own, AGENCY_ACCESS), request_id)
    decline = d.click(SUPERVISOR, "decline", request_id, kind=AGENCY_ACCESS)
    reason = "The shared pantry program ends this month."
    rec.step(lambda: d.give_reason(SUPERVISOR, decline.form.context, reason), request_id)  # type: ignore[union-attr]
