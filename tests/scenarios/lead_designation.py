"""Agency lead designations: put forward by the candidate, approved by the current lead, trained
and set in HMIS; filed by a lead then withdrawn; declined by the lead; denied by an admin after
its training expired on another."""

from __future__ import annotations

from typing import Any

from flows.kit.machine import Machine
from flows.nudges.sweep import SWEEP_ACTOR
from tests.onboarding import KIM, NOAH, TESS, YURI, with_designations
from tests.requests import ADMIN, LEAD, OTHER_LEAD
from tests.samples import ODD_NAME, Recorder

KIND = "lead_designation"
ANSWERS = {"role_update": "no", "meeting_invite": "yes"}


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
    d.add_account(TESS, ODD_NAME)
    d.add_account(NOAH, "Noah Nunez")
    d.add_account(KIM, "Kim Koe")
    d.add_account(YURI, "Yuri Yolo", agency_id="yolo-food-bank")
    herself = {"agency": "river-house", "person": TESS, **ANSWERS, "note": "Runs intake."}
    rec.step(lambda: d.submit(TESS, herself, KIND), first)
    rec.step(lambda: d.click(LEAD, "approve", first, kind=KIND), first)
    rec.step(lambda: d.click(TESS, "trained.general", first, kind=KIND), first)
    rec.step(lambda: d.click(ADMIN, "confirm", first, kind=KIND), first)

    kim = {"agency": "river-house", "person": KIM, "role_update": "yes", "meeting_invite": "no"}
    rec.step(lambda: d.submit(LEAD, kim, KIND), first + 1)
    rec.step(lambda: d.click(LEAD, "withdraw", first + 1, kind=KIND), first + 1)

    noah = {"agency": "river-house", "person": NOAH, **ANSWERS}
    rec.step(lambda: d.submit(NOAH, noah, KIND), first + 2)
    decline = d.click(LEAD, "decline", first + 2, kind=KIND)
    reason = "He starts a new role elsewhere next month."
    rec.step(lambda: d.give_reason(LEAD, decline.form.context, reason), first + 2)  # type: ignore[union-attr]

    yuri = {"agency": "yolo-food-bank", "person": YURI, "replaces": OTHER_LEAD, **ANSWERS}
    rec.step(lambda: d.submit(OTHER_LEAD, yuri, KIND), first + 3)
    rec.step(lambda: _expire(rec.machine(KIND), first + 3), first + 3)
    rec.step(lambda: d.submit(OTHER_LEAD, yuri, KIND), first + 4)
    deny = d.click(ADMIN, "deny", first + 4, kind=KIND)
    rec.step(
        lambda: d.give_reason(ADMIN, deny.form.context, "The MOU is being renewed."), first + 4
    )  # type: ignore[union-attr]


def _expire(machine: Machine[Any], request_id: int) -> None:
    """As the sweep does when the training grace has run out."""
    request = machine.get(request_id)
    assert request is not None
    machine.move(request, SWEEP_ACTOR, "expired", "expire", reason="training not reported")
