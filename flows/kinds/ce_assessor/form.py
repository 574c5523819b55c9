"""The Assessor Request form: who, when they attended the assessor training, and the CE
trainer's attestation that they did."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from flows.calendar import BusinessCalendar
from flows.community import Agency, Training
from flows.kit.filing import account_fields
from flows.kit.forms import Problem, Problems, Reader
from flows.ports import Ledger
from flows.ui import FieldKind, Form, FormField, Option, Section

FORM_ID = "ce_assessor_request"
ATTENDED = "attended"
ATTESTED = "attested"
YES = "yes"


def assessor_form(
    training: Training, agencies: Sequence[Agency], ledger: Ledger, filer: str
) -> Form:
    validity = f" It is valid for {training.valid_for}." if training.valid_for else ""
    return Form(
        id=FORM_ID,
        title="Coordinated Entry assessor access",
        submit_label="Ask HMIS",
        items=(
            Section(
                "Assessor Request",
                f"For staff who attended the {training.name}.{validity} HMIS admins add "
                "Coordinated Entry assessor access to their HMIS account and confirm here.",
            ),
            *account_fields(ledger, agencies, filer),
            FormField(ATTENDED, f"Date they attended the {training.name}", FieldKind.DATE),
            FormField(
                ATTESTED,
                "Attestation",
                FieldKind.ATTESTATION,
                options=(
                    Option(
                        YES,
                        f"As the agency's CE trainer, I confirm they attended the {training.name} "
                        "on that date.",
                    ),
                ),
            ),
        ),
    )


def read_attendance(
    reader: Reader, calendar: BusinessCalendar, now: datetime, problems: Problems
) -> date | None:
    text = reader.text(ATTENDED)
    if not text:
        problems[ATTENDED] = Problem("missing", "Give the date they attended.")
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        problems[ATTENDED] = Problem("invalid", "Give the date they attended as a date.")
        return None
    if day > calendar.local(now).date():
        problems[ATTENDED] = Problem("invalid", "That day has not come yet.")
        return None
    if YES not in reader.choices(ATTESTED):
        problems[ATTESTED] = Problem(
            "missing", "Tick the attestation: HMIS adds assessor access on your word."
        )
        return None
    return day
