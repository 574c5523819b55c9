"""The agency onboarding state machine: an HMIS admin starts it for an agency that is not yet
approved; admins tick each step of the community's checklist (each tick audited and recorded
in the directory the bot holds); once every step is done an admin confirms Approved, which
sets the agency's status to approved. The agency's leads see the checklist in their status
list and with the command word, and get its card as it changes.

Two statuses, not three: in this bot "approved" already means what King County calls
participating (staff may be requested, leads get the meeting reminders). King County's
"Your Agency was Approved for HMIS Access!" opens onboarding; its agency is "applying" here,
with the checklist open, until the admins approve it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from flows.accounts import HmisAccount
from flows.community import Agency, AgencyStatus, Community
from flows.directory import CHECKLIST, MOU_DATE, Action, AgencyChange
from flows.kinds.agency_participation import nudges
from flows.kinds.agency_participation.cards import (
    ADMINS,
    LEAD,
    STATE_LABELS,
    ParticipationCards,
)
from flows.kinds.agency_participation.details import (
    ADMIN_STATES,
    NAME,
    OPEN_STATES,
    ParticipationDetails,
    ParticipationRequest,
    ParticipationState,
    Tick,
)
from flows.kinds.agency_participation.details import Step as ChecklistStep
from flows.kinds.agency_participation.form import (
    AGENCY,
    FORM_ID,
    NOTE,
    agencies_to_onboard,
    onboarding_form,
)
from flows.kit.forms import Problem, Reader, check_free_text
from flows.kit.kind import ADMIN, REQUESTER, CardView, ReasonPrompt, RequestKind, Step
from flows.kit.machine import Machine
from flows.kit.participation import AGENCY_COMMAND
from flows.model import Actor, AuditEvent, Filing
from flows.nudges.cutoffs import Cutoffs
from flows.nudges.letters import Letter, audience_for
from flows.nudges.rules import RequestRule
from flows.outcomes import Accepted, FieldErrors, OpenForm, Outcome
from flows.ports import FormValues, Ledger
from flows.ui import Card, CardList, Notice

Run = Machine[ParticipationDetails]
NOT_ALLOWED = (
    "Agency leads see their agency's HMIS onboarding here, and HMIS admins start it; the HMIS "
    "directory lists you as neither. Ask your agency lead or the HMIS help desk."
)
NOT_ADMIN = "Only HMIS admins start an agency's onboarding."
ANY_ADMIN = "any_admin"
"""Any HMIS admin, the one who started the onboarding too: ticking a step records what the
agency did. Approving the agency stays with another admin (``ADMIN``)."""


class AgencyParticipationKind(RequestKind[ParticipationDetails]):
    name = NAME
    command = AGENCY_COMMAND
    help = (
        "shows your agency's HMIS onboarding checklist and what is missing; HMIS admins start "
        "an agency's onboarding with it"
    )
    title = "Agency onboarding"
    details_model = ParticipationDetails
    labels = STATE_LABELS
    open_states = frozenset(OPEN_STATES)
    admin_states = frozenset(ADMIN_STATES)
    forms = frozenset({FORM_ID})
    parties = (REQUESTER,)

    def parties_of(self, request: ParticipationRequest) -> Mapping[str, str]:
        return {REQUESTER: request.requester_email}

    def holds(
        self, community: Community, request: ParticipationRequest, party: str, email: str
    ) -> bool:
        if party == ANY_ADMIN:
            return community.is_admin(email)
        return super().holds(community, request, party, email)

    # Filing, and what leads see ----------------------------------------------------------------

    def open_form(self, machine: Run, actor: Actor, account: HmisAccount | None = None) -> Outcome:
        community = machine.community
        if community.is_admin(actor.email):
            agencies = self._to_onboard(machine)
            if not agencies:
                return machine.refuse(
                    actor,
                    "open_form",
                    "nothing_to_onboard",
                    None,
                    "Every agency in the community file is approved or already onboarding. To "
                    "onboard a new agency, add it to the community file with status: applying.",
                )
            return OpenForm(onboarding_form(community, agencies))
        led = _led_by(community, actor.email)
        if not led:
            return machine.refuse(actor, "open_form", "not_authorized", None, NOT_ALLOWED)
        return CardList(
            "Your agency's HMIS participation",
            "",
            tuple(self._standing(machine.view, machine.ledger, a) for a in led),
        )

    def _to_onboard(self, machine: Run) -> list[Agency]:
        ledger = machine.ledger
        return [
            a
            for a in agencies_to_onboard(machine.community)
            if ledger.open_request(NAME, a.id) is None
        ]

    def _standing(self, view: CardView, ledger: Ledger, agency: Agency) -> Card:
        """The agency's open onboarding as its leads see it, or its standing from the
        directory."""
        cards = ParticipationCards(view)
        stored = ledger.open_request(NAME, agency.id)
        if stored is None:
            return cards.directory_card(agency)
        return cards.lead_card(self.typed(stored))

    def home_lists(self, view: CardView, ledger: Ledger, actor: Actor) -> tuple[CardList, ...]:
        """For the leads of an agency not yet approved: its onboarding checklist."""
        onboarding = [
            a for a in _led_by(view.community, actor.email) if a.status is not AgencyStatus.APPROVED
        ]
        if not onboarding:
            return ()
        cards = tuple(self._standing(view, ledger, a) for a in onboarding)
        return (CardList("Your agency's HMIS onboarding", "", cards),)

    def submit(
        self, machine: Run, actor: Actor, form_id: str, context: str, values: FormValues
    ) -> Outcome:
        community = machine.community
        if not community.is_admin(actor.email):
            return machine.refuse(actor, "file", "not_admin", None, NOT_ADMIN)
        reader, problems = Reader(values), dict[str, Problem]()
        this_year = machine.calendar.local(machine.ledger.now()).year
        choices = {a.id: a for a in agencies_to_onboard(community)}
        agency = choices.get(reader.text(AGENCY))
        if agency is None:
            code = "missing" if not reader.text(AGENCY) else "invalid"
            problems[AGENCY] = Problem(code, "Pick an agency that is not approved yet.")
        note = check_free_text(reader, NOTE, problems, this_year)
        if problems or agency is None:
            machine.ledger.audit(
                AuditEvent(
                    actor,
                    machine.action("file"),
                    "refused",
                    None,
                    {field: p.code for field, p in problems.items()},
                )
            )
            return FieldErrors({field: p.message for field, p in problems.items()})
        request = machine.file(
            actor, self._filing(community, actor, agency, note), {"agency": agency.id}
        )
        if request is None:
            machine.refuse(actor, "file", "duplicate", None, "")
            return FieldErrors({AGENCY: f"{agency.name} is already onboarding."})
        return Accepted(Notice(self._started(request)))

    def _filing(self, community: Community, actor: Actor, agency: Agency, note: str) -> Filing:
        checklist = tuple(
            ChecklistStep(id=i.id, name=i.name) for i in community.onboarding_checklist
        )
        details = ParticipationDetails(
            checklist=checklist,
            ticks=tuple(Tick(step=s.id) for s in checklist if s.id in agency.checklist),
            note=note,
        )
        state = ParticipationState.ONBOARDING if details.missing else ParticipationState.READY
        return Filing(
            kind=NAME,
            state=state,
            requester_email=actor.email,
            subject_email="",
            subject_name=agency.name,
            agency_id=agency.id,
            details=details,
            parties={REQUESTER: actor.email},
            open_key=agency.id,
        )

    def _started(self, request: ParticipationRequest) -> str:
        details, agency = request.details, request.subject_name
        first = f"Onboarding #{request.id} started for {agency}."
        if request.state == ParticipationState.READY:
            return f"{first} It has no steps left to do: approve it on its card."
        done = len(details.checklist) - len(details.missing)
        return (
            f"{first} {done} of {len(details.checklist)} steps done; tick the others on its card "
            "as the agency does them. Its leads see the checklist."
        )

    # Steps -------------------------------------------------------------------------------------

    def steps(self) -> Mapping[str, Step[ParticipationDetails]]:
        return {
            "tick": Step(
                ANY_ADMIN,
                frozenset({ParticipationState.ONBOARDING}),
                self._tick,
                exact_version=False,
                refusal="Only HMIS admins tick an agency's onboarding steps.",
            ),
            "approve": Step(
                ADMIN,
                frozenset({ParticipationState.READY}),
                self._approve,
                refusal="Only HMIS admins approve an agency.",
            ),
            "deny": Step(
                ADMIN,
                self.open_states,
                self._deny,
                reason=ReasonPrompt("Decline agency", "Reason (its leads will see it)", "Decline"),
            ),
        }

    def _tick(
        self, machine: Run, actor: Actor, request: ParticipationRequest, step_id: str, _r: str
    ) -> Outcome:
        details = request.details
        step = details.step(step_id)
        if step is None:
            return machine.refuse(
                actor, "tick", "unknown_step", request.id, "That step is not on this checklist."
            )
        done = details.tick(step_id)
        if done is not None:
            who = machine.view.name(done.by) if done.by else "HMIS"
            return machine.refuse(
                actor,
                "tick",
                "already_done",
                request.id,
                f"{step.name} was already ticked by {who}. Nothing was changed.",
            )
        now = machine.ledger.now()
        ticked = details.model_copy(
            update={"ticks": (*details.ticks, Tick(step=step_id, by=actor.email, at=now))}
        )
        to = ParticipationState.READY if not ticked.missing else ParticipationState.ONBOARDING
        moved = machine.move(request, actor, to, "tick", details=ticked, audit={"step": step_id})
        if moved is None:
            return machine.refuse(
                actor,
                "tick",
                "lost_race",
                request.id,
                "Another step was ticked at the same moment, so this one was not recorded. "
                "Press it again on the updated card.",
            )
        change = AgencyChange(request.agency_id, CHECKLIST, Action.ADD, step_id, request.id)
        machine.ledger.record_agency_change(change)
        if _records_mou(machine.community, step_id):
            day = machine.calendar.local(now).date().isoformat()
            signed = AgencyChange(request.agency_id, MOU_DATE, Action.SET, day, request.id)
            machine.ledger.record_agency_change(signed)
        left = len(ticked.missing)
        after = (
            "Every step is done: approve the agency once it is set up in HMIS."
            if not left
            else f"{left} step{'s' if left != 1 else ''} to go."
        )
        return Notice(f"Recorded: {step.name}, for {request.subject_name}. {after}")

    def _approve(
        self, machine: Run, actor: Actor, request: ParticipationRequest, _arg: str, _reason: str
    ) -> Outcome:
        to = ParticipationState.APPROVED
        if machine.move(request, actor, to, "approve", decided=True) is None:
            return machine.lost_race(actor, request, "approve")
        approved = AgencyChange(
            request.agency_id, "status", Action.SET, AgencyStatus.APPROVED.value, request.id
        )
        machine.ledger.record_agency_change(approved)
        return Notice(
            f"Recorded: {request.subject_name} is approved to use HMIS. Its leads can request "
            "access for its staff now."
        )

    def _deny(
        self, machine: Run, actor: Actor, request: ParticipationRequest, _arg: str, reason: str
    ) -> Outcome:
        to = ParticipationState.DENIED
        if machine.move(request, actor, to, "deny", reason=reason, decided=True) is None:
            return machine.lost_race(actor, request, "deny")
        return Notice(f"Onboarding #{request.id} for {request.subject_name} closed: not approved.")

    # Cards -------------------------------------------------------------------------------------

    def audiences(
        self, community: Community, request: ParticipationRequest
    ) -> list[tuple[str, str | None]]:
        """The admin channel, and each of the agency's current leads by direct message (a
        lead designated during onboarding gets the card at its next change)."""
        agency = community.agency(request.agency_id)
        leads = agency.leads if agency else ()
        return [(ADMINS, None), *((audience_for(LEAD, e), e) for e in leads)]

    def audience_of(self, request: ParticipationRequest, email: str) -> str:
        return ADMINS

    def render(self, view: CardView, request: ParticipationRequest, audience: str) -> Card:
        return ParticipationCards(view).render(request, audience)

    # Nudges ------------------------------------------------------------------------------------

    def nudge_rules(self, community: Community, cutoffs: Cutoffs) -> Iterable[RequestRule]:
        return nudges.rules(community, cutoffs)

    def letters(
        self,
        view: CardView,
        nudge: str,
        request: ParticipationRequest,
        occurrence: datetime,
        now: datetime,
    ) -> list[Letter]:
        return nudges.letters(view, nudge, request, occurrence, now)


def _led_by(community: Community, email: str) -> list[Agency]:
    return [a for a in community.agencies if email in a.leads]


def _records_mou(community: Community, step_id: str) -> bool:
    """Whether ticking this step records the agency's MOU date (``records_mou``)."""
    step = community.mou_step()
    return step is not None and step.id == step_id
