"""The directory the flows see: the community file, with the bot's own changes on top."""

from __future__ import annotations

from flows.community import AgencyStatus, Community
from flows.directory import Action, AgencyChange, current
from flows.outcomes import Accepted, FieldErrors
from tests.drive import Driver
from tests.requests import APPLYING_LEAD, LEAD, TRAINEE, request_values

DELTA = "delta-outreach"


def test_changes_apply_in_order_over_the_file(community: Community) -> None:
    changes = [
        AgencyChange(DELTA, "status", Action.SET, "approved"),
        AgencyChange("river-house", "leads", Action.ADD, "New.Lead@RiverHouse.example.org"),
        AgencyChange("river-house", "leads", Action.REMOVE, LEAD),
        AgencyChange("river-house", "positions.ce-trainer", Action.ADD, TRAINEE),
        AgencyChange("river-house", "mou_date", Action.SET, "2026-07-01"),
        AgencyChange("nowhere", "leads", Action.ADD, TRAINEE),
    ]
    now = current(community, changes)
    delta, river = now.agency(DELTA), now.agency("river-house")
    assert delta is not None
    assert river is not None
    assert delta.status is AgencyStatus.APPROVED
    assert river.leads == ("new.lead@riverhouse.example.org",)
    assert river.positions == {"ce-trainer": (TRAINEE,)}
    assert str(river.mou_date) == "2026-07-01"
    assert current(community, []) == community


def test_an_agency_approved_by_the_bot_takes_requests(driver: Driver) -> None:
    values = request_values(agency=DELTA, coc="yolo", new_user_email="x@delta.example.org")
    refused = driver.submit(APPLYING_LEAD, values)
    assert isinstance(refused, FieldErrors)
    assert "agency" in refused.errors
    approved = AgencyChange(DELTA, "status", Action.SET, "approved")
    driver.run(lambda ledger: ledger.record_agency_change(approved))
    assert isinstance(driver.submit(APPLYING_LEAD, values), Accepted)
    assert driver.request(1).agency_id == DELTA
