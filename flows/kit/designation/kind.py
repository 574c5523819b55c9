"""The designation state machine every position kind shares:

filed -> (awaiting the agency's current holders' approval) -> (training) -> awaiting HMIS
admins -> designated, with declined, denied, withdrawn and expired exits. On confirmation the
directory the bot holds changes: the candidate is added to the agency's list and the person
they replace, if any, removed; meeting reminders and every rule that reads the list follow.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import ClassVar

from flows.accounts import HmisAccount
from flows.community import Agency, Community, Training
from flows.directory import Action, AgencyChange
from flows.kit.designation import nudges
from flows.kit.designation.cards import (
    ADMINS,
    APPROVER,
    REQUESTER,
    SUBJECT,
    DesignationCards,
)
from flows.kit.designation.details import (
    ADMIN_STATES,
    OPEN_STATES,
    DesignationDetails,
    DesignationRequest,
    DesignationState,
)
from flows.kit.designation.form import (
    AGENCY,
    Designation,
    DesignationReader,
    agencies_for,
    designation_form,
)
from flows.kit.designation.position import Position, Question
from flows.kit.forms import Problem
from flows.kit.kind import ADMIN, CardView, ReasonPrompt, RequestKind, Step
from flows.kit.machine import Machine
from flows.kit.participation import mou_problem
from flows.model import Actor, AuditEvent, Filing, Subject
from flows.nudges.cutoffs import Cutoffs
from flows.nudges.letters import Letter, audience_for
from flows.nudges.rules import RequestRule
from flows.outcomes import Accepted, FieldErrors, OpenForm, Outcome
from flows.ports import FormValues
from flows.ui import Card, Notice

Run = Machine[DesignationDetails]


class DesignationKind(RequestKind[DesignationDetails]):
    """A position at an agency someone is designated to. Subclasses name the position and
    its training; they may add yes/no questions and duties."""

    position: ClassVar[Position]
    details_model = DesignationDetails
    open_states = frozenset(OPEN_STATES)
    admin_states = frozenset(ADMIN_STATES)
    parties = (REQUESTER, SUBJECT, APPROVER)
    withdrawn_state = DesignationState.WITHDRAWN

    # What a position declares ------------------------------------------------------------------

    @abstractmethod
    def training_ids(self, community: Community) -> tuple[str, ...]:
        """The trainings every holder completes (a community file key), if any."""

    def duties(self, community: Community) -> str:
        """What a holder does, shown on the form and to the person designated."""
        return ""

    def questions(self, community: Community) -> tuple[Question, ...]:
        return ()

    def holders_of(self, agency: Agency) -> tuple[str, ...]:
        holders: tuple[str, ...] = getattr(agency, self.position.field)
        return holders

    def approvers_of(self, agency: Agency) -> tuple[str, ...]:
        """Who at the agency approves a change: its current holders."""
        return self.holders_of(agency)

    @property
    def form_id(self) -> str:
        return f"{self.name}_request"

    def explanation(self, community: Community) -> str:
        """What the form says happens, in this community's terms."""
        position = self.position
        steps = []
        if community.mou_valid_for or community.mou_current_since:
            steps.append("the agency's MOU must be current")
        trainings = [community.training(t) for t in self.training_ids(community)]
        names = " and ".join(t.name for t in trainings if t is not None)
        if names:
            steps.append(f"the person completes {names} (they get it first if not)")
        steps.append(
            f"where the agency has {position.approvers} already, one of them approves (a "
            "request they file is their approval)"
        )
        return (
            f"To make someone {position.article} {position.long_title}: "
            f"{'; '.join(steps)}. Then HMIS admins set it in HMIS."
        )

    # Parties -----------------------------------------------------------------------------------

    def parties_of(self, request: DesignationRequest) -> Mapping[str, str]:
        return _parties(request.requester_email, request.subject_email, request.details.approvers)

    def holds(
        self, community: Community, request: DesignationRequest, party: str, email: str
    ) -> bool:
        """An approver is someone asked who still holds the position (or approves it) now."""
        if party != APPROVER:
            return super().holds(community, request, party, email)
        agency = community.agency(request.agency_id)
        current = self.approvers_of(agency) if agency else ()
        return email in request.details.approvers and email in current

    # Filing ------------------------------------------------------------------------------------

    def open_form(self, machine: Run, actor: Actor, account: HmisAccount | None = None) -> Outcome:
        if not agencies_for(self, machine.community, machine.ledger, actor.email):
            return machine.refuse(actor, "open_form", "not_authorized", None, self._not_allowed())
        return OpenForm(designation_form(self, machine.community, machine.ledger, actor.email))

    def _not_allowed(self) -> str:
        position = self.position
        return (
            f"Only an agency's current {position.approvers}, someone with an HMIS account at "
            f"the agency putting themselves forward, or HMIS admins can ask for "
            f"{position.article} {position.title}, and the bot knows you as none of them. "
            "Ask your agency lead or the HMIS help desk."
        )

    def submit(
        self, machine: Run, actor: Actor, form_id: str, context: str, values: FormValues
    ) -> Outcome:
        community, ledger = machine.community, machine.ledger
        if not agencies_for(self, community, ledger, actor.email):
            return machine.refuse(actor, "file", "not_authorized", None, self._not_allowed())
        now = ledger.now()
        reader = DesignationReader(
            self, community, ledger, actor.email, machine.calendar.local(now).year
        )
        designation = reader.read(values)
        if designation is not None:
            problem = mou_problem(community, machine.calendar, designation.agency, now)
            if problem is not None:
                reader.problems[AGENCY] = Problem("mou_not_current", problem)
        if designation is None or reader.problems:
            machine.ledger.audit(
                AuditEvent(
                    actor,
                    machine.action("file"),
                    "refused",
                    None,
                    {field: p.code for field, p in reader.problems.items()},
                )
            )
            return FieldErrors({field: p.message for field, p in reader.problems.items()})
        request = machine.file(
            actor,
            self._filing(machine, actor, designation),
            {"agency": designation.agency.id, "candidate": designation.candidate.email},
        )
        if request is None:
            machine.refuse(actor, "file", "duplicate", None, "")
            name = designation.candidate.name
            where = designation.agency.name
            return FieldErrors({AGENCY: f"{name} already has an open request for this at {where}."})
        return Accepted(Notice(self._filed(machine, request)))

    def _filing(self, machine: Run, actor: Actor, designation: Designation) -> Filing:
        candidate, agency = designation.candidate, designation.agency
        details = DesignationDetails(
            replaces=designation.replaces,
            approvers=designation.approvers,
            mou_date=agency.mou_date,
            has_account=candidate.account is not None,
            answers=designation.answers,
            note=designation.note,
            names=_account_names(
                machine, (actor.email, designation.replaces, *designation.approvers)
            ),
        )
        state: DesignationState = DesignationState.AWAITING_APPROVAL
        due = None
        if not details.needs_approval:
            state, details, due = self._after_approval(machine, candidate.email, details)
        return Filing(
            kind=self.name,
            state=state,
            requester_email=actor.email,
            subject_email=candidate.email,
            subject_name=candidate.name,
            agency_id=agency.id,
            details=details,
            parties=_parties(actor.email, candidate.email, details.approvers),
            open_key=f"{agency.id}:{candidate.email}",
            due_at=due,
        )

    def _after_approval(
        self, machine: Run, candidate: str, details: DesignationDetails
    ) -> tuple[DesignationState, DesignationDetails, datetime | None]:
        """Training next when the candidate lacks it, else the admins."""
        lacking = self._lacking(machine, candidate)
        if not lacking:
            return DesignationState.AWAITING_ADMIN, details, None
        due = machine.calendar.deadline(machine.ledger.now(), machine.community.deadlines.training)
        trained = details.model_copy(update={"trainings": lacking, "training_due": due})
        return DesignationState.TRAINING, trained, due

    def _lacking(self, machine: Run, email: str) -> tuple[str, ...]:
        """The position's trainings but those the person reported on any request that are
        still within their validity."""
        community = machine.community
        trainings = (community.training(t) for t in self.training_ids(community))
        return tuple(
            t.id for t in trainings if t is not None and not self._still_valid(machine, email, t)
        )

    def _still_valid(self, machine: Run, email: str, training: Training) -> bool:
        completed = machine.ledger.trainings_completed(email).get(training.id)
        return completed is not None and (
            training.valid_for is None
            or machine.calendar.deadline(completed, training.valid_for) > machine.ledger.now()
        )

    def _filed(self, machine: Run, request: DesignationRequest) -> str:
        details, position = request.details, self.position
        agency = machine.view.agency_name(request.agency_id)
        first = (
            f"Request #{request.id} filed: {request.subject_name} as {position.title} of {agency}."
        )
        if request.state == DesignationState.AWAITING_APPROVAL:
            names = " or ".join(machine.view.name(e) for e in details.approvers)
            return (
                f"{first} {names} will be asked to approve it; then HMIS admins set it in HMIS. "
                "You will see each step in your messages from this bot and in your status list."
            )
        if request.state == DesignationState.TRAINING:
            cards = self.cards(machine.view)
            names = ", ".join(t.name for t in cards.trainings(request))
            return (
                f"{first} {request.subject_name} will get {names} first (by "
                f"{machine.calendar.when(details.training_due)}); then HMIS admins set it in "
                "HMIS."
            )
        sla = machine.community.deadlines.approval
        return f"{first} HMIS admins set it in HMIS within {sla}."

    # Steps -------------------------------------------------------------------------------------

    def steps(self) -> Mapping[str, Step[DesignationDetails]]:
        approval = frozenset({DesignationState.AWAITING_APPROVAL})
        not_approver = (
            f"Only the agency's current {self.position.approvers} asked to approve this can "
            "approve or decline it."
        )
        return {
            "approve": Step(APPROVER, approval, self._approve, refusal=not_approver),
            "decline": Step(
                APPROVER,
                approval,
                self._decline,
                reason=ReasonPrompt(
                    "Decline", "Reason (the person who asked will see it)", "Decline"
                ),
                refusal=not_approver,
            ),
            "trained": Step(
                SUBJECT,
                frozenset({DesignationState.TRAINING}),
                self._trained,
                exact_version=False,
                refusal="Only the person being designated can report their own training.",
            ),
            "confirm": Step(ADMIN, frozenset({DesignationState.AWAITING_ADMIN}), self._confirm),
            "deny": Step(
                ADMIN,
                self.open_states,
                self._deny,
                reason=ReasonPrompt("Deny", "Reason (the requester will see it)", "Deny"),
            ),
            "withdraw": Step(
                REQUESTER,
                self.open_states,
                self._withdraw,
                refusal="Only the person who filed the request can withdraw it.",
            ),
        }

    def _approve(
        self, machine: Run, actor: Actor, request: DesignationRequest, _arg: str, _reason: str
    ) -> Outcome:
        now = machine.ledger.now()
        approved = request.details.model_copy(
            update={"approved_by": actor.email, "approved_at": now}
        )
        state, details, due = self._after_approval(machine, request.subject_email, approved)
        moved = machine.move(request, actor, state, "approve", details=details, due_at=due)
        if moved is None:
            return machine.lost_race(actor, request, "approve")
        return Notice(
            f"Approved: {request.subject_name} as {self.position.title}. {self._next(moved)}"
        )

    def _next(self, request: DesignationRequest) -> str:
        if request.state == DesignationState.TRAINING:
            return f"{request.subject_name} does the training first; then HMIS admins set it."
        return "HMIS admins set it in HMIS next."

    def _decline(
        self, machine: Run, actor: Actor, request: DesignationRequest, _arg: str, reason: str
    ) -> Outcome:
        to = DesignationState.DECLINED
        if machine.move(request, actor, to, "decline", reason=reason, decided=True) is None:
            return machine.lost_race(actor, request, "decline")
        return Notice(f"Declined: {request.subject_name} as {self.position.title}.")

    def _trained(
        self, machine: Run, actor: Actor, request: DesignationRequest, training_id: str, _r: str
    ) -> Outcome:
        if training_id not in request.details.trainings:
            return machine.refuse(
                actor,
                "trained",
                "unknown_training",
                request.id,
                "That training is not one this designation asks for.",
            )
        if request.reported(training_id) is None:
            machine.ledger.record_training_report(request.id, training_id, actor.email)
            machine.ledger.audit(
                AuditEvent(
                    actor,
                    machine.action("trained"),
                    "ok",
                    Subject.request(request.id),
                    {"training": training_id},
                )
            )
        updated = machine.get(request.id) or request
        if all(updated.reported(t) for t in updated.details.trainings):
            if machine.move(updated, actor, DesignationState.AWAITING_ADMIN, "trained"):
                return Notice("Training reported. HMIS admins set it in HMIS next.")
        else:
            machine.notify_cards(updated, cause=f"trained.{training_id}")
        training = machine.community.training(training_id)
        return Notice(f"Thanks, {training.name if training else training_id} is recorded.")

    def _confirm(
        self, machine: Run, actor: Actor, request: DesignationRequest, _arg: str, _reason: str
    ) -> Outcome:
        replaces = request.details.replaces
        audit = {"added": request.subject_email} | ({"removed": replaces} if replaces else {})
        to = DesignationState.DESIGNATED
        if machine.move(request, actor, to, "confirm", decided=True, audit=audit) is None:
            return machine.lost_race(actor, request, "confirm")
        field, agency = self.position.field, request.agency_id
        changes = [AgencyChange(agency, field, Action.ADD, request.subject_email, request.id)]
        if replaces:
            changes.append(AgencyChange(agency, field, Action.REMOVE, replaces, request.id))
        for change in changes:
            machine.ledger.record_agency_change(change)
        position = self.position
        ended = f" {machine.view.name(replaces)} no longer is." if replaces else ""
        return Notice(
            f"Recorded: {request.subject_name} is now {position.article} {position.title} of "
            f"{machine.view.agency_name(agency)}.{ended}"
        )

    def _deny(
        self, machine: Run, actor: Actor, request: DesignationRequest, _arg: str, reason: str
    ) -> Outcome:
        to = DesignationState.DENIED
        if machine.move(request, actor, to, "deny", reason=reason, decided=True) is None:
            return machine.lost_race(actor, request, "deny")
        return Notice(f"Request #{request.id} for {request.subject_name} denied.")

    def _withdraw(
        self, machine: Run, actor: Actor, request: DesignationRequest, _arg: str, _reason: str
    ) -> Outcome:
        to = DesignationState.WITHDRAWN
        if machine.move(request, actor, to, "withdraw", decided=True) is None:
            return machine.lost_race(actor, request, "withdraw")
        return Notice(f"Request #{request.id} for {request.subject_name} withdrawn.")

    # Cards -------------------------------------------------------------------------------------

    def cards(self, view: CardView) -> DesignationCards:
        return DesignationCards(view, self.name, self.position, self.duties(view.community))

    def audiences(
        self, community: Community, request: DesignationRequest
    ) -> list[tuple[str, str | None]]:
        found: list[tuple[str, str | None]] = [(ADMINS, None)]
        if request.requester_email != request.subject_email:
            found.append((REQUESTER, request.requester_email))
        found.append((SUBJECT, request.subject_email))
        found += [(audience_for(APPROVER, e), e) for e in request.details.approvers]
        return found

    def audience_of(self, request: DesignationRequest, email: str) -> str:
        if email == request.subject_email:
            return SUBJECT
        if email == request.requester_email:
            return REQUESTER
        if email in request.details.approvers:
            return audience_for(APPROVER, email)
        return ADMINS

    def render(self, view: CardView, request: DesignationRequest, audience: str) -> Card:
        return self.cards(view).render(request, audience)

    # Nudges ------------------------------------------------------------------------------------

    def nudge_rules(self, community: Community, cutoffs: Cutoffs) -> Iterable[RequestRule]:
        return nudges.rules(self.name, community, cutoffs)

    def letters(
        self,
        view: CardView,
        nudge: str,
        request: DesignationRequest,
        occurrence: datetime,
        now: datetime,
    ) -> list[Letter]:
        return nudges.letters(self.cards(view), nudge, request, occurrence, now)


def _account_names(machine: Run, emails: Iterable[str]) -> dict[str, str]:
    """The HMIS account names of people the community file does not name."""
    names = {}
    for email in filter(None, emails):
        if machine.community.display_name(email) == email:
            account = machine.ledger.account_by_email(email)
            if account is not None:
                names[email] = account.name
    return names


def _parties(requester: str, candidate: str, approvers: tuple[str, ...]) -> dict[str, str]:
    """Everyone with a part, so each finds the request in their status list."""
    asked = {f"{APPROVER}.{i}": email for i, email in enumerate(approvers)}
    return {REQUESTER: requester, SUBJECT: candidate} | asked
