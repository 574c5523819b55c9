"""Reinstatements: re-enabled then logged in; a refresher training first, withdrawn; the
person's own request declined by a supervisor, and another endorsed by a lead, then denied;
one whose training ran out, expired."""

from __future__ import annotations

from typing import Any

from flows.kit.machine import Machine
from flows.nudges.sweep import SWEEP_ACTOR
from tests.reinstating import disabled_account, with_ladder
from tests.requests import ADMIN, LEAD, SECOND_ADMIN, SUPERVISOR
from tests.samples import ODD_NAME, Recorder

KIND = "reinstatement"
SLEEPER = "sleeper@riverhouse.example.org"
LONG_GONE = "long.gone@riverhouse.example.org"
STAFFER = "staffer@riverhouse.example.org"
RETURNER = "returner@riverhouse.example.org"
LAPSED = "lapsed@riverhouse.example.org"


def scenario(rec: Recorder) -> None:
    d, first = rec.driver, rec.next_id()
    bundled = d.community
    d.community = with_ladder(bundled)
    try:
        _lead_filed(rec, first)
        _own(rec, first + 2)
        _expired(rec, first + 4)
    finally:
        d.community = bundled


def _lead_filed(rec: Recorder, first: int) -> None:
    d = rec.driver
    disabled_account(d, rec.clock, SLEEPER, ODD_NAME, days=20)
    disabled_account(d, rec.clock, LONG_GONE, "Lon Gone", days=100, confirmed=False)
    note = {"note": "Back from leave; needs HMIS for intakes again."}
    rec.step(lambda: d.submit(LEAD, {"person": SLEEPER} | note, KIND), first)
    rec.step(lambda: d.click(ADMIN, "reenable", first, kind=KIND), first)
    rec.step(lambda: d.click(SLEEPER, "logged_in", first, kind=KIND), first)
    rec.step(lambda: d.submit(SUPERVISOR, {"person": LONG_GONE}, KIND), first + 1)
    rec.step(lambda: d.click(SUPERVISOR, "withdraw", first + 1, kind=KIND), first + 1)


def _own(rec: Recorder, first: int) -> None:
    d = rec.driver
    disabled_account(d, rec.clock, STAFFER, "Stella Staff", days=5)
    disabled_account(d, rec.clock, RETURNER, "Rory Return", days=200)
    rec.step(lambda: d.submit(STAFFER, {"note": ""}, KIND), first)
    decline = d.click(SUPERVISOR, "decline", first, kind=KIND)
    reason = "Stella moved to the front desk and no longer needs HMIS."
    rec.step(lambda: d.give_reason(SUPERVISOR, decline.form.context, reason), first)  # type: ignore[union-attr]
    rec.step(lambda: d.submit(RETURNER, {}, KIND), first + 1)
    rec.step(lambda: d.click(LEAD, "endorse", first + 1, kind=KIND), first + 1)
    for training in ("general", "privacy"):
        rec.step(
            lambda t=training: d.click(RETURNER, f"trained.{t}", first + 1, kind=KIND), first + 1
        )  # type: ignore[misc]
    deny = d.click(SECOND_ADMIN, "deny", first + 1, kind=KIND)
    reason = "Rory's agency ended the program Rory worked in."
    rec.step(lambda: d.give_reason(SECOND_ADMIN, deny.form.context, reason), first + 1)  # type: ignore[union-attr]


def _expired(rec: Recorder, first: int) -> None:
    d = rec.driver
    disabled_account(d, rec.clock, LAPSED, "Lee Lapsed", days=95)
    rec.step(lambda: d.submit(LEAD, {"person_email": LAPSED}, KIND), first)
    machine = rec.machine(KIND)
    rec.step(lambda: _expire(machine, first), first)


def _expire(machine: Machine[Any], request_id: int) -> None:
    """As the sweep does when the training grace has run out."""
    request = machine.get(request_id)
    assert request is not None
    machine.move(request, SWEEP_ACTOR, "expired", "expire", reason="training not reported")
