"""The additional agency access form: which of the filer's agencies, whose access, and why; a
staff member asking for themselves says which agency's clients, and why."""

from __future__ import annotations

from collections.abc import Sequence

from flows.community import Agency
from flows.kit.filing import AGENCY, agency_field
from flows.ui import FieldKind, Form, FormField, Option, Section

FORM_ID = "agency_access_request"
PERSON_EMAIL = "person_email"
WHY = "why"


def agency_access_form(agencies: Sequence[Agency]) -> Form:
    return Form(
        id=FORM_ID,
        title="Additional agency access",
        submit_label="Ask HMIS",
        items=(
            Section(
                "Someone from another agency needs to see your clients",
                "For a person who already has an HMIS account at another participating "
                "agency. Their own agency's leads are told and may object; HMIS admins add the "
                "access in HMIS and confirm here. Nothing about clients belongs in this form.",
            ),
            *agency_field(agencies, "Whose clients they will see"),
            FormField(
                PERSON_EMAIL,
                "Their work e-mail",
                FieldKind.EMAIL,
                hint="The address of their HMIS account at their own agency.",
            ),
            FormField(
                WHY,
                "Why they need it",
                FieldKind.LONG_TEXT,
                hint="Their work with your agency, such as a shared program. No client details.",
            ),
        ),
    )


def staff_agency_access_form(agencies: Sequence[Agency], home: str, endorsers: str) -> Form:
    """The same form for a staff member asking to see another agency's clients themselves: no
    person to give, and it goes to their own agency's leads and supervisors first."""
    return Form(
        id=FORM_ID,
        title="Additional agency access",
        submit_label="Ask my agency",
        items=(
            Section(
                "Your request goes to your agency first",
                f"You work for {home}. {endorsers} will be asked to endorse this request; once "
                "endorsed, it goes to HMIS like a request from the other agency's lead. Nothing "
                "about clients belongs in this form.",
            ),
            FormField(
                AGENCY,
                "Whose clients you need to see",
                FieldKind.SELECT,
                options=tuple(Option(a.id, a.name) for a in agencies),
            ),
            FormField(
                WHY,
                "Why you need it",
                FieldKind.LONG_TEXT,
                hint="Your work with that agency, such as a shared program. No client details.",
            ),
        ),
    )
