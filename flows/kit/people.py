"""Picking the person a request is about from the HMIS accounts of the filer's agencies, or by
work e-mail for an account the bot does not know, and checking the filer may act for them.

Every kind about an existing HMIS user (deactivation, role change) uses these same fields and
rules: agency leads and supervisors act for their own agency's staff, HMIS admins for anyone,
nobody for themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

from flows.accounts import HmisAccount
from flows.community import Agency, Community
from flows.kit.forms import Problem, Problems, Reader, check_name, work_email
from flows.ports import Ledger
from flows.ui import FieldKind, FormField, Option

PERSON = "person"
PERSON_EMAIL = "person_email"
PERSON_NAME = "person_name"
AGENCY = "agency"
MAX_CHOICES = 100  # Slack's static select shows at most 100 options; the rest are typed


@dataclass(frozen=True)
class Person:
    """Who a request is about: their account when the bot knows it."""

    email: str
    name: str
    agency_id: str
    account: HmisAccount | None


def acting_agencies(community: Community, email: str, kind: str) -> list[Agency]:
    """The agencies whose staff this person may file requests of ``kind`` for: all for HMIS
    admins, otherwise those where they hold a position that files it."""
    if community.is_admin(email):
        return list(community.agencies)
    return community.agencies_filed_for_by(email, kind)


def person_fields(
    community: Community, ledger: Ledger, filer: str, chosen: HmisAccount | None, kind: str
) -> tuple[FormField, ...]:
    """A list of the filer's agencies' accounts, or an e-mail (and name and agency) for
    someone the bot does not know; ``chosen`` is pre-selected."""
    agencies = acting_agencies(community, filer, kind)
    mine = community.agencies_filed_for_by(filer, kind)
    accounts = [
        a for a in ledger.accounts_of([a.id for a in mine], MAX_CHOICES) if a.email != filer
    ]
    fields: list[FormField] = []
    if accounts or chosen:
        listed = {a.id: a for a in accounts} | ({chosen.id: chosen} if chosen else {})
        fields.append(
            FormField(
                PERSON,
                "Person",
                FieldKind.SELECT,
                required=False,
                options=tuple(
                    Option(a.email, _label(community, a))
                    for a in sorted(listed.values(), key=lambda a: a.name)
                ),
                initial=chosen.email if chosen else None,
            )
        )
    fields += [
        FormField(
            PERSON_EMAIL,
            "Or their work e-mail",
            FieldKind.EMAIL,
            required=False,
            hint="For someone not in the list.",
        ),
        FormField(PERSON_NAME, "Their full name", FieldKind.TEXT, required=False),
    ]
    if len(agencies) > 1:
        fields.append(
            FormField(
                AGENCY,
                "Their agency",
                FieldKind.SELECT,
                required=False,
                options=tuple(Option(a.id, a.name) for a in agencies),
                hint="Only needed for someone not in the list.",
            )
        )
    return tuple(fields)


def _label(community: Community, account: HmisAccount) -> str:
    agency = community.agency(account.agency_id)
    return f"{account.name} ({agency.name})" if agency else account.name


def read_person(
    reader: Reader,
    community: Community,
    ledger: Ledger,
    filer: str,
    problems: Problems,
    *,
    kind: str,
) -> Person | None:
    """The person the form names, or None with the problem noted next to its field."""
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
    if email == filer:
        problems[field] = Problem(
            "self_request", "Nobody files this for themselves; ask your agency lead or HMIS."
        )
        return None
    account = ledger.account_by_email(email)
    if account is not None and account.is_held:
        return _authorized(
            Person(email, account.name, account.agency_id, account),
            community,
            filer,
            field,
            problems,
            kind=kind,
        )
    return _unknown(reader, community, filer, email, problems, kind=kind)


def _unknown(
    reader: Reader, community: Community, filer: str, email: str, problems: Problems, *, kind: str
) -> Person | None:
    agencies = acting_agencies(community, filer, kind)
    agency_id = reader.text(AGENCY) or (agencies[0].id if len(agencies) == 1 else "")
    if community.agency(agency_id) is None:
        problems[AGENCY] = Problem("missing", "Pick their agency.")
        return None
    check_name(reader, PERSON_NAME, problems)
    name = reader.text(PERSON_NAME) or community.display_name(email)
    person = Person(email, name, agency_id, None)
    return _authorized(person, community, filer, AGENCY, problems, kind=kind)


def _authorized(
    person: Person, community: Community, filer: str, field: str, problems: Problems, *, kind: str
) -> Person | None:
    if community.is_admin(filer):
        return person
    agency = community.agency(person.agency_id)
    if agency is None or not agency.may_file_requests(filer, community.filers(kind)):
        name = agency.name if agency else person.agency_id
        problems[field] = Problem(
            "not_authorized",
            f"{person.name} works for {name}; only its {community.filer_words(kind)}, or HMIS "
            "admins, can file this for them.",
        )
        return None
    return person
