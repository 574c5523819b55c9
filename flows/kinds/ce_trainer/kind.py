"""The CE trainer designation state machine: filed by a lead of a participating agency in a
community with Coordinated Entry assessors, for someone with an HMIS account there; an HMIS
admin confirms and the agency's ``ce-trainer`` position is recorded in the directory."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from flows.accounts import HmisAccount
from flows.community import CE_TRAINER, Agency, AgencyStatus, Community
from flows.directory import POSITION_PREFIX, Action, AgencyChange
from flows.kinds.ce_trainer import nudges
from flows.kinds.ce_trainer.cards import (
    ADMINS,
    REQUESTER,
    STATE_LABELS,
    SUBJECT,
    CeTrainerCards,
)
from flows.kinds.ce_trainer.details import (
    ADMIN_STATES,
    NAME,
    OPEN_STATES,
    CeTrainerDetails,
    CeTrainerRequest,
    CeTrainerState,
)
from flows.kinds.ce_trainer.form import FORM_ID, ce_trainer_form
from flows.kit.filing import read_account_at, read_agency, refused
from flows.kit.forms import Problem, Reader
from flows.kit.kind import ADMIN, CardView, ReasonPrompt, RequestKind, Step
from flows.kit.machine import Machine
from flows.kit.people import PERSON, PERSON_EMAIL
from flows.model import Actor, AuditEvent, Filing, Subject
from flows.nudges.cutoffs import Cutoffs
from flows.nudges.letters import Letter
from flows.nudges.rules import RequestRule
from flows.outcomes import Accepted, FieldErrors, OpenForm, Outcome
from flows.ports import FormValues
from flows.ui import Card, Notice

Run = Machine[CeTrainerDetails]
POSITION = f"{POSITION_PREFIX}{CE_TRAINER}"
NOT_OFFERED = (
    "Your HMIS community does not run Coordinated Entry assessor access through this bot, so "
    "there is no CE trainer to name here. Ask the HMIS help desk."
)
NOT_ALLOWED = (
    "Only an agency's lead names its Coordinated Entry trainer, and the HMIS directory does not "
    "list you as one. Ask your agency lead."
)
NOT_PARTICIPATING = (
    "A CE trainer is named for an approved HMIS participating agency; yours is not approved "
    "yet. Ask HMIS about your agency's onboarding."
)


class CeTrainerKind(RequestKind[CeTrainerDetails]):
    name = NAME
    command = "ce-trainer"
    help = "names your agency's Coordinated Entry trainer, confirmed by HMIS admins (agency leads)"
    title = "Coordinated Entry trainer"
    details_model = CeTrainerDetails
    labels = STATE_LABELS
    open_states = frozenset(OPEN_STATES)
    admin_states = frozenset(ADMIN_STATES)
    forms = frozenset({FORM_ID})
    withdrawn_state = CeTrainerState.WITHDRAWN

    # Filing ---------------------------------------------------------------------------------

    def open_form(self, machine: Run, actor: Actor, account: HmisAccount | None = None) -> Outcome:
        refusal = self._not_allowed(machine, actor, "open_form")
        if refusal is not None:
            return refusal
        agencies = _participating(machine.community, actor.email)
        return OpenForm(ce_trainer_form(agencies, machine.ledger, actor.email))

    def _not_allowed(self, machine: Run, actor: Actor, verb: str) -> Notice | None:
        community = machine.community
        if community.coordinated_entry is None:
            return machine.refuse(actor, verb, "not_offered", None, NOT_OFFERED)
        if not _led_by(community, actor.email):
            return machine.refuse(actor, verb, "not_authorized", None, NOT_ALLOWED)
        if not _participating(community, actor.email):
            return machine.refuse(actor, verb, "agency_not_participating", None, NOT_PARTICIPATING)
        return None

    def submit(
        self, machine: Run, actor: Actor, form_id: str, context: str, values: FormValues
    ) -> Outcome:
        refusal = self._not_allowed(machine, actor, "file")
        if refusal is not None:
            return refusal
        community = machine.community
        reader, problems = Reader(values), dict[str, Problem]()
        led = _led_by(community, actor.email)
        agency = read_agency(reader, led, problems)
        account = read_account_at(
            reader,
            community,
            machine.ledger,
            [agency] if agency else led,
            filer=actor.email,
            problems=problems,
        )
        if (
            agency is not None
            and account is not None
            and account.email in agency.holding(CE_TRAINER)
        ):
            field = PERSON if reader.text(PERSON) else PERSON_EMAIL
            problems[field] = Problem(
                "already_designated", f"{account.name} is already {agency.name}'s CE trainer."
            )
        if problems or agency is None or account is None:
            return refused(machine, actor, problems)
        details = CeTrainerDetails(
            account_id=account.id, trainers_before=agency.holding(CE_TRAINER)
        )
        filing = Filing(
            kind=NAME,
            state=CeTrainerState.AWAITING_ADMIN,
            requester_email=actor.email,
            subject_email=account.email,
            subject_name=account.name,
            agency_id=agency.id,
            details=details,
            parties={REQUESTER: actor.email, SUBJECT: account.email},
            open_key=f"{agency.id}:{account.email}",
        )
        request = machine.file(actor, filing, {"agency": agency.id})
        if request is None:
            machine.refuse(actor, "file", "duplicate", None, "")
            return FieldErrors(
                {PERSON: f"{account.name} is already waiting for HMIS to confirm them."}
            )
        sla = community.deadlines.approval
        return Accepted(
            Notice(
                f"Request #{request.id} filed: {account.name} as {agency.name}'s Coordinated "
                f"Entry trainer. HMIS admins confirm it within {sla}."
            )
        )

    # Steps ----------------------------------------------------------------------------------

    def steps(self) -> Mapping[str, Step[CeTrainerDetails]]:
        waiting = frozenset({CeTrainerState.AWAITING_ADMIN})
        return {
            "confirm": Step(
                ADMIN,
                waiting,
                self._confirm,
                refusal="Only HMIS admins can confirm a CE trainer.",
            ),
            "deny": Step(
                ADMIN,
                waiting,
                self._deny,
                reason=ReasonPrompt(
                    "Deny CE trainer", "Reason (the requester will see it)", "Deny"
                ),
            ),
            "withdraw": Step(
                REQUESTER,
                waiting,
                self._withdraw,
                refusal="Only the person who filed the request can withdraw it.",
            ),
        }

    def _confirm(
        self, machine: Run, actor: Actor, request: CeTrainerRequest, _arg: str, _reason: str
    ) -> Outcome:
        to_state = CeTrainerState.DESIGNATED
        if machine.move(request, actor, to_state, "confirm", decided=True) is None:
            return machine.lost_race(actor, request, "confirm")
        change = AgencyChange(
            request.agency_id, POSITION, Action.ADD, request.subject_email, request.id
        )
        machine.ledger.record_agency_change(change)
        machine.ledger.audit(
            AuditEvent(
                actor,
                "agency.changed",
                "ok",
                Subject("agency", request.agency_id),
                {
                    "field": POSITION,
                    "action": Action.ADD,
                    "value": request.subject_email,
                    "request": str(request.id),
                },
            )
        )
        agency = machine.view.agency_name(request.agency_id)
        return Notice(f"Recorded: {request.subject_name} is {agency}'s CE trainer.")

    def _deny(
        self, machine: Run, actor: Actor, request: CeTrainerRequest, _arg: str, reason: str
    ) -> Outcome:
        to_state = CeTrainerState.DENIED
        if machine.move(request, actor, to_state, "deny", reason=reason, decided=True) is None:
            return machine.lost_race(actor, request, "deny")
        return Notice(f"Request #{request.id} for {request.subject_name} denied.")

    def _withdraw(
        self, machine: Run, actor: Actor, request: CeTrainerRequest, _arg: str, _reason: str
    ) -> Outcome:
        to_state = CeTrainerState.WITHDRAWN
        if machine.move(request, actor, to_state, "withdraw", decided=True) is None:
            return machine.lost_race(actor, request, "withdraw")
        return Notice(f"Request #{request.id} for {request.subject_name} withdrawn.")

    # Cards ----------------------------------------------------------------------------------

    def audiences(
        self, community: Community, request: CeTrainerRequest
    ) -> list[tuple[str, str | None]]:
        found: list[tuple[str, str | None]] = [(ADMINS, None), (REQUESTER, request.requester_email)]
        if request.state == CeTrainerState.DESIGNATED:
            found.append((SUBJECT, request.subject_email))
        return found

    def audience_of(self, request: CeTrainerRequest, email: str) -> str:
        return SUBJECT if email == request.subject_email else REQUESTER

    def render(self, view: CardView, request: CeTrainerRequest, audience: str) -> Card:
        return CeTrainerCards(view).render(request, audience)

    # Nudges ---------------------------------------------------------------------------------

    def nudge_rules(self, community: Community, cutoffs: Cutoffs) -> Iterable[RequestRule]:
        return nudges.rules(community, cutoffs)

    def letters(
        self,
        view: CardView,
        nudge: str,
        request: CeTrainerRequest,
        occurrence: datetime,
        now: datetime,
    ) -> list[Letter]:
        return nudges.letters(view, nudge, request, occurrence, now)


def _led_by(community: Community, email: str) -> list[Agency]:
    return [a for a in community.agencies if email in a.leads]


def _participating(community: Community, email: str) -> list[Agency]:
    return [a for a in _led_by(community, email) if a.status is AgencyStatus.APPROVED]
