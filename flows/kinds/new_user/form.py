"""The request form, field for field as on the Sacramento/Yolo SSF New User Access Request."""

from __future__ import annotations

from flows.community import Community
from flows.ui import FieldKind, Form, FormField, Option, OptionGroup, Section

FORM_ID = "new_user_request"
AGENCY_NOT_LISTED = "not-listed"
YES, NO = "yes", "no"
_YES_NO = (Option(YES, "Yes"), Option(NO, "No"))


class F:
    """Field ids; they double as Slack block ids and Adaptive Card input ids."""

    REQUESTER_ROLE = "requester_role"
    DIRECTLY_SUPERVISES = "directly_supervises"
    SUPERVISOR_NAME = "supervisor_name"
    SUPERVISOR_EMAIL = "supervisor_email"
    AGENCY = "agency"
    COC = "coc"
    TRAINEE_NAME = "new_user_name"
    TRAINEE_EMAIL = "new_user_email"
    ACCESS_ROLE = "access_role"
    MONITORS_CONTRACTS = "monitors_contracts"
    ADDITIONAL_AGENCIES = "additional_agencies"
    BACKGROUND_CHECK = "background_check"


def request_form(community: Community, requester_email: str) -> Form:
    return Form(
        id=FORM_ID,
        title="HMIS access request",
        submit_label="Submit request",
        items=(
            Section("About you", "Only supervisors or agency leadership may request access."),
            FormField(
                F.REQUESTER_ROLE,
                "Your role",
                FieldKind.SELECT,
                options=tuple(Option(r, r) for r in community.requester_roles),
            ),
            FormField(
                F.DIRECTLY_SUPERVISES,
                "Do you directly supervise the new user?",
                FieldKind.YES_NO,
                options=_YES_NO,
            ),
            FormField(
                F.SUPERVISOR_NAME,
                "Supervisor's name",
                FieldKind.TEXT,
                required=False,
                hint="Only if you are not the new user's direct supervisor.",
            ),
            FormField(
                F.SUPERVISOR_EMAIL,
                "Supervisor's work e-mail",
                FieldKind.EMAIL,
                required=False,
                hint="They will be asked to confirm the staff verification.",
            ),
            Section("Agency"),
            FormField(
                F.AGENCY,
                "Agency",
                FieldKind.SELECT,
                options=_agency_options(community, requester_email),
            ),
            FormField(
                F.COC,
                "Continuum of Care your agency belongs to",
                FieldKind.SELECT,
                options=tuple(Option(c.id, c.name) for c in community.cocs),
            ),
            Section("New user"),
            FormField(F.TRAINEE_NAME, "New user's full name", FieldKind.TEXT),
            FormField(
                F.TRAINEE_EMAIL,
                "New user's work e-mail",
                FieldKind.EMAIL,
                hint="Agency e-mail only; personal mail services are not accepted.",
            ),
            Section(
                "Access roles",
                "\n".join(
                    f"{r.name}: {r.description}" for r in community.access_roles if r.description
                ),
            ),
            FormField(
                F.ACCESS_ROLE,
                "Access role",
                FieldKind.SELECT,
                options=tuple(Option(r.id, r.name, r.description) for r in community.access_roles),
            ),
            FormField(
                F.MONITORS_CONTRACTS,
                "Will the user be monitoring contracts for providers you fund?",
                FieldKind.YES_NO,
                options=_YES_NO,
            ),
            FormField(
                F.ADDITIONAL_AGENCIES,
                "Additional agency access",
                FieldKind.MULTI_SELECT,
                required=False,
                groups=_participating_by_coc(community, requester_email),
                hint="Other participating agencies this user needs to do their job.",
            ),
            FormField(
                F.BACKGROUND_CHECK,
                "Staff verification",
                FieldKind.ATTESTATION,
                required=False,
                options=(
                    Option(
                        YES,
                        (
                            "I am the direct supervisor and confirm this staff member "
                            "passed the agency's background check."
                        ),
                    ),
                ),
                hint="Otherwise the supervisor is asked to confirm it.",
            ),
        ),
    )


def _agency_options(community: Community, requester_email: str) -> tuple[Option, ...]:
    mine = [
        Option(a.id, a.name if a.status == "approved" else f"{a.name} ({a.status.value})")
        for a in community.agencies_filed_for_by(requester_email)
    ]
    return (*mine, Option(AGENCY_NOT_LISTED, "My agency is not on this list"))


def _participating_by_coc(community: Community, requester_email: str) -> tuple[OptionGroup, ...]:
    """Participating agencies by CoC, without the requester's own when they file for one
    agency only (then it is the new user's agency; with several, a pick of it is ignored)."""
    mine = community.agencies_filed_for_by(requester_email)
    own = {mine[0].id} if len(mine) == 1 else set()
    agencies = [a for a in community.participating_agencies() if a.id not in own]
    groups = (
        OptionGroup(
            f"{coc.name} agencies", tuple(Option(a.id, a.name) for a in agencies if a.coc == coc.id)
        )
        for coc in community.cocs
    )
    return tuple(g for g in groups if g.options)
