"""The form to end additional agency access: whose, to which agency's clients, and why."""

from __future__ import annotations

from flows.community import Community
from flows.kit.filing import AGENCY
from flows.ui import FieldKind, Form, FormField, Option, Section

FORM_ID = "end_agency_access_request"
PERSON_EMAIL = "person_email"
WHY = "why"


def end_access_form(community: Community) -> Form:
    return Form(
        id=FORM_ID,
        title="End additional agency access",
        submit_label="Ask HMIS",
        items=(
            Section(
                "Whose access to another agency's clients ends",
                "Their HMIS account stays; only the access to that agency's clients is removed. "
                "Nothing about clients belongs in this form.",
            ),
            FormField(PERSON_EMAIL, "Their work e-mail", FieldKind.EMAIL),
            FormField(
                AGENCY,
                "Access to the clients of",
                FieldKind.SELECT,
                options=tuple(Option(a.id, a.name) for a in community.agencies),
            ),
            FormField(
                WHY,
                "Why it ends",
                FieldKind.LONG_TEXT,
                hint="Such as: the shared program ended. No client details.",
            ),
        ),
    )
