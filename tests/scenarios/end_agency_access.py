"""Ending additional agency access: asked by the home agency's lead and removed, and asked by
the other agency's lead then withdrawn."""

from __future__ import annotations

from flows.grants import AGENCY_ACCESS
from tests.requests import ADMIN, LEAD, OTHER_LEAD
from tests.samples import ODD_NAME, Recorder

END = "end_agency_access"
RAY = "ray@riverhouse.example.org"
SAL = "sal@riverhouse.example.org"
YOLO = "yolo-food-bank"


def scenario(rec: Recorder) -> None:
    d, first = rec.driver, rec.next_id()
    for email, name in ((RAY, ODD_NAME), (SAL, "Sal Shelter")):
        d.add_account(email, name)
        rec.ledger.add_grant(email, AGENCY_ACCESS, YOLO, None)
    ending = {"person_email": SAL, "agency": YOLO, "why": "The joint program moved to us."}
    rec.step(lambda: d.submit(OTHER_LEAD, ending, END), first)
    rec.step(lambda: d.click(OTHER_LEAD, "withdraw", first, kind=END), first)
    ending = {"person_email": RAY, "agency": YOLO, "why": "Ray left the pantry program."}
    rec.step(lambda: d.submit(LEAD, ending, END), first + 1)
    rec.step(lambda: d.click(ADMIN, "confirm", first + 1, kind=END), first + 1)
