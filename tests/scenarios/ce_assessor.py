"""Coordinated Entry assessor access, asked by River House's CE trainer: withdrawn, denied,
added then lapsed (as the sweep moves it) and removed, and added then renewed by a later
attendance."""

from __future__ import annotations

from tests.communities import name_ce_trainer, with_coordinated_entry
from tests.requests import ADMIN, SUPERVISOR
from tests.samples import ODD_NAME, Recorder

ASSESSOR = "ce_assessor"
UMA = "uma@riverhouse.example.org"
VIC = "vic@riverhouse.example.org"


def attended(email: str, day: str) -> dict[str, str | list[str] | None]:
    return {"person": email, "attended": day, "attested": ["yes"]}


def scenario(rec: Recorder) -> None:
    d, first = rec.driver, rec.next_id()
    d.community = with_coordinated_entry(rec.community)
    name_ce_trainer(rec.ledger, "river-house", SUPERVISOR)
    d.add_account(UMA, ODD_NAME)
    d.add_account(VIC, "Vic Assessor")
    rec.step(lambda: d.submit(SUPERVISOR, attended(UMA, "2026-11-02"), ASSESSOR), first)
    rec.step(lambda: d.click(SUPERVISOR, "withdraw", first, kind=ASSESSOR), first)
    rec.step(lambda: d.submit(SUPERVISOR, attended(UMA, "2026-11-02"), ASSESSOR), first + 1)
    deny = d.click(ADMIN, "deny", first + 1, kind=ASSESSOR)
    reason = "The attendance list for that session does not show them."
    rec.step(lambda: d.give_reason(ADMIN, deny.form.context, reason), first + 1)  # type: ignore[union-attr]
    lapsing = first + 2
    rec.step(lambda: d.submit(SUPERVISOR, attended(UMA, "2026-11-03"), ASSESSOR), lapsing)
    rec.step(lambda: d.click(ADMIN, "confirm", lapsing, kind=ASSESSOR), lapsing)
    rec.step(lambda: lapse(rec, lapsing), lapsing)
    rec.step(lambda: d.click(ADMIN, "remove", lapsing, kind=ASSESSOR), lapsing)
    renewed = first + 3
    rec.step(lambda: d.submit(SUPERVISOR, attended(VIC, "2026-11-04"), ASSESSOR), renewed)
    rec.step(lambda: d.click(ADMIN, "confirm", renewed, kind=ASSESSOR), renewed)
    rec.step(lambda: d.submit(SUPERVISOR, attended(VIC, "2026-11-12"), ASSESSOR), renewed + 1)
    rec.step(lambda: d.click(ADMIN, "confirm", renewed + 1, kind=ASSESSOR), renewed + 1)
    rec.keep(renewed)
    d.community = rec.community


def lapse(rec: Recorder, request_id: int) -> None:
    """What the sweep does when the credential's validity runs out."""
    machine = rec.machine(ASSESSOR)
    request = machine.get(request_id)
    assert request is not None
    machine.move(request, "hmis-bot", "lapsed", "lapse", reason="the validity ran out")
