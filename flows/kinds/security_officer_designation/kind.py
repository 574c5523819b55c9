"""The security officer designation: the shared designation machine, for the agency's
``security_officers``, approved by its current security officers or leads."""

from __future__ import annotations

from flows.community import Agency, Community
from flows.kit.designation.kind import DesignationKind
from flows.kit.designation.position import Position

NAME = "security_officer_designation"
FORM_ID = f"{NAME}_request"

SECURITY_OFFICER = Position(
    field="security_officers",
    title="security officer",
    long_title="security officer",
    set_label="Security officer set in HMIS",
    additional="an additional security officer (an alternate)",
    approvers="security officers or leads",
    welcome=(
        "You make sure your agency follows the HMIS privacy and security policies, and you "
        "get the security officers' reminders."
    ),
    form_title="Name a security officer",
)


class SecurityOfficerDesignationKind(DesignationKind):
    name = NAME
    command = "security-officer"
    help = (
        "asks HMIS to make someone a security officer of an agency (an agency lead may be one "
        "too; alternates are additional ones)"
    )
    title = "Security officer designation"
    position = SECURITY_OFFICER
    labels = SECURITY_OFFICER.state_labels()
    forms = frozenset({FORM_ID})

    def training_ids(self, community: Community) -> tuple[str, ...]:
        return community.security_officer_training

    def duties(self, community: Community) -> str:
        return community.security_officer_duties or ""

    def approvers_of(self, agency: Agency) -> tuple[str, ...]:
        """Its security officers, and its leads: the agency's liaison with HMIS agrees too."""
        return tuple(dict.fromkeys((*agency.security_officers, *agency.leads)))
