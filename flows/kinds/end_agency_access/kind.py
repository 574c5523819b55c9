"""The state machine that ends additional agency access: filed by a lead or supervisor of
either agency (the one whose clients the person sees, or their own), or by an HMIS admin, for
access on record; an HMIS admin removes it in HMIS and confirms, and the grant ends."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from flows.accounts import HmisAccount
from flows.community import Agency, Community
from flows.grants import AGENCY_ACCESS, GRANT_SUBJECT, Grant
from flows.kinds.end_agency_access import nudges
from flows.kinds.end_agency_access.cards import (
    REQUESTER,
    STATE_LABELS,
    SUBJECT,
    EndAccessCards,
    audiences,
)
from flows.kinds.end_agency_access.details import (
    ADMIN_STATES,
    NAME,
    OPEN_STATES,
    EndAccessDetails,
    EndAccessRequest,
    EndAccessState,
)
from flows.kinds.end_agency_access.form import FORM_ID, PERSON_EMAIL, WHY, end_access_form
from flows.kit.filing import AGENCY, read_account, refused
from flows.kit.forms import Problem, Problems, Reader, check_free_text
from flows.kit.kind import ADMIN, CardView, RequestKind, Step
from flows.kit.machine import Machine
from flows.kit.people import acting_agencies
from flows.model import Actor, AuditEvent, Filing, Subject
from flows.nudges.cutoffs import Cutoffs
from flows.nudges.letters import Letter
from flows.nudges.rules import RequestRule
from flows.outcomes import Accepted, FieldErrors, OpenForm, Outcome
from flows.ports import FormValues, Ledger
from flows.ui import Card, Notice

Run = Machine[EndAccessDetails]
NOT_ALLOWED = (
    "Only agency leads, supervisors and HMIS admins can ask for additional agency access to "
    "end, and the HMIS directory does not list you as one. Ask your agency lead."
)


class EndAgencyAccessKind(RequestKind[EndAccessDetails]):
    name = NAME
    command = "end-agency-access"
    help = "asks HMIS admins to end someone's access to another agency's clients"
    title = "End additional agency access"
    details_model = EndAccessDetails
    labels = STATE_LABELS
    open_states = frozenset(OPEN_STATES)
    admin_states = frozenset(ADMIN_STATES)
    forms = frozenset({FORM_ID})
    withdrawn_state = EndAccessState.WITHDRAWN

    # Filing ---------------------------------------------------------------------------------

    def open_form(self, machine: Run, actor: Actor, account: HmisAccount | None = None) -> Outcome:
        if not acting_agencies(machine.community, actor.email, NAME):
            return machine.refuse(actor, "open_form", "not_authorized", None, NOT_ALLOWED)
        return OpenForm(end_access_form(machine.community))

    def submit(
        self, machine: Run, actor: Actor, form_id: str, context: str, values: FormValues
    ) -> Outcome:
        community = machine.community
        if not acting_agencies(community, actor.email, NAME):
            return machine.refuse(actor, "file", "not_authorized", None, NOT_ALLOWED)
        reader, problems = Reader(values), dict[str, Problem]()
        year = machine.calendar.local(machine.ledger.now()).year
        account = read_account(
            reader, PERSON_EMAIL, community, machine.ledger, filer=actor.email, problems=problems
        )
        host = community.agency(reader.text(AGENCY))
        if host is None:
            problems[AGENCY] = Problem("missing", "Pick the agency whose clients they see.")
        reason = check_free_text(reader, WHY, problems, year)
        if not reason and WHY not in problems:
            problems[WHY] = Problem("missing", "Say why the access ends.")
        grant = None
        if account is not None and host is not None:
            grant = _checked_grant(machine, actor.email, account, host, problems)
        if problems or account is None or host is None or grant is None:
            return refused(machine, actor, problems)
        details = EndAccessDetails(
            home_agency_id=account.agency_id,
            reason=reason,
            grant_id=grant.id,
            granted_at=grant.granted_at,
        )
        filing = Filing(
            kind=NAME,
            state=EndAccessState.AWAITING_ADMIN,
            requester_email=actor.email,
            subject_email=account.email,
            subject_name=account.name,
            agency_id=host.id,
            details=details,
            parties={REQUESTER: actor.email, SUBJECT: account.email},
            open_key=f"{account.email}:{host.id}",
        )
        request = machine.file(actor, filing, {"agency": host.id, "grant": str(grant.id)})
        if request is None:
            machine.refuse(actor, "file", "duplicate", None, "")
            return FieldErrors(
                {PERSON_EMAIL: f"Someone already asked for this access of {account.name} to end."}
            )
        sla = community.deadlines.deactivation
        return Accepted(
            Notice(
                f"Request #{request.id} filed: {account.name}'s access to {host.name}'s clients "
                f"ends. HMIS admins remove it within {sla}."
            )
        )

    # Steps ----------------------------------------------------------------------------------

    def steps(self) -> Mapping[str, Step[EndAccessDetails]]:
        waiting = frozenset({EndAccessState.AWAITING_ADMIN})
        return {
            "confirm": Step(
                ADMIN,
                waiting,
                self._confirm,
                refusal="Only HMIS admins can confirm that access was removed in HMIS.",
            ),
            "withdraw": Step(
                REQUESTER,
                waiting,
                self._withdraw,
                refusal="Only the person who filed the request can withdraw it.",
            ),
        }

    def _confirm(
        self, machine: Run, actor: Actor, request: EndAccessRequest, _arg: str, _reason: str
    ) -> Outcome:
        removed = EndAccessState.REMOVED
        if machine.move(request, actor, removed, "confirm", decided=True) is None:
            return machine.lost_race(actor, request, "confirm")
        grant = _active_grant(machine.ledger, request.subject_email, request.agency_id)
        ended = machine.ledger.end_grant(grant, actor.email) if grant else None
        machine.ledger.audit(
            AuditEvent(
                actor,
                "grant.ended",
                "ok" if ended else "refused",
                Subject(GRANT_SUBJECT, str(request.details.grant_id)),
                {"kind": AGENCY_ACCESS, "value": request.agency_id, "request": str(request.id)}
                | ({} if ended else {"reason": "already_ended"}),
            )
        )
        host = machine.view.agency_name(request.agency_id)
        return Notice(f"Recorded: {request.subject_name} no longer sees {host}'s clients.")

    def _withdraw(
        self, machine: Run, actor: Actor, request: EndAccessRequest, _arg: str, _reason: str
    ) -> Outcome:
        to_state = EndAccessState.WITHDRAWN
        if machine.move(request, actor, to_state, "withdraw", decided=True) is None:
            return machine.lost_race(actor, request, "withdraw")
        return Notice(f"Request #{request.id} for {request.subject_name} withdrawn.")

    # Cards ----------------------------------------------------------------------------------

    def audiences(
        self, community: Community, request: EndAccessRequest
    ) -> list[tuple[str, str | None]]:
        return audiences(community, request)

    def audience_of(self, request: EndAccessRequest, email: str) -> str:
        return SUBJECT if email == request.subject_email else REQUESTER

    def render(self, view: CardView, request: EndAccessRequest, audience: str) -> Card:
        return EndAccessCards(view).render(request, audience)

    # Nudges ---------------------------------------------------------------------------------

    def nudge_rules(self, community: Community, cutoffs: Cutoffs) -> Iterable[RequestRule]:
        return nudges.rules(community, cutoffs)

    def letters(
        self,
        view: CardView,
        nudge: str,
        request: EndAccessRequest,
        occurrence: datetime,
        now: datetime,
    ) -> list[Letter]:
        return nudges.letters(view, nudge, request, occurrence, now)


def _active_grant(ledger: Ledger, email: str, agency_id: str) -> Grant | None:
    return next(
        (g for g in ledger.grants_of(email) if g.kind == AGENCY_ACCESS and g.value == agency_id),
        None,
    )


def _checked_grant(
    machine: Run, filer: str, account: HmisAccount, host: Agency, problems: Problems
) -> Grant | None:
    """The access to end, when the filer may end it: as an HMIS admin, or a lead or
    supervisor of either agency."""
    home = machine.community.agency(account.agency_id)
    allowed = (
        machine.community.is_admin(filer)
        or host.may_file_requests(filer, machine.community.filers(NAME))
        or (home is not None and home.may_file_requests(filer, machine.community.filers(NAME)))
    )
    if not allowed:
        home_name = home.name if home else account.agency_id
        problems[PERSON_EMAIL] = Problem(
            "not_authorized",
            f"Only leads and supervisors of {host.name} or of {home_name}, or HMIS admins, can "
            f"end {account.name}'s access to {host.name}'s clients.",
        )
        return None
    grant = _active_grant(machine.ledger, account.email, host.id)
    if grant is None:
        problems[AGENCY] = Problem(
            "no_grant", f"{account.name} has no access to {host.name}'s clients on record."
        )
    return grant
