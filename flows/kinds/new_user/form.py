"""The request form: by default field for field as on the Sacramento/Yolo SSF New User Access
Request; a community leaves out the fields it does not ask and adds its own questions."""

from __future__ import annotations

from flows.community import Community
from flows.kinds.new_user.details import NAME
from flows.new_user_settings import StaffVerification
from flows.requirements import Before, Requirement, describe
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
    TRAININGS_DONE = "trainings_done"


def request_form(community: Community, requester_email: str) -> Form:
    """The form as the community has it: the questions it asks (``new_user.fields``), its own
    yes/no ``questions``, and the attestations its process needs."""
    fields = community.new_user.fields
    return Form(
        id=FORM_ID,
        title="HMIS access request",
        submit_label="Submit request",
        items=(
            *_about_you(community),
            Section("Agency"),
            FormField(
                F.AGENCY,
                "Agency",
                FieldKind.SELECT,
                options=_agency_options(community, requester_email),
            ),
            *_asked(
                fields.asks("coc"),
                FormField(
                    F.COC,
                    "Continuum of Care your agency belongs to",
                    FieldKind.SELECT,
                    options=tuple(Option(c.id, c.name) for c in community.cocs),
                ),
            ),
            Section("New user"),
            FormField(F.TRAINEE_NAME, "New user's full name", FieldKind.TEXT),
            FormField(
                F.TRAINEE_EMAIL,
                "New user's work e-mail",
                FieldKind.EMAIL,
                hint="Agency e-mail only; personal mail services are not accepted.",
            ),
            Section("Access roles", _roles_text(community)),
            FormField(
                F.ACCESS_ROLE,
                "Access role",
                FieldKind.SELECT,
                options=tuple(
                    Option(r.id, r.name, r.description) for r in community.selectable_roles()
                ),
            ),
            *(
                FormField(question_field(q.id), q.text, FieldKind.YES_NO, options=_YES_NO)
                for q in community.questions
            ),
            *_asked(
                fields.asks("monitors_contracts"),
                FormField(
                    F.MONITORS_CONTRACTS,
                    "Will the user be monitoring contracts for providers you fund?",
                    FieldKind.YES_NO,
                    required=fields.requires("monitors_contracts"),
                    options=_YES_NO,
                ),
            ),
            *_asked(
                fields.asks("additional_agencies"),
                FormField(
                    F.ADDITIONAL_AGENCIES,
                    "Additional agency access",
                    FieldKind.MULTI_SELECT,
                    required=fields.requires("additional_agencies"),
                    groups=_participating_by_coc(community, requester_email),
                    hint="Other participating agencies this user needs to do their job.",
                ),
            ),
            *_attestations(community),
        ),
    )


def question_field(question_id: str) -> str:
    """The field id of one of the community's own yes/no questions."""
    return f"question_{question_id}"


def _asked(asked: bool, field: FormField) -> tuple[FormField, ...]:
    return (field,) if asked else ()


def _about_you(community: Community) -> tuple[Section | FormField, ...]:
    fields = community.new_user.fields
    who = community.filer_words(NAME)
    items: list[Section | FormField] = [
        Section("About you", f"Only agency {who} may request access.")
    ]
    if fields.asks("requester_role"):
        items.append(
            FormField(
                F.REQUESTER_ROLE,
                "Your role",
                FieldKind.SELECT,
                required=fields.requires("requester_role"),
                options=tuple(Option(r, r) for r in community.requester_roles),
            )
        )
    if fields.asks("directly_supervises"):
        items.append(
            FormField(
                F.DIRECTLY_SUPERVISES,
                "Do you directly supervise the new user?",
                FieldKind.YES_NO,
                required=fields.requires("directly_supervises"),
                options=_YES_NO,
            )
        )
    if fields.asks("supervisor"):
        verifies = community.new_user.staff_verification is StaffVerification.SUPERVISOR_CONFIRMS
        items += [
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
                hint="They will be asked to confirm the staff verification."
                if verifies
                else "They will follow the new user's training.",
            ),
        ]
    return tuple(items)


def _roles_text(community: Community) -> str:
    """Each role's description and, where the form cannot show them otherwise, the trainings
    it needs (for a community that trains first, what the filer attests)."""
    lines = []
    every_question = {q.id for q in community.questions}
    for role in community.selectable_roles():
        line = f"{role.name}: {role.description}" if role.description else role.name
        if community.new_user.trains_first and role.requirements:
            needs = role.needs(every_question, before=None)
            line += f" Trainings: {describe_all(community, needs)}."
        if role.description or community.new_user.trains_first:
            lines.append(line)
    return "\n".join(lines)


def describe_all(community: Community, requirements: list[Requirement]) -> str:
    """``General Training; DPH privacy training or VA privacy training; VI-SPDAT training (if
    they will administer the VI-SPDAT)``."""
    names = {t.id: t.name for t in community.trainings}
    questions = {q.id: q for q in community.questions}
    parts = []
    for requirement in requirements:
        text = describe(requirement, names)
        if requirement.when and requirement.when in questions:
            text += f" (if yes to: {questions[requirement.when].text})"
        if requirement.before is Before.FULL_ROLE:
            text += " (after the account, for the full role)"
        parts.append(text)
    return "; ".join(parts)


def _attestations(community: Community) -> tuple[FormField, ...]:
    settings = community.new_user
    items = []
    if settings.staff_verification is StaffVerification.SUPERVISOR_CONFIRMS:
        items.append(
            FormField(
                F.BACKGROUND_CHECK,
                "Staff verification",
                FieldKind.ATTESTATION,
                required=False,
                options=(
                    Option(
                        YES,
                        "I am the direct supervisor and confirm this staff member passed the "
                        "agency's background check.",
                    ),
                ),
                hint="Otherwise the supervisor is asked to confirm it.",
            )
        )
    elif settings.staff_verification is StaffVerification.FILER_ATTESTS:
        items.append(
            FormField(
                F.BACKGROUND_CHECK,
                "Staff verification",
                FieldKind.ATTESTATION,
                options=(
                    Option(
                        YES, "I confirm this staff member passed the agency's background check."
                    ),
                ),
            )
        )
    if settings.trains_first:
        items.append(
            FormField(
                F.TRAININGS_DONE,
                "Trainings",
                FieldKind.ATTESTATION,
                options=(
                    Option(
                        YES,
                        "The new user has completed every training the chosen access role "
                        "needs before the account (listed with the roles above).",
                    ),
                ),
                hint="HMIS may check them in the training records before creating the account.",
            )
        )
    return tuple(items)


def _agency_options(community: Community, requester_email: str) -> tuple[Option, ...]:
    mine = [
        Option(a.id, a.name if a.status == "approved" else f"{a.name} ({a.status.value})")
        for a in community.agencies_filed_for_by(requester_email, NAME)
    ]
    return (*mine, Option(AGENCY_NOT_LISTED, "My agency is not on this list"))


def _participating_by_coc(community: Community, requester_email: str) -> tuple[OptionGroup, ...]:
    """Participating agencies by CoC, without the requester's own when they file for one
    agency only (then it is the new user's agency; with several, a pick of it is ignored)."""
    mine = community.agencies_filed_for_by(requester_email, NAME)
    own = {mine[0].id} if len(mine) == 1 else set()
    agencies = [a for a in community.participating_agencies() if a.id not in own]
    groups = (
        OptionGroup(
            f"{coc.name} agencies", tuple(Option(a.id, a.name) for a in agencies if a.coc == coc.id)
        )
        for coc in community.cocs
    )
    return tuple(g for g in groups if g.options)
