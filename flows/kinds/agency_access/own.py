"""A staff member's own request to see another agency's clients: which agency, and why. It
waits for a lead or supervisor of their own agency (the ``Endorsement`` names it) to endorse it
before any HMIS admin sees it."""

from __future__ import annotations

from flows.accounts import HmisAccount
from flows.community import Agency, AgencyStatus, Community
from flows.grants import AGENCY_ACCESS
from flows.kinds.agency_access.cards import REQUESTER, SUBJECT
from flows.kinds.agency_access.details import (
    NAME,
    AgencyAccessDetails,
    AgencyAccessState,
)
from flows.kinds.agency_access.form import WHY, staff_agency_access_form
from flows.kit import endorsement
from flows.kit.endorsement import Endorsement
from flows.kit.filing import AGENCY, refused
from flows.kit.forms import Problem, Problems, Reader, check_free_text
from flows.kit.machine import Machine
from flows.model import Actor, Filing
from flows.outcomes import Accepted, FieldErrors, OpenForm, Outcome
from flows.ports import FormValues
from flows.ui import Notice

Run = Machine[AgencyAccessDetails]
NOT_ALLOWED = (
    "Only leads and supervisors of the agency whose clients someone needs to see can ask for "
    "additional agency access, or staff whose HMIS account the bot knows for themselves; the "
    "bot knows neither for you. Ask that agency's lead."
)
NOT_PARTICIPATING = (
    "Your agency is not an approved HMIS participating agency, so you cannot be given access "
    "to another agency's clients. Ask your agency lead."
)
NO_OTHER_AGENCY = "No other agency participates in HMIS whose clients you could be given."


def open_form(machine: Run, actor: Actor) -> Outcome:
    """The staff member's form, naming who will be asked to endorse it; or why not."""
    staff = _staff(machine, actor, "open_form")
    if isinstance(staff, Notice):
        return staff
    community = machine.community
    endorsers = endorsement.endorsers(community, staff.agency_id, (actor.email,))
    if not endorsers:
        return endorsement.refuse_no_endorser(machine, actor, "open_form", staff.agency_id)
    hosts = _hosts(community, staff.agency_id)
    if not hosts:
        return machine.refuse(actor, "open_form", "no_other_agency", None, NO_OTHER_AGENCY)
    names = " or ".join(machine.view.name(e) for e in endorsers)
    home = machine.view.agency_name(staff.agency_id)
    return OpenForm(staff_agency_access_form(hosts, home, names))


def submit(machine: Run, actor: Actor, values: FormValues) -> Outcome:
    """File it, waiting for one of the endorsers of the staff member's own agency."""
    staff = _staff(machine, actor, "file")
    if isinstance(staff, Notice):
        return staff
    community = machine.community
    reader, problems = Reader(values), dict[str, Problem]()
    year = machine.calendar.local(machine.ledger.now()).year
    host = _read_host(reader, _hosts(community, staff.agency_id), problems)
    reason = check_free_text(reader, WHY, problems, year)
    if not reason and WHY not in problems:
        problems[WHY] = Problem("missing", "Say what your work with their clients is.")
    if host is not None and has_access(machine, staff, host):
        problems[AGENCY] = Problem(
            "already_granted", f"You already have access to {host.name}'s clients."
        )
    if problems or host is None:
        return refused(machine, actor, problems)
    endorsers = endorsement.endorsers(community, staff.agency_id, (actor.email,))
    if not endorsers:
        return endorsement.refuse_no_endorser(machine, actor, "file", staff.agency_id)
    audit = {"agency": host.id, "home_agency": staff.agency_id, "endorsement": "needed"}
    request = machine.file(actor, _filing(staff, host, reason, endorsers), audit)
    if request is None:
        machine.refuse(actor, "file", "duplicate", None, "")
        return FieldErrors({AGENCY: "You already have an open request to see these clients."})
    who = endorsement.waiting_for(machine.view, request)
    return Accepted(
        Notice(
            f"Request #{request.id} sent: you asked to see {host.name}'s clients. {who} will "
            "be asked to endorse it; once endorsed, it goes to HMIS. You will see each step "
            "in your messages from this bot and in your status list."
        )
    )


def has_access(machine: Run, account: HmisAccount, host: Agency) -> bool:
    """Whether the person holds access to the agency's clients already."""
    return any(
        g.kind == AGENCY_ACCESS and g.value == host.id
        for g in machine.ledger.grants_of(account.email)
    )


def _staff(machine: Run, actor: Actor, verb: str) -> HmisAccount | Notice:
    """The staff member's own account at an approved agency, or the refusal."""
    staff = endorsement.staff_account(machine.community, machine.ledger, actor.email)
    if staff is None:
        return machine.refuse(actor, verb, "not_authorized", None, NOT_ALLOWED)
    home = machine.community.agency(staff.agency_id)
    if home is None or home.status is not AgencyStatus.APPROVED:
        return machine.refuse(actor, verb, "agency_not_participating", None, NOT_PARTICIPATING)
    return staff


def _hosts(community: Community, home_id: str) -> list[Agency]:
    """The approved participating agencies whose clients a staff member of ``home_id`` could
    be given."""
    return [a for a in community.participating_agencies() if a.id != home_id]


def _read_host(reader: Reader, hosts: list[Agency], problems: Problems) -> Agency | None:
    """The agency a staff member picked among ``hosts`` (always a choice, even of one)."""
    chosen = reader.text(AGENCY)
    host = next((a for a in hosts if a.id == chosen), None)
    if host is None:
        code = "missing" if not chosen else "not_authorized"
        problems[AGENCY] = Problem(code, "Pick whose clients you need to see.")
    return host


def _filing(staff: HmisAccount, host: Agency, reason: str, endorsers: list[str]) -> Filing:
    details = AgencyAccessDetails(
        home_agency_id=staff.agency_id,
        reason=reason,
        account_id=staff.id,
        endorsement=Endorsement(agency_id=staff.agency_id),
    )
    return Filing(
        kind=NAME,
        state=AgencyAccessState.AWAITING_ENDORSEMENT,
        requester_email=staff.email,
        subject_email=staff.email,
        subject_name=staff.name,
        agency_id=host.id,
        details=details,
        parties={
            REQUESTER: staff.email,
            SUBJECT: staff.email,
            **endorsement.endorser_parties(endorsers),
        },
        open_key=f"{staff.email}:{host.id}",
    )
