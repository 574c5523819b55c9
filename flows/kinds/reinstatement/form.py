"""The reinstatement form: whose disabled account (a lead's or supervisor's, from their
agency's disabled accounts or by work e-mail), or the person's own; and a note for HMIS."""

from __future__ import annotations

from flows.accounts import AccountStatus, HmisAccount
from flows.calendar import BusinessCalendar
from flows.community import Community
from flows.kinds.reinstatement.details import NAME
from flows.kinds.reinstatement.placement import REINSTATABLE
from flows.kit.forms import Problem, Problems, Reader, work_email
from flows.kit.people import MAX_CHOICES, PERSON, PERSON_EMAIL, acting_agencies
from flows.ladder import Needs
from flows.ports import Ledger
from flows.ui import FieldKind, Form, FormField, Option, Section

FORM_ID = "reinstatement_request"
NOTE = "note"


def reinstatement_form(
    community: Community, ledger: Ledger, filer: str, chosen: HmisAccount | None
) -> Form:
    """For a lead, supervisor or admin: one of their agencies' disabled accounts (their own
    too, which then goes to another lead or supervisor to endorse), or a typed work e-mail."""
    return Form(
        id=FORM_ID,
        title="Reinstate HMIS access",
        submit_label="Ask HMIS",
        items=(
            Section("Only accounts disabled for inactivity", ladder_text(community)),
            *_person_fields(community, ledger, filer, chosen),
            _note("Anything HMIS should know. Nothing about clients."),
        ),
    )


def own_reinstatement_form(community: Community, plan: str, endorsers: str) -> Form:
    """For the person whose account was disabled: nothing to pick."""
    return Form(
        id=FORM_ID,
        title="Reinstate my HMIS access",
        submit_label="Ask my agency",
        items=(
            Section(
                "Your request goes to your agency first",
                f"{plan} {endorsers} will be asked to endorse this request; once endorsed, it "
                "goes to HMIS.",
            ),
            _note("Why you need HMIS again, if you like. Nothing about clients."),
        ),
    )


def _note(hint: str) -> FormField:
    return FormField(NOTE, "Note", FieldKind.LONG_TEXT, required=False, hint=hint)


def _person_fields(
    community: Community, ledger: Ledger, filer: str, chosen: HmisAccount | None
) -> tuple[FormField, ...]:
    agencies = [a.id for a in acting_agencies(community, filer, NAME)]
    accounts = {
        a.id: a for a in ledger.accounts_of(agencies, MAX_CHOICES) if a.status in REINSTATABLE
    }
    own = ledger.account_by_email(filer)
    for extra in (chosen, own):
        if extra is not None and extra.status in REINSTATABLE:
            accounts[extra.id] = extra
    fields = []
    if accounts:
        ordered = sorted(accounts.values(), key=lambda a: (a.email != filer, a.name))
        fields.append(
            FormField(
                PERSON,
                "Person",
                FieldKind.SELECT,
                required=False,
                options=tuple(Option(a.email, _label(community, a, filer)) for a in ordered),
                initial=chosen.email if chosen and chosen.id in accounts else None,
            )
        )
    fields.append(
        FormField(
            PERSON_EMAIL,
            "Or their work e-mail",
            FieldKind.EMAIL,
            required=False,
            hint="For someone not in the list.",
        )
    )
    return tuple(fields)


def _label(community: Community, account: HmisAccount, filer: str) -> str:
    if account.email == filer:
        return f"Me ({account.name})"
    agency = community.agency(account.agency_id)
    return f"{account.name} ({agency.name})" if agency else account.name


def ladder_text(community: Community) -> str:
    """The community's ladder in words: what an account needs, by how long it was disabled."""
    steps = community.reinstatement
    window = community.deadlines.first_login
    after = f"Once re-enabled, the person logs in within {window}."
    if not steps or (len(steps) == 1 and steps[0].needs is Needs.RE_ENABLE):
        return f"HMIS admins re-enable an account disabled for inactivity. {after}"
    lines = []
    if steps[0].after.amount > 0:
        lines.append(f"Disabled less than {steps[0].after}: HMIS admins re-enable it.")
    for i, step in enumerate(steps):
        what = needs_text(community, step.needs, step.trainings)
        if i == 0 and step.after.amount == 0:
            until = f"Disabled less than {steps[1].after}" if len(steps) > 1 else "Any account"
            lines.append(f"{until}: {what}.")
        else:
            lines.append(f"Disabled {step.after} or more: {what}.")
    return "\n".join([*lines, after])


def needs_text(community: Community, needs: Needs, trainings: tuple[str, ...]) -> str:
    names = [t.name for t in (community.training(i) for i in trainings) if t is not None]
    if needs is Needs.RE_ENABLE:
        return "HMIS admins re-enable it"
    if needs is Needs.ROLE_TRAININGS:
        extra = f" and {' and '.join(names)}" if names else ""
        return (
            f"every training of the person's access role{extra} again first, then HMIS "
            "re-enables it"
        )
    return f"{' and '.join(names)} again first, then HMIS re-enables it"


def read_account(
    reader: Reader, community: Community, ledger: Ledger, filer: str, problems: Problems
) -> HmisAccount | None:
    """The disabled account the form names, or None with the problem next to its field."""
    picked, typed = reader.text(PERSON), reader.text(PERSON_EMAIL)
    if picked and typed:
        problems[PERSON_EMAIL] = Problem(
            "invalid", "Pick the person from the list or type their e-mail, not both."
        )
        return None
    if not (picked or typed):
        problems[PERSON] = Problem("missing", "Pick the person, or type their work e-mail below.")
        return None
    field = PERSON if picked else PERSON_EMAIL
    email = work_email(picked or typed, community, field, problems)
    if email is None:
        return None
    account = ledger.account_by_email(email)
    if account is None:
        problems[field] = Problem(
            "unknown_account",
            f"The bot has no HMIS account on record for {email}, so it cannot tell whether it "
            "was disabled for inactivity. Ask the HMIS help desk.",
        )
        return None
    agency = community.agency(account.agency_id)
    allowed = community.is_admin(filer) or (
        agency is not None and agency.may_file_requests(filer, community.filers(NAME))
    )
    if email != filer and not allowed:
        name = agency.name if agency else account.agency_id
        problems[field] = Problem(
            "not_authorized",
            f"{account.name} works for {name}; only its {community.filer_words(NAME)}, or HMIS "
            "admins, can ask for their account to be reinstated.",
        )
        return None
    return account


def not_reinstatable(account: HmisAccount, whose: str, calendar: BusinessCalendar) -> str | None:
    """Why this account cannot be reinstated (``whose``: ``Your`` or ``Jane Doe's``); None
    when it is disabled for inactivity."""
    status = account.status
    if status in REINSTATABLE:
        return None
    if status is AccountStatus.DEACTIVATED:
        return (
            f"{whose} HMIS account was deactivated, not disabled for inactivity: using HMIS "
            "again takes a New User Access Request from the agency."
        )
    if status is AccountStatus.PENDING_FIRST_LOGIN:
        state = f"is waiting for its first login (due {calendar.when(account.first_login_due)})"
    else:
        state = f"is active (last login on record: {calendar.when(account.last_login_at)})"
    return f"{whose} HMIS account {state}; only an account disabled for inactivity is reinstated."
