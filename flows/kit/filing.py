"""Filing helpers the smaller kinds share: the agency a request is for (picked among the
filer's own), the HMIS account of a person named by work e-mail, and refusing a form with
every problem next to its field and in the audit log."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flows.accounts import HmisAccount
from flows.community import Agency, AgencyStatus, Community
from flows.kit.forms import Problem, Problems, Reader, work_email
from flows.kit.machine import Machine
from flows.kit.people import MAX_CHOICES, PERSON, PERSON_EMAIL
from flows.model import Actor, AuditEvent
from flows.outcomes import FieldErrors
from flows.ports import Ledger
from flows.ui import FieldKind, FormField, Option

AGENCY = "agency"


def refused(machine: Machine[Any], actor: Actor, problems: Problems) -> FieldErrors:
    """The form back with each problem next to its field; one audit row names every code."""
    machine.ledger.audit(
        AuditEvent(
            actor,
            machine.action("file"),
            "refused",
            None,
            {field: problem.code for field, problem in problems.items()},
        )
    )
    return FieldErrors({field: problem.message for field, problem in problems.items()})


def agency_field(agencies: Sequence[Agency], label: str, hint: str = "") -> tuple[FormField, ...]:
    """A choice among the filer's agencies; nothing to choose when there is one."""
    if len(agencies) < 2:
        return ()
    options = tuple(Option(a.id, a.name) for a in agencies)
    return (FormField(AGENCY, label, FieldKind.SELECT, options=options, hint=hint),)


def read_agency(
    reader: Reader, agencies: Sequence[Agency], problems: Problems, *, participating: bool = True
) -> Agency | None:
    """The agency chosen among ``agencies`` (the only one when there is one); with
    ``participating``, refused unless it is an approved participating agency."""
    chosen = reader.text(AGENCY) or (agencies[0].id if len(agencies) == 1 else "")
    agency = next((a for a in agencies if a.id == chosen), None)
    if agency is None:
        code = "missing" if not chosen else "not_authorized"
        problems[AGENCY] = Problem(code, "Pick one of your agencies.")
        return None
    if participating and agency.status is not AgencyStatus.APPROVED:
        problems[AGENCY] = Problem(
            "agency_not_participating",
            f"{agency.name} is not an approved HMIS participating agency yet; this can be "
            "requested once HMIS has approved it.",
        )
        return None
    return agency


def read_account(
    reader: Reader,
    field: str,
    community: Community,
    ledger: Ledger,
    *,
    filer: str,
    problems: Problems,
) -> HmisAccount | None:
    """The held HMIS account of the person whose work e-mail is in ``field``; refused for the
    filer themselves and for anyone the bot knows no open HMIS account of."""
    typed = reader.text(field)
    if not typed:
        problems[field] = Problem("missing", "Give the person's work e-mail.")
        return None
    email = work_email(typed, community, field, problems)
    if email is None:
        return None
    if email == filer:
        problems[field] = Problem(
            "self_request", "Nobody files this for themselves; ask your agency lead or HMIS."
        )
        return None
    account = ledger.account_by_email(email)
    if account is None or not account.is_held:
        problems[field] = Problem(
            "unknown_person",
            f"The bot knows no open HMIS account for {email}. Check the address; someone "
            "without an HMIS account needs a New User Access Request first.",
        )
        return None
    return account


def account_fields(ledger: Ledger, agencies: Sequence[Agency], filer: str) -> tuple[FormField, ...]:
    """A list of the HMIS accounts at ``agencies`` (the filer left out), or a typed work
    e-mail for someone beyond the list's length."""
    accounts = [
        a for a in ledger.accounts_of([a.id for a in agencies], MAX_CHOICES) if a.email != filer
    ]
    picker = FormField(
        PERSON,
        "Person",
        FieldKind.SELECT,
        required=False,
        options=tuple(Option(a.email, a.name) for a in accounts),
    )
    typed = FormField(
        PERSON_EMAIL,
        "Or their work e-mail",
        FieldKind.EMAIL,
        required=False,
        hint="For someone not in the list.",
    )
    return (picker, typed) if accounts else (typed,)


def read_account_at(
    reader: Reader,
    community: Community,
    ledger: Ledger,
    agencies: Sequence[Agency],
    *,
    filer: str,
    problems: Problems,
) -> HmisAccount | None:
    """The held HMIS account picked from the list or typed, of someone at one of
    ``agencies``."""
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
    account = read_account(reader, field, community, ledger, filer=filer, problems=problems)
    if account is not None and account.agency_id not in {a.id for a in agencies}:
        agency = community.agency(account.agency_id)
        problems[field] = Problem(
            "not_authorized",
            f"{account.name} works for {agency.name if agency else account.agency_id}, not for "
            f"{_names(agencies)}.",
        )
        return None
    return account


def _names(agencies: Sequence[Agency]) -> str:
    names = [a.name for a in agencies]
    return " or ".join(names) if len(names) < 3 else ", ".join(names[:-1]) + f" or {names[-1]}"
