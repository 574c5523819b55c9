"""Role changes: straight to the admins and changed, training then withdrawn, denied."""

from __future__ import annotations

from tests.requests import ADMIN, LEAD, TRAINEE
from tests.samples import ODD_NAME, Recorder

ROLE_CHANGE = "role_change"
NEWBIE = "newbie@riverhouse.example.org"


def scenario(rec: Recorder) -> None:
    d, first = rec.driver, rec.next_id()
    d.add_account(NEWBIE, ODD_NAME)
    trained = {"person": TRAINEE, "new_role": "supervisory", "reason": "Now leads the team."}
    rec.step(lambda: d.submit(LEAD, trained, ROLE_CHANGE), first)
    rec.step(lambda: d.click(ADMIN, "confirm", first, kind=ROLE_CHANGE), first)
    untrained = trained | {"person": NEWBIE, "new_role": "reporting"}
    rec.step(lambda: d.submit(LEAD, untrained, ROLE_CHANGE), first + 1)
    rec.step(lambda: d.click(NEWBIE, "trained.general", first + 1, kind=ROLE_CHANGE), first + 1)
    rec.step(lambda: d.click(LEAD, "withdraw", first + 1, kind=ROLE_CHANGE), first + 1)
    rec.step(lambda: d.submit(LEAD, untrained, ROLE_CHANGE), first + 2)
    deny = d.click(ADMIN, "deny", first + 2, kind=ROLE_CHANGE)
    reason = "Reporting access needs the director's sign-off."
    rec.step(lambda: d.give_reason(ADMIN, deny.form.context, reason), first + 2)  # type: ignore[union-attr]
