"""The deactivation form: who, why, and from when."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flows.accounts import HmisAccount
from flows.calendar import BusinessCalendar
from flows.community import Community
from flows.kinds.deactivation.details import NAME, REASON_LABELS, Reason
from flows.kit.forms import Problem, Problems, Reader
from flows.kit.people import person_fields
from flows.ports import Ledger
from flows.ui import FieldKind, Form, FormField, Option, Section

FORM_ID = "deactivation_request"
REASON = "reason"
REASON_TEXT = "reason_text"
LAST_DAY = "last_day"
LONGEST_NOTICE = timedelta(days=366)  # a last day further ahead is a typing mistake


def deactivation_form(
    community: Community, ledger: Ledger, filer: str, account: HmisAccount | None
) -> Form:
    return Form(
        id=FORM_ID,
        title="Deactivate HMIS access",
        submit_label="Ask HMIS",
        items=(
            Section(
                "Whose access ends",
                "HMIS admins close the account in HMIS and confirm here. Nothing about clients "
                "belongs in this form.",
            ),
            *person_fields(community, ledger, filer, account, NAME),
            FormField(
                REASON,
                "Why",
                FieldKind.SELECT,
                options=tuple(Option(r.value, REASON_LABELS[r]) for r in Reason),
                initial=Reason.LEFT_AGENCY.value,
            ),
            FormField(
                REASON_TEXT,
                "Details",
                FieldKind.LONG_TEXT,
                required=False,
                hint="Required for Other.",
            ),
            FormField(
                LAST_DAY,
                "Last day with HMIS access",
                FieldKind.DATE,
                required=False,
                hint="Leave it empty to deactivate now; a later day is scheduled for its end.",
            ),
        ),
    )


def read_reason(reader: Reader, problems: Problems) -> Reason | None:
    text = reader.text(REASON)
    try:
        return Reason(text)
    except ValueError:
        problems[REASON] = Problem("missing" if not text else "invalid", "Pick a reason.")
        return None


def read_effective(
    reader: Reader, calendar: BusinessCalendar, now: datetime, problems: Problems
) -> datetime | None:
    """When it takes effect: now, or the close of business on the last day given."""
    text = reader.text(LAST_DAY)
    if not text:
        return now
    try:
        day = date.fromisoformat(text)
    except ValueError:
        problems[LAST_DAY] = Problem("invalid", "Give the last day as a date.")
        return None
    effective = calendar.end_of(day)
    if day < calendar.local(now).date():
        problems[LAST_DAY] = Problem(
            "invalid", "That day has passed; leave it empty to deactivate now."
        )
        return None
    if effective - now > LONGEST_NOTICE:
        problems[LAST_DAY] = Problem("invalid", "Give a last day within the next year.")
        return None
    return max(effective, now)
