"""The New Program Request form: which agency, the program, new or changed, what is needed."""

from __future__ import annotations

from collections.abc import Sequence

from flows.community import Agency
from flows.kinds.program.details import CHANGE_LABELS, ProgramChange
from flows.kit.filing import agency_field
from flows.ui import FieldKind, Form, FormField, Option, Section

FORM_ID = "program_request"
PROGRAM = "program"
CHANGE = "change"
NEEDS = "needs"
MAX_PROGRAM_NAME = 100


def program_form(agencies: Sequence[Agency]) -> Form:
    return Form(
        id=FORM_ID,
        title="New Program Request",
        submit_label="Ask HMIS",
        items=(
            Section(
                "A program to build or change in HMIS",
                "One request per program. HMIS admins build it (or make the change) and confirm "
                "here. Nothing about clients belongs in this form.",
            ),
            *agency_field(agencies, "Agency"),
            FormField(PROGRAM, "Program name", FieldKind.TEXT),
            FormField(
                CHANGE,
                "What kind of request",
                FieldKind.SELECT,
                options=tuple(Option(c.value, CHANGE_LABELS[c]) for c in ProgramChange),
                initial=ProgramChange.NEW.value,
            ),
            FormField(
                NEEDS,
                "What is needed",
                FieldKind.LONG_TEXT,
                hint=(
                    "Program type, funding, dates, services, who enters data; for a change, "
                    "what changes. No client details."
                ),
            ),
        ),
    )
