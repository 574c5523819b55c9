"""Role changes: straight to the admins and changed, training then withdrawn, denied; a staff
member's own request declined by their supervisor."""

from __future__ import annotations

from tests.requests import ADMIN, LEAD, SUPERVISOR, TRAINEE
from tests.samples import ODD_NAME, Recorder

ROLE_CHANGE = "role_change"
NEWBIE = "newbie@riverhouse.example.org"
STAFF = "casey@riverhouse.example.org"


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
    _own(rec, first + 3)


def _own(rec: Recorder, request_id: int) -> None:
    """A staff member asks for their own role; their supervisor declines it (an endorsement
    goes on as a lead's request would, which the states above show)."""
    d = rec.driver
    d.add_account(STAFF, "Casey Case")
    own = {"new_role": "supervisory", "reason": "I lead the outreach team now."}
    rec.step(lambda: d.submit(STAFF, own, ROLE_CHANGE), request_id)
    decline = d.click(SUPERVISOR, "decline", request_id, kind=ROLE_CHANGE)
    reason = "Casey leads the team from January; ask again then."
    rec.step(lambda: d.give_reason(SUPERVISOR, decline.form.context, reason), request_id)  # type: ignore[union-attr]
