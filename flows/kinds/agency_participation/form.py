"""The form an HMIS admin starts an agency's onboarding with: which agency, and a note."""

from __future__ import annotations

from flows.community import Agency, AgencyStatus, Community
from flows.ui import FieldKind, Form, FormField, Option, Section

FORM_ID = "agency_participation_request"
AGENCY = "agency"
NOTE = "note"


def agencies_to_onboard(community: Community) -> list[Agency]:
    """Agencies not approved to use HMIS (applying, or suspended and coming back)."""
    return [a for a in community.agencies if a.status is not AgencyStatus.APPROVED]


def onboarding_form(community: Community, agencies: list[Agency]) -> Form:
    steps = "; ".join(i.name for i in community.onboarding_checklist)
    what = (
        f"HMIS admins tick each step as the agency does it: {steps}. Once every step is done, "
        "an HMIS admin approves the agency and requests for its staff can be filed."
        if steps
        else "This community has no onboarding checklist: an HMIS admin approves the agency "
        "next, and then requests for its staff can be filed."
    )
    return Form(
        id=FORM_ID,
        title="Start agency onboarding",
        submit_label="Start onboarding",
        items=(
            Section("Onboarding", what),
            FormField(
                AGENCY,
                "Agency",
                FieldKind.SELECT,
                options=tuple(Option(a.id, a.name) for a in agencies),
                initial=agencies[0].id if len(agencies) == 1 else None,
            ),
            FormField(
                NOTE,
                "Note for the agency's leads",
                FieldKind.LONG_TEXT,
                required=False,
                hint="Optional, such as when the welcome call is booked. Nothing about clients.",
            ),
        ),
    )
