"""The access-role change state machine: trainings the new role needs first (only those the
person lacks: completed ones still within their validity count), an interim role meanwhile
where the community defines one, then an HMIS admin confirms the change."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from flows.accounts import HmisAccount
from flows.community import AccessRole, Community
from flows.kinds.role_change import nudges
from flows.kinds.role_change.cards import (
    ADMINS,
    REQUESTER,
    STATE_LABELS,
    SUBJECT,
    RoleChangeCards,
)
from flows.kinds.role_change.details import (
    ADMIN_STATES,
    NAME,
    OPEN_STATES,
    RoleChangeDetails,
    RoleChangeRequest,
    RoleChangeState,
)
from flows.kinds.role_change.form import FORM_ID, REASON, read_role, role_change_form
from flows.kit.forms import Problem, Reader, check_free_text
from flows.kit.kind import ADMIN, CardView, ReasonPrompt, RequestKind, Step
from flows.kit.machine import Machine
from flows.kit.people import PERSON, Person, acting_agencies, read_person
from flows.kit.trainings import count_completion
from flows.model import Actor, AuditEvent, Filing, Subject
from flows.nudges.cutoffs import Cutoffs
from flows.nudges.letters import Letter
from flows.nudges.rules import RequestRule
from flows.outcomes import Accepted, FieldErrors, OpenForm, Outcome
from flows.ports import FormValues
from flows.ui import Card, Notice

Run = Machine[RoleChangeDetails]
NOT_ALLOWED = (
    "Only agency leads, supervisors and HMIS admins can ask for someone's access role to "
    "change, and the HMIS directory does not list you as one. Ask your agency lead."
)


class RoleChangeKind(RequestKind[RoleChangeDetails]):
    name = NAME
    command = "role"
    help = "asks HMIS admins to change someone's HMIS access role (trainings first, if needed)"
    title = "Access role change"
    details_model = RoleChangeDetails
    labels = STATE_LABELS
    open_states = frozenset(OPEN_STATES)
    admin_states = frozenset(ADMIN_STATES)
    forms = frozenset({FORM_ID})
    account_action = "Change role"
    withdrawn_state = RoleChangeState.WITHDRAWN

    # Filing ---------------------------------------------------------------------------------

    def open_form(self, machine: Run, actor: Actor, account: HmisAccount | None = None) -> Outcome:
        if not acting_agencies(machine.community, actor.email):
            return machine.refuse(actor, "open_form", "not_authorized", None, NOT_ALLOWED)
        return OpenForm(role_change_form(machine.community, machine.ledger, actor.email, account))

    def submit(
        self, machine: Run, actor: Actor, form_id: str, context: str, values: FormValues
    ) -> Outcome:
        if not acting_agencies(machine.community, actor.email):
            return machine.refuse(actor, "file", "not_authorized", None, NOT_ALLOWED)
        reader, problems = Reader(values), dict[str, Problem]()
        now = machine.ledger.now()
        person = read_person(reader, machine.community, machine.ledger, actor.email, problems)
        current = person.account.access_role_id if person and person.account else ""
        role = read_role(reader, machine.community, current, problems)
        reason = check_free_text(reader, REASON, problems, machine.calendar.local(now).year)
        if not reason and REASON not in problems:
            problems[REASON] = Problem("missing", "Say what changed in their job.")
        if problems or person is None or role is None:
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
        request = machine.file(
            actor,
            self._filing(machine, actor, person, role, reason),
            {
                "agency": person.agency_id,
                "role": role.id,
            },
        )
        if request is None:
            machine.refuse(actor, "file", "duplicate", None, "")
            return FieldErrors({PERSON: f"{person.name} already has an open role change."})
        return Accepted(Notice(self._filed(machine, request)))

    def _filing(
        self, machine: Run, actor: Actor, person: Person, role: AccessRole, reason: str
    ) -> Filing:
        lacking = self._lacking(machine, person.email, role)
        due = (
            machine.calendar.deadline(machine.ledger.now(), machine.community.deadlines.training)
            if lacking
            else None
        )
        details = RoleChangeDetails(
            from_role_id=person.account.access_role_id if person.account else "",
            to_role_id=role.id,
            reason=reason,
            trainings=lacking,
            training_due=due,
            interim_role_id=(role.interim_role or "") if lacking else "",
        )
        return Filing(
            kind=NAME,
            state=RoleChangeState.TRAINING if lacking else RoleChangeState.AWAITING_ADMIN,
            requester_email=actor.email,
            subject_email=person.email,
            subject_name=person.name,
            agency_id=person.agency_id,
            details=details,
            parties={REQUESTER: actor.email, SUBJECT: person.email},
            open_key=person.email,
            due_at=due,
        )

    @staticmethod
    def _lacking(machine: Run, email: str, role: AccessRole) -> tuple[str, ...]:
        """The role's trainings the person has not completed, or whose validity has run out."""
        done = machine.ledger.trainings_completed(email)
        now = machine.ledger.now()
        lacking = []
        for training_id in role.trainings:
            training = machine.community.training(training_id)
            completed = done.get(training_id)
            valid = completed is not None and (
                training is None
                or training.valid_for is None
                or machine.calendar.deadline(completed, training.valid_for) > now
            )
            if not valid:
                lacking.append(training_id)
        return tuple(lacking)

    def _filed(self, machine: Run, request: RoleChangeRequest) -> str:
        details = request.details
        role = machine.view.role_name(details.to_role_id)
        first = f"Request #{request.id} filed: {request.subject_name} to {role}."
        if details.trainings:
            names = ", ".join(t.name for t in RoleChangeCards(machine.view).trainings(request))
            return (
                f"{first} {request.subject_name} will get the training it needs first ({names}, "
                f"by {machine.calendar.when(details.training_due)}); then HMIS admins make the "
                "change."
            )
        sla = machine.community.deadlines.role_change
        return f"{first} HMIS admins make the change within {sla}."

    # Steps ----------------------------------------------------------------------------------

    def steps(self) -> Mapping[str, Step[RoleChangeDetails]]:
        training = frozenset({RoleChangeState.TRAINING})
        return {
            "trained": Step(
                SUBJECT,
                training,
                self._trained,
                exact_version=False,
                refusal="Only the person whose role changes can report their own trainings.",
            ),
            "interim_set": Step(ADMIN, training, self._interim_set),
            "confirm": Step(ADMIN, frozenset({RoleChangeState.AWAITING_ADMIN}), self._confirm),
            "deny": Step(
                ADMIN,
                self.open_states,
                self._deny,
                reason=ReasonPrompt(
                    "Deny role change", "Reason (the requester will see it)", "Deny"
                ),
            ),
            "withdraw": Step(
                REQUESTER,
                self.open_states,
                self._withdraw,
                refusal="Only the person who filed the request can withdraw it.",
            ),
        }

    def _trained(
        self, machine: Run, actor: Actor, request: RoleChangeRequest, training_id: str, _r: str
    ) -> Outcome:
        if training_id not in request.details.trainings:
            return machine.refuse(
                actor,
                "trained",
                "unknown_training",
                request.id,
                "That training is not one this role change asks for.",
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
            if machine.move(updated, actor, RoleChangeState.AWAITING_ADMIN, "trained"):
                return Notice("All trainings reported. HMIS will change your access role.")
        else:
            machine.notify_cards(updated, cause=f"trained.{training_id}")
        training = machine.community.training(training_id)
        return Notice(f"Thanks, {training.name if training else training_id} is recorded.")

    def _interim_set(
        self, machine: Run, actor: Actor, request: RoleChangeRequest, _arg: str, _reason: str
    ) -> Outcome:
        details = request.details
        if not details.needs_interim:
            return machine.refuse(
                actor, "interim_set", "wrong_state", request.id, machine.already(request)
            )
        now = machine.ledger.now()
        marked = details.model_copy(update={"interim_set_by": actor.email, "interim_set_at": now})
        moved = machine.move(request, actor, request.state, "interim_set", details=marked)
        if moved is None:
            return machine.lost_race(actor, request, "interim_set")
        _set_role(machine, actor, request, details.interim_role_id, "interim")
        role = machine.view.role_name(details.interim_role_id)
        return Notice(f"Recorded: {request.subject_name} has {role} until the training is done.")

    def _confirm(
        self, machine: Run, actor: Actor, request: RoleChangeRequest, _arg: str, _reason: str
    ) -> Outcome:
        to_state = RoleChangeState.CHANGED
        if machine.move(request, actor, to_state, "confirm", decided=True) is None:
            return machine.lost_race(actor, request, "confirm")
        _set_role(machine, actor, request, request.details.to_role_id, "changed")
        role = machine.view.role_name(request.details.to_role_id)
        return Notice(f"Recorded: {request.subject_name}'s HMIS access role is now {role}.")

    def _deny(
        self, machine: Run, actor: Actor, request: RoleChangeRequest, _arg: str, reason: str
    ) -> Outcome:
        to_state = RoleChangeState.DENIED
        if machine.move(request, actor, to_state, "deny", reason=reason, decided=True) is None:
            return machine.lost_race(actor, request, "deny")
        return Notice(f"Request #{request.id} for {request.subject_name} denied.")

    def _withdraw(
        self, machine: Run, actor: Actor, request: RoleChangeRequest, _arg: str, _reason: str
    ) -> Outcome:
        to_state = RoleChangeState.WITHDRAWN
        if machine.move(request, actor, to_state, "withdraw", decided=True) is None:
            return machine.lost_race(actor, request, "withdraw")
        return Notice(f"Request #{request.id} for {request.subject_name} withdrawn.")

    def after_training_completed(
        self, machine: Run, email: str, training_id: str, completed_at: datetime
    ) -> None:
        """The LMS shows the person completed a training: it counts as their own report."""
        for stored in machine.ledger.requests_about(email, (NAME,)):
            if stored.state == RoleChangeState.TRAINING:
                request = self.typed(stored)
                count_completion(
                    machine,
                    request,
                    training_id,
                    completed_at,
                    required=request.details.trainings,
                    next_state=RoleChangeState.AWAITING_ADMIN,
                )

    # Cards ----------------------------------------------------------------------------------

    def audiences(
        self, community: Community, request: RoleChangeRequest
    ) -> list[tuple[str, str | None]]:
        return [
            (ADMINS, None),
            (REQUESTER, request.requester_email),
            (SUBJECT, request.subject_email),
        ]

    def audience_of(self, request: RoleChangeRequest, email: str) -> str:
        if email == request.requester_email:
            return REQUESTER
        return SUBJECT if email == request.subject_email else ADMINS

    def render(self, view: CardView, request: RoleChangeRequest, audience: str) -> Card:
        return RoleChangeCards(view).render(request, audience)

    # Nudges ---------------------------------------------------------------------------------

    def nudge_rules(self, community: Community, cutoffs: Cutoffs) -> Iterable[RequestRule]:
        return nudges.rules(community, cutoffs)

    def letters(
        self,
        view: CardView,
        nudge: str,
        request: RoleChangeRequest,
        occurrence: datetime,
        now: datetime,
    ) -> list[Letter]:
        return nudges.letters(view, nudge, request, occurrence, now)


def _set_role(
    machine: Run, actor: Actor, request: RoleChangeRequest, role_id: str, step: str
) -> None:
    """Record the account's new role (when the bot knows the account), as its history."""
    account = machine.ledger.account_by_email(request.subject_email)
    if account is None or not account.is_held:
        return
    moved = machine.ledger.move_account(account, account.status, actor.email, role_id)
    machine.ledger.audit(
        AuditEvent(
            actor,
            "account.role_changed",
            "ok" if moved else "refused",
            Subject.account(account.id),
            {
                "from": account.access_role_id,
                "to": role_id,
                "step": step,
                "request": str(request.id),
            },
        )
    )
