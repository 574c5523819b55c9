"""Builders for request form values, shared by the flow tests and the end-to-end tests."""

from __future__ import annotations

from flows.new_user.form import F

LEAD = "lead@riverhouse.example.org"
SUPERVISOR = "sup@riverhouse.example.org"
TRAINEE = "jane.doe@riverhouse.example.org"
ADMIN = "helpdesk@hmis.example.org"
SECOND_ADMIN = "admin2@hmis.example.org"
APPLYING_LEAD = "lead@delta.example.org"
OUTSIDER = "someone@elsewhere.example.org"


def request_values(**overrides: str | list[str] | None) -> dict[str, str | list[str] | None]:
    """A valid request filed by the River House lead, naming the supervisor to verify."""
    values: dict[str, str | list[str] | None] = {
        F.REQUESTER_ROLE: "Agency Lead / Technical Administrator",
        F.DIRECTLY_SUPERVISES: "no",
        F.SUPERVISOR_NAME: "Sam Supervisor",
        F.SUPERVISOR_EMAIL: SUPERVISOR,
        F.AGENCY: "river-house",
        F.COC: "sac",
        F.TRAINEE_NAME: "Jane Doe",
        F.TRAINEE_EMAIL: TRAINEE,
        F.ACCESS_ROLE: "dss",
        F.MONITORS_CONTRACTS: "no",
        F.ADDITIONAL_AGENCIES: ["yolo-food-bank"],
        F.BACKGROUND_CHECK: [],
    }
    values.update(overrides)
    return values
