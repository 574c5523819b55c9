"""The CE trainer form: which agency (for a lead of several) and who."""

from __future__ import annotations

from collections.abc import Sequence

from flows.community import Agency
from flows.kit.filing import account_fields, agency_field
from flows.ports import Ledger
from flows.ui import Form, Section

FORM_ID = "ce_trainer_request"


def ce_trainer_form(agencies: Sequence[Agency], ledger: Ledger, filer: str) -> Form:
    return Form(
        id=FORM_ID,
        title="Name a Coordinated Entry trainer",
        submit_label="Ask HMIS",
        items=(
            Section(
                "Coordinated Entry (CE) trainer",
                "Every agency with Coordinated Entry assessors names at least one CE trainer: "
                "the person who asks HMIS for assessor access for staff who attended the "
                "Assessor's Credential Training. They need an HMIS account at your agency.",
            ),
            *agency_field(agencies, "For which agency"),
            *account_fields(ledger, agencies, filer),
        ),
    )
