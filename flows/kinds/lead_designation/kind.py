"""The agency lead designation: the shared designation machine, for the agency's ``leads``."""

from __future__ import annotations

from flows.community import Community
from flows.kit.designation.kind import DesignationKind
from flows.kit.designation.position import Position, Question
from flows.nudges.policy import ReminderAudience

NAME = "lead_designation"
FORM_ID = f"{NAME}_request"
ROLE_UPDATE = "role_update"
MEETING_INVITE = "meeting_invite"

LEAD = Position(
    field="leads",
    title="agency lead",
    long_title="agency lead (Technical Administrator)",
    set_label="Lead set in HMIS",
    additional="an additional lead",
    approvers="leads",
    welcome=(
        "You are now your agency's liaison with HMIS: you get the agency lead meeting "
        "reminders and your agency's announcements, and you can file HMIS requests for your "
        "agency's staff."
    ),
    form_title="Name an agency lead",
)


class LeadDesignationKind(DesignationKind):
    name = NAME
    command = "lead"
    help = (
        "asks HMIS to make someone an agency lead (Technical Administrator): MOU current, lead "
        "training done, the current lead approving"
    )
    title = "Agency lead designation"
    position = LEAD
    labels = LEAD.state_labels()
    forms = frozenset({FORM_ID})

    def training_ids(self, community: Community) -> tuple[str, ...]:
        return community.lead_training

    def questions(self, community: Community) -> tuple[Question, ...]:
        meetings = [r for r in community.reminders if r.audience is ReminderAudience.AGENCY_LEADS]
        meeting = meetings[0].title if meetings else "agency lead meeting"
        return (
            Question(
                ROLE_UPDATE,
                "Needs an updated access role",
                "Do they also need an updated HMIS access role?",
                hint='HMIS admins see your answer; ask for the role itself with the "role" '
                "command.",
            ),
            Question(
                MEETING_INVITE,
                "Add to the meeting invite",
                f"Add them to the {meeting} invite?",
                hint="Agency leads get the meeting reminders either way.",
            ),
        )
