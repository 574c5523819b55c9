"""CE trainer designations in a community with Coordinated Entry: withdrawn, denied, and
confirmed (each asked while the agency had no CE trainer yet)."""

from __future__ import annotations

from tests.communities import with_coordinated_entry
from tests.requests import ADMIN, LEAD, SUPERVISOR
from tests.samples import ODD_NAME, Recorder

CE_TRAINER = "ce_trainer"
TESS = "tess@riverhouse.example.org"


def scenario(rec: Recorder) -> None:
    d, first = rec.driver, rec.next_id()
    d.community = with_coordinated_entry(rec.community)
    d.add_account(TESS, ODD_NAME)
    d.add_account(SUPERVISOR, "Sam Supervisor")
    rec.step(lambda: d.submit(LEAD, {"person": TESS}, CE_TRAINER), first)
    rec.step(lambda: d.click(LEAD, "withdraw", first, kind=CE_TRAINER), first)
    rec.step(lambda: d.submit(LEAD, {"person": TESS}, CE_TRAINER), first + 1)
    deny = d.click(ADMIN, "deny", first + 1, kind=CE_TRAINER)
    reason = "Tess has not taken the CE trainer orientation yet."
    rec.step(lambda: d.give_reason(ADMIN, deny.form.context, reason), first + 1)  # type: ignore[union-attr]
    rec.step(lambda: d.submit(LEAD, {"person": SUPERVISOR}, CE_TRAINER), first + 2)
    rec.step(lambda: d.click(ADMIN, "confirm", first + 2, kind=CE_TRAINER), first + 2)
    d.community = rec.community
