"""The additional agency access state machine: filed by a lead or supervisor of the agency
whose clients the person will see, for someone with an HMIS account at another participating
agency; that agency's leads may object; an HMIS admin adds it (or denies it, with a reason).

A staff member may ask to see another agency's clients themselves: their request waits for a
lead or supervisor of their OWN agency to endorse it, and then goes on exactly as the other
agency's lead's request would, to the HMIS admins. The endorsement is their agency's say, so its
leads are not asked again whether to object; the other agency did not ask, so the admins' card
says to check with its lead before adding the access."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from flows.accounts import HmisAccount
from flows.community import Agency, AgencyStatus, Community
from flows.grants import AGENCY_ACCESS, GRANT_SUBJECT
from flows.kinds.agency_access import nudges, own
from flows.kinds.agency_access.cards import (
    REQUESTER,
    STATE_LABELS,
    SUBJECT,
    AgencyAccessCards,
    audiences,
    home_leads,
)
from flows.kinds.agency_access.details import (
    ADMIN_STATES,
    HOME_LEAD,
    NAME,
    OPEN_STATES,
    AgencyAccessDetails,
    AgencyAccessRequest,
    AgencyAccessState,
    Objection,
)
from flows.kinds.agency_access.form import (
    FORM_ID,
    PERSON_EMAIL,
    WHY,
    agency_access_form,
)
from flows.kinds.agency_access.own import has_access
from flows.kit import endorsement
from flows.kit.endorsement import ENDORSER
from flows.kit.filing import read_account, read_agency, refused
from flows.kit.forms import Problem, Problems, Reader, check_free_text
from flows.kit.kind import ADMIN, CardView, ReasonPrompt, RequestKind, Step
from flows.kit.machine import Machine
from flows.model import Actor, AuditEvent, Filing, Subject
from flows.nudges.cutoffs import Cutoffs
from flows.nudges.letters import Letter, Role, audience_for
from flows.nudges.rules import RequestRule
from flows.outcomes import Accepted, FieldErrors, OpenForm, Outcome
from flows.ports import FormValues
from flows.ui import Card, Notice

Run = Machine[AgencyAccessDetails]
NOT_PARTICIPATING = (
    "Your agency is not an approved HMIS participating agency yet, so its clients cannot be "
    "shared. Ask HMIS about your agency's participation."
)


class AgencyAccessKind(RequestKind[AgencyAccessDetails]):
    name = NAME
    command = "agency-access"
    help = (
        "asks HMIS admins to let someone with an HMIS account at another agency see your "
        "agency's clients (their agency's leads may object), or to see another agency's clients "
        "yourself once your agency endorses it"
    )
    title = "Additional agency access"
    details_model = AgencyAccessDetails
    labels = STATE_LABELS
    open_states = frozenset(OPEN_STATES)
    admin_states = frozenset(ADMIN_STATES)
    forms = frozenset({FORM_ID})
    parties = (REQUESTER, SUBJECT, HOME_LEAD)
    withdrawn_state = AgencyAccessState.WITHDRAWN

    def holds(
        self, community: Community, request: AgencyAccessRequest, party: str, email: str
    ) -> bool:
        """Any lead of the person's own agency, as the directory knows them now, holds
        ``home_lead`` (unless that agency endorsed the person's own request: it had its say);
        any lead or supervisor of it but the person holds ``endorser``."""
        if party == HOME_LEAD:
            return not request.details.self_filed and email in home_leads(community, request)
        if party == ENDORSER:
            return endorsement.may_endorse(community, request, email)
        return super().holds(community, request, party, email)

    # Filing ---------------------------------------------------------------------------------

    def open_form(self, machine: Run, actor: Actor, account: HmisAccount | None = None) -> Outcome:
        agencies = machine.community.agencies_filed_for_by(actor.email, NAME)
        if not agencies:
            return own.open_form(machine, actor)
        participating = _participating(agencies)
        if not participating:
            return machine.refuse(
                actor, "open_form", "agency_not_participating", None, NOT_PARTICIPATING
            )
        return OpenForm(agency_access_form(participating))

    def submit(
        self, machine: Run, actor: Actor, form_id: str, context: str, values: FormValues
    ) -> Outcome:
        community = machine.community
        agencies = community.agencies_filed_for_by(actor.email, NAME)
        if not agencies:
            return own.submit(machine, actor, values)
        reader, problems = Reader(values), dict[str, Problem]()
        year = machine.calendar.local(machine.ledger.now()).year
        host = read_agency(reader, agencies, problems)
        account = read_account(
            reader, PERSON_EMAIL, community, machine.ledger, filer=actor.email, problems=problems
        )
        reason = check_free_text(reader, WHY, problems, year)
        if not reason and WHY not in problems:
            problems[WHY] = Problem("missing", "Say what their work with your clients is.")
        if host is not None and account is not None:
            self._check_person(machine, host, account, problems)
        if problems or host is None or account is None:
            return refused(machine, actor, problems)
        details = AgencyAccessDetails(
            home_agency_id=account.agency_id, reason=reason, account_id=account.id
        )
        request = machine.file(
            actor,
            self._filing(machine, actor, host, account, details),
            {"agency": host.id, "home_agency": account.agency_id},
        )
        if request is None:
            machine.refuse(actor, "file", "duplicate", None, "")
            return FieldErrors(
                {PERSON_EMAIL: f"{account.name} already has an open request to see these clients."}
            )
        sla = community.deadlines.approval
        return Accepted(
            Notice(
                f"Request #{request.id} filed: {account.name} to see {host.name}'s clients. "
                f"Their agency's leads are told and may object; HMIS admins decide within {sla}."
            )
        )

    @staticmethod
    def _check_person(machine: Run, host: Agency, account: HmisAccount, problems: Problems) -> None:
        """Refuse someone of the agency itself, of an agency not participating, or who holds
        the access already."""
        home = machine.community.agency(account.agency_id)
        if account.agency_id == host.id:
            problems[PERSON_EMAIL] = Problem(
                "own_agency", f"{account.name} works for {host.name}: they see its clients already."
            )
        elif home is None or home.status is not AgencyStatus.APPROVED:
            name = home.name if home else account.agency_id
            problems[PERSON_EMAIL] = Problem(
                "agency_not_participating",
                f"{account.name}'s agency, {name}, is not an approved HMIS participating agency.",
            )
        elif has_access(machine, account, host):
            problems[PERSON_EMAIL] = Problem(
                "already_granted", f"{account.name} already has access to {host.name}'s clients."
            )

    @staticmethod
    def _filing(
        machine: Run, actor: Actor, host: Agency, account: HmisAccount, details: AgencyAccessDetails
    ) -> Filing:
        leads = [e for e in _leads(machine.community, account.agency_id) if e != actor.email]
        parties = {REQUESTER: actor.email, SUBJECT: account.email}
        parties |= {f"{HOME_LEAD}.{i}": email for i, email in enumerate(leads, 1)}
        return Filing(
            kind=NAME,
            state=AgencyAccessState.AWAITING_ADMIN,
            requester_email=actor.email,
            subject_email=account.email,
            subject_name=account.name,
            agency_id=host.id,
            details=details,
            parties=parties,
            open_key=f"{account.email}:{host.id}",
        )

    # Steps ----------------------------------------------------------------------------------

    def steps(self) -> Mapping[str, Step[AgencyAccessDetails]]:
        waiting = frozenset({AgencyAccessState.AWAITING_ADMIN})
        endorsing = frozenset({AgencyAccessState.AWAITING_ENDORSEMENT})
        return {
            "object": Step(
                HOME_LEAD,
                waiting,
                self._object,
                reason=ReasonPrompt(
                    "Object to additional agency access", "Why (HMIS admins will see it)", "Object"
                ),
                refusal=(
                    "Only the leads of the person's own agency can object to this access, and "
                    "not to a request of their own that their agency endorsed."
                ),
            ),
            "confirm": Step(
                ADMIN,
                waiting,
                self._confirm,
                refusal="Only HMIS admins can confirm that access was added in HMIS.",
            ),
            "deny": Step(
                ADMIN,
                waiting,
                self._deny,
                reason=ReasonPrompt(
                    "Deny additional agency access", "Reason (the requester will see it)", "Deny"
                ),
            ),
            "withdraw": Step(
                REQUESTER,
                self.open_states,
                self._withdraw,
                refusal="Only the person who filed the request can withdraw it.",
            ),
            **endorsement.steps(endorsing, self._endorse, self._decline),
        }

    def _endorse(
        self, machine: Run, actor: Actor, request: AgencyAccessRequest, _arg: str, _reason: str
    ) -> Outcome:
        """Endorsed: on to the HMIS admins, exactly as the other agency's lead's request."""
        now = machine.ledger.now()
        given = endorsement.endorsed(request.details.endorsement, actor, now)
        details = request.details.model_copy(update={"endorsement": given})
        to_state = AgencyAccessState.AWAITING_ADMIN
        moved = machine.move(request, actor, to_state, endorsement.ENDORSE, details=details)
        if moved is None:
            return machine.lost_race(actor, request, endorsement.ENDORSE)
        host = machine.view.agency_name(request.agency_id)
        sla = machine.community.deadlines.approval
        return Notice(
            f"Endorsed: request #{request.id} for {request.subject_name} to see {host}'s "
            f"clients. HMIS admins decide within {sla}."
        )

    def _decline(
        self, machine: Run, actor: Actor, request: AgencyAccessRequest, _arg: str, reason: str
    ) -> Outcome:
        declined = AgencyAccessState.DECLINED
        return endorsement.decline(machine, actor, request, declined, reason)

    def _object(
        self, machine: Run, actor: Actor, request: AgencyAccessRequest, _arg: str, reason: str
    ) -> Outcome:
        details = request.details
        if details.objected_by(actor.email):
            return machine.refuse(
                actor,
                "object",
                "already_objected",
                request.id,
                "You objected to this request already; HMIS admins see your reason.",
            )
        objection = Objection(by=actor.email, at=machine.ledger.now(), reason=reason)
        objected = details.model_copy(update={"objections": (*details.objections, objection)})
        moved = machine.move(
            request, actor, request.state, "object", reason=reason, details=objected
        )
        if moved is None:
            return machine.lost_race(actor, request, "object")
        return Notice(
            f"Your objection to request #{request.id} is recorded; HMIS admins read it before "
            "they decide."
        )

    def _confirm(
        self, machine: Run, actor: Actor, request: AgencyAccessRequest, _arg: str, _reason: str
    ) -> Outcome:
        added = AgencyAccessState.ADDED
        if machine.move(request, actor, added, "confirm", decided=True) is None:
            return machine.lost_race(actor, request, "confirm")
        grant = machine.ledger.add_grant(
            request.subject_email, AGENCY_ACCESS, request.agency_id, request.id
        )
        machine.ledger.audit(
            AuditEvent(
                actor,
                "grant.added",
                "ok" if grant else "refused",
                Subject(GRANT_SUBJECT, str(grant.id)) if grant else Subject.request(request.id),
                {"kind": AGENCY_ACCESS, "value": request.agency_id, "request": str(request.id)},
            )
        )
        host = machine.view.agency_name(request.agency_id)
        return Notice(f"Recorded: {request.subject_name} can see {host}'s clients in HMIS.")

    def _deny(
        self, machine: Run, actor: Actor, request: AgencyAccessRequest, _arg: str, reason: str
    ) -> Outcome:
        to_state = AgencyAccessState.DENIED
        if machine.move(request, actor, to_state, "deny", reason=reason, decided=True) is None:
            return machine.lost_race(actor, request, "deny")
        return Notice(f"Request #{request.id} for {request.subject_name} denied.")

    def _withdraw(
        self, machine: Run, actor: Actor, request: AgencyAccessRequest, _arg: str, _reason: str
    ) -> Outcome:
        to_state = AgencyAccessState.WITHDRAWN
        if machine.move(request, actor, to_state, "withdraw", decided=True) is None:
            return machine.lost_race(actor, request, "withdraw")
        return Notice(f"Request #{request.id} for {request.subject_name} withdrawn.")

    # Cards ----------------------------------------------------------------------------------

    def audiences(
        self, community: Community, request: AgencyAccessRequest
    ) -> list[tuple[str, str | None]]:
        return audiences(community, request)

    def audience_of(self, request: AgencyAccessRequest, email: str) -> str:
        if email == request.requester_email:
            return REQUESTER
        if email == request.subject_email:
            return SUBJECT
        return audience_for(Role.LEAD, email)  # the person's own agency's leads are parties

    def render(self, view: CardView, request: AgencyAccessRequest, audience: str) -> Card:
        return AgencyAccessCards(view).render(request, audience)

    # Nudges ---------------------------------------------------------------------------------

    def nudge_rules(self, community: Community, cutoffs: Cutoffs) -> Iterable[RequestRule]:
        return nudges.rules(community, cutoffs)

    def letters(
        self,
        view: CardView,
        nudge: str,
        request: AgencyAccessRequest,
        occurrence: datetime,
        now: datetime,
    ) -> list[Letter]:
        return nudges.letters(view, nudge, request, occurrence, now)


def _participating(agencies: list[Agency]) -> list[Agency]:
    return [a for a in agencies if a.status is AgencyStatus.APPROVED]


def _leads(community: Community, agency_id: str) -> tuple[str, ...]:
    agency = community.agency(agency_id)
    return agency.leads if agency else ()
