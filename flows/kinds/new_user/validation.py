"""Checks a submitted request form field by field; every failure names its field."""

from __future__ import annotations

from flows.community import Agency, AgencyStatus, Community
from flows.kinds.new_user.details import NAME, NewUserDetails, NewUserDraft
from flows.kinds.new_user.form import AGENCY_NOT_LISTED, NO, YES, F, question_field
from flows.kit.forms import Problem, Problems, Reader, check_name, work_email
from flows.kit.participation import still_onboarding
from flows.new_user_settings import StaffVerification
from flows.ports import FormValues, Ledger

NOT_LISTED_MESSAGE = (
    "HMIS access is not provided to individuals; all access is given through HMIS "
    "participating agencies. If your agency recently applied to participate, requests can be "
    "filed once the application is approved. Please e-mail HMIS to check its status."
)
_NOT_YET = {
    AgencyStatus.APPLYING: (
        "is not yet approved to use HMIS: its application to participate is still being "
        "reviewed. Requests for its staff can be filed once HMIS approves it; the HMIS help "
        "desk can tell you where the application stands."
    ),
    AgencyStatus.SUSPENDED: (
        "is suspended from HMIS, so no new access can be requested for its staff until HMIS "
        "lifts the suspension. Ask the HMIS help desk what is needed."
    ),
}


def not_participating(agency: Agency) -> str:
    """Why an agency's staff cannot be given access yet, and what to do, in its own terms."""
    return f"{agency.name} {_NOT_YET.get(agency.status, 'is not approved to use HMIS.')}"


def validate_request(
    values: FormValues, community: Community, requester_email: str, ledger: Ledger
) -> NewUserDraft | Problems:
    reader = Reader(values)
    problems: Problems = {}
    settings = community.new_user
    for field_id in _required_fields(community):
        if not reader.text(field_id) and not reader.choices(field_id):
            problems[field_id] = Problem("missing", "Please fill this in.")
    _check_requester_role(reader, community, problems)
    agency_coc = _check_agency(reader, community, requester_email, problems)
    if settings.fields.asks("coc"):
        _check_coc(reader, community, agency_coc, problems)
    trainee_email = _check_trainee_email(reader, community, requester_email, ledger, problems)
    check_name(reader, F.TRAINEE_NAME, problems)
    _check_access_role(reader, community, problems)
    _check_additional_agencies(reader, community, problems)
    directly = _yes_no(reader, community, F.DIRECTLY_SUPERVISES, "directly_supervises")
    requester_name = known_name(community, ledger, requester_email)
    supervisor = _check_supervisor(
        reader,
        community,
        (requester_name or requester_email, requester_email),
        directly=directly,
        trainee_email=trainee_email,
        problems=problems,
    )
    attested = _check_attestation(reader, settings.staff_verification, directly, problems)
    if problems or supervisor is None or trainee_email is None:
        return problems
    details = NewUserDetails(
        requester_role=reader.text(F.REQUESTER_ROLE),
        requester_name=requester_name,
        directly_supervises=directly,
        supervisor_name=supervisor[0],
        supervisor_email=supervisor[1],
        coc_id=reader.text(F.COC) or agency_coc or "",
        access_role_id=reader.text(F.ACCESS_ROLE),
        monitors_contracts=_yes_no(reader, community, F.MONITORS_CONTRACTS, "monitors_contracts"),
        additional_agency_ids=_additional_agencies(reader),
        background_check_attested=attested,
        verification=settings.staff_verification,
        answered_yes=tuple(
            q.id for q in community.questions if reader.text(question_field(q.id)) == YES
        ),
        trained_first=settings.trains_first,
    )
    return NewUserDraft(
        requester_email=requester_email,
        agency_id=reader.text(F.AGENCY),
        trainee_name=reader.text(F.TRAINEE_NAME),
        trainee_email=trainee_email,
        details=details,
    )


_OPTIONAL_FIELDS = {
    "requester_role": F.REQUESTER_ROLE,
    "directly_supervises": F.DIRECTLY_SUPERVISES,
    "coc": F.COC,
    "monitors_contracts": F.MONITORS_CONTRACTS,
    "additional_agencies": F.ADDITIONAL_AGENCIES,
}
"""The fields a community may make optional or leave out, by their ``new_user.fields`` key."""


def _required_fields(community: Community) -> list[str]:
    settings = community.new_user
    required = [F.AGENCY, F.TRAINEE_NAME, F.TRAINEE_EMAIL, F.ACCESS_ROLE]
    required += [f for key, f in _OPTIONAL_FIELDS.items() if settings.fields.requires(key)]
    if settings.fields.requires("supervisor"):
        required += [F.SUPERVISOR_NAME, F.SUPERVISOR_EMAIL]
    required += [question_field(q.id) for q in community.questions]
    if settings.staff_verification is StaffVerification.FILER_ATTESTS:
        required.append(F.BACKGROUND_CHECK)
    if settings.trains_first:
        required.append(F.TRAININGS_DONE)
    return required


def _yes_no(reader: Reader, community: Community, field_id: str, key: str) -> bool | None:
    """A yes/no answer, or None where the community's form does not ask it."""
    if not community.new_user.fields.asks(key):
        return None
    answer = reader.text(field_id)
    return None if not answer else answer == YES


def _check_attestation(
    reader: Reader, verification: StaffVerification, directly: bool | None, problems: Problems
) -> bool:
    """The background check attested on the form: by the direct supervisor where supervisors
    confirm it, by the filer where the community has them attest it."""
    attested = YES in reader.choices(F.BACKGROUND_CHECK)
    if verification is StaffVerification.NONE:
        return False
    if attested and verification is StaffVerification.SUPERVISOR_CONFIRMS and not directly:
        problems[F.BACKGROUND_CHECK] = Problem(
            "invalid",
            (
                "Only the direct supervisor can attest here; leave it unticked and the supervisor "
                "will be asked to confirm the staff verification."
            ),
        )
    return attested


def _check_requester_role(reader: Reader, community: Community, problems: Problems) -> None:
    role = reader.text(F.REQUESTER_ROLE)
    if role and role not in community.requester_roles:
        problems[F.REQUESTER_ROLE] = Problem("invalid", "Pick your role from the list.")
    yes_no = [F.DIRECTLY_SUPERVISES, F.MONITORS_CONTRACTS]
    for field_id in [*yes_no, *(question_field(q.id) for q in community.questions)]:
        if reader.text(field_id) not in {"", YES, NO}:
            problems[field_id] = Problem("invalid", "Answer yes or no.")


def _check_agency(
    reader: Reader, community: Community, requester_email: str, problems: Problems
) -> str | None:
    agency_id = reader.text(F.AGENCY)
    if not agency_id:
        return None
    agency = community.agency(agency_id)
    if agency_id == AGENCY_NOT_LISTED:
        problems[F.AGENCY] = Problem("agency_not_listed", NOT_LISTED_MESSAGE)
    elif agency is None:
        problems[F.AGENCY] = Problem("unknown_agency", "Pick your agency from the list.")
    elif not agency.may_file_requests(requester_email, community.filers(NAME)):
        problems[F.AGENCY] = Problem(
            "not_authorized",
            (
                f"Only {community.filer_words(NAME)} of {agency.name} may request access for "
                "its staff, and the HMIS directory does not list you as one. Ask your agency "
                "lead or HMIS."
            ),
        )
    elif agency.status is not AgencyStatus.APPROVED:
        problems[F.AGENCY] = Problem(
            "agency_not_participating",
            still_onboarding(community, agency) or not_participating(agency),
        )
    return agency.coc if agency else None


def _check_coc(
    reader: Reader, community: Community, agency_coc: str | None, problems: Problems
) -> None:
    coc_id = reader.text(F.COC)
    if not coc_id:
        return
    if community.coc(coc_id) is None:
        problems[F.COC] = Problem("unknown_coc", "Pick a Continuum of Care from the list.")
    elif agency_coc is not None and coc_id != agency_coc and F.AGENCY not in problems:
        expected = community.coc(agency_coc)
        name = expected.name if expected else agency_coc
        problems[F.COC] = Problem("invalid", f"That agency belongs to {name}.")


def _check_trainee_email(
    reader: Reader,
    community: Community,
    requester_email: str,
    ledger: Ledger,
    problems: Problems,
) -> str | None:
    raw = reader.text(F.TRAINEE_EMAIL)
    if not raw:
        return None
    email = work_email(raw, community, F.TRAINEE_EMAIL, problems)
    if email is None:
        return None
    if email == requester_email:
        problems[F.TRAINEE_EMAIL] = Problem(
            "self_request",
            (
                "Staff may not request their own HMIS access; another supervisor or agency "
                "leader has to file it."
            ),
        )
    elif has_open_request_or_account(ledger, email):
        problems[F.TRAINEE_EMAIL] = Problem(
            "duplicate",
            (
                f"{email} already has an open request or an HMIS account. "
                'The "status" command shows it.'
            ),
        )
    return email


def known_name(community: Community, ledger: Ledger, email: str) -> str | None:
    """The directory's name for the person, else the one their chat profile showed."""
    listed = community.display_name(email)
    return listed if listed != email else ledger.person_name(email)


def has_open_request_or_account(ledger: Ledger, email: str) -> bool:
    """A new-user request is refused for someone with an open one or an account they hold."""
    account = ledger.account_by_email(email)
    return ledger.open_request(NAME, email) is not None or (account is not None and account.is_held)


def _check_access_role(reader: Reader, community: Community, problems: Problems) -> None:
    role_id = reader.text(F.ACCESS_ROLE)
    role = community.access_role(role_id)
    if role_id and (role is None or not role.selectable):
        problems[F.ACCESS_ROLE] = Problem(
            "unknown_role",
            ("That access role is not in this community's catalog; pick one from the list."),
        )


def _check_additional_agencies(reader: Reader, community: Community, problems: Problems) -> None:
    participating = {a.id for a in community.participating_agencies()}
    bad = [a for a in reader.choices(F.ADDITIONAL_AGENCIES) if a not in participating]
    if bad:
        problems[F.ADDITIONAL_AGENCIES] = Problem(
            "unknown_agency",
            (
                "Additional access is only given to participating agencies of this community's "
                f"CoCs; not: {', '.join(bad)}."
            ),
        )


def _additional_agencies(reader: Reader) -> tuple[str, ...]:
    """The other agencies picked: the form cannot know the agency before it is submitted, so
    the user's own agency, if picked too, is simply left out (it is theirs already)."""
    own = reader.text(F.AGENCY)
    return tuple(dict.fromkeys(a for a in reader.choices(F.ADDITIONAL_AGENCIES) if a != own))


def _check_supervisor(
    reader: Reader,
    community: Community,
    requester: tuple[str, str],
    *,
    directly: bool | None,
    trainee_email: str | None,
    problems: Problems,
) -> tuple[str, str] | None:
    """The supervisor's (name, e-mail): the requester's own when they supervise directly, or
    when the community's form does not ask and none is named."""
    name = reader.text(F.SUPERVISOR_NAME)
    raw = reader.text(F.SUPERVISOR_EMAIL)
    if directly or (directly is None and not (name or raw)):
        return requester
    if not name:
        problems[F.SUPERVISOR_NAME] = Problem("missing", "Name the new user's direct supervisor.")
    if not raw:
        problems[F.SUPERVISOR_EMAIL] = Problem("missing", "The supervisor's work e-mail, please.")
        return None
    email = work_email(raw, community, F.SUPERVISOR_EMAIL, problems)
    if email is not None and email == trainee_email:
        problems[F.SUPERVISOR_EMAIL] = Problem(
            "self_request", ("The new user cannot verify themselves; name their supervisor.")
        )
        return None
    check_name(reader, F.SUPERVISOR_NAME, problems)
    return (name, email) if email and name else None
