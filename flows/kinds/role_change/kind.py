"""The access-role change state machine: trainings the new role needs first (only those the
person lacks: completed ones still within their validity count), an interim role meanwhile
where the community defines one, then an HMIS admin confirms the change.

A staff member may ask for their own role to change: their request waits for a lead or
supervisor of their agency to endorse it, and then goes on exactly as a lead's request would."""

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
    ADMIN_OPEN_STATES,
    ADMIN_STATES,
    NAME,
    OPEN_STATES,
    RoleChangeDetails,
    RoleChangeRequest,
    RoleChangeState,
)
from flows.kinds.role_change.form import (
    FORM_ID,
    NEW_ROLE,
    REASON,
    read_role,
    role_change_form,
    staff_role_change_form,
)
from flows.kit import endorsement, trainings
from flows.kit.endorsement import ENDORSER, Endorsement
from flows.kit.forms import Problem, Problems, Reader, check_free_text
from flows.kit.kind import ADMIN, CardView, ReasonPrompt, RequestKind, Step
from flows.kit.machine import Machine
from flows.kit.people import PERSON, Person, acting_agencies, read_person
from flows.model import Actor, AuditEvent, Filing, Subject
from flows.nudges.cutoffs import Cutoffs
from flows.nudges.letters import Letter, Role, audience_for
from flows.nudges.rules import RequestRule
from flows.outcomes import Accepted, FieldErrors, OpenForm, Outcome
from flows.ports import FormValues
from flows.requirements import Requirement, training_ids, unmet
from flows.ui import Card, Notice

Run = Machine[RoleChangeDetails]
NOT_ALLOWED = (
    "Only agency leads, supervisors and HMIS admins can ask for someone's access role to "
    "change, or staff whose HMIS account the bot knows for their own; the bot knows neither "
    "for you. Ask your agency lead."
)


class RoleChangeKind(RequestKind[RoleChangeDetails]):
    name = NAME
    command = "role"
    help = (
        "asks HMIS admins to change someone's HMIS access role, or your own once your agency "
        "endorses it (trainings first, if needed)"
    )
    title = "Access role change"
    details_model = RoleChangeDetails
    labels = STATE_LABELS
    open_states = frozenset(OPEN_STATES)
    admin_states = frozenset(ADMIN_STATES)
    forms = frozenset({FORM_ID})
    account_action = "Change role"
    withdrawn_state = RoleChangeState.WITHDRAWN

    # Filing ---------------------------------------------------------------------------------

    def holds(
        self, community: Community, request: RoleChangeRequest, party: str, email: str
    ) -> bool:
        if party == ENDORSER:
            return endorsement.may_endorse(community, request, email)
        return super().holds(community, request, party, email)

    def open_form(self, machine: Run, actor: Actor, account: HmisAccount | None = None) -> Outcome:
        if acting_agencies(machine.community, actor.email, NAME):
            form = role_change_form(machine.community, machine.ledger, actor.email, account)
            return OpenForm(form)
        staff = endorsement.staff_account(machine.community, machine.ledger, actor.email)
        if staff is None:
            return machine.refuse(actor, "open_form", "not_authorized", None, NOT_ALLOWED)
        endorsers = endorsement.endorsers(machine.community, staff.agency_id, (actor.email,))
        if not endorsers:
            return endorsement.refuse_no_endorser(machine, actor, "open_form", staff.agency_id)
        names = " or ".join(machine.view.name(e) for e in endorsers)
        return OpenForm(staff_role_change_form(machine.community, staff, names))

    def submit(
        self, machine: Run, actor: Actor, form_id: str, context: str, values: FormValues
    ) -> Outcome:
        if acting_agencies(machine.community, actor.email, NAME):
            return self._submit_for_staff(machine, actor, values)
        staff = endorsement.staff_account(machine.community, machine.ledger, actor.email)
        if staff is None:
            return machine.refuse(actor, "file", "not_authorized", None, NOT_ALLOWED)
        return self._submit_own(machine, actor, staff, values)

    def _submit_for_staff(self, machine: Run, actor: Actor, values: FormValues) -> Outcome:
        """A lead, supervisor or admin asks for someone's role to change."""
        reader, problems = Reader(values), dict[str, Problem]()
        person = read_person(
            reader, machine.community, machine.ledger, actor.email, problems, kind=NAME
        )
        current = person.account.access_role_id if person and person.account else ""
        role = read_role(reader, machine.community, current, problems)
        reason = _reason(machine, reader, problems, "Say what changed in their job.")
        if problems or person is None or role is None:
            return _refused(machine, actor, problems)
        filing = self._filing(machine, actor, person, role, reason)
        return self._file(machine, actor, filing, f"{person.name} already has")

    def _submit_own(
        self, machine: Run, actor: Actor, staff: HmisAccount, values: FormValues
    ) -> Outcome:
        """A staff member asks for their own role to change: their agency endorses it first."""
        reader, problems = Reader(values), dict[str, Problem]()
        role = read_role(reader, machine.community, staff.access_role_id, problems, they="You")
        reason = _reason(machine, reader, problems, "Say what changed in your job.")
        if problems or role is None:
            return _refused(machine, actor, problems)
        endorsers = endorsement.endorsers(machine.community, staff.agency_id, (actor.email,))
        if not endorsers:
            return endorsement.refuse_no_endorser(machine, actor, "file", staff.agency_id)
        filing = _own_filing(staff, role, reason, endorsers)
        return self._file(machine, actor, filing, "You already have")

    def _file(self, machine: Run, actor: Actor, filing: Filing, who_has: str) -> Outcome:
        details = filing.details
        assert isinstance(details, RoleChangeDetails)
        audit = {"agency": filing.agency_id, "role": details.to_role_id}
        if details.self_filed:
            audit["endorsement"] = "needed"  # filed by the person: their agency endorses it
        request = machine.file(actor, filing, audit)
        if request is None:
            machine.refuse(actor, "file", "duplicate", None, "")
            field = NEW_ROLE if details.self_filed else PERSON
            return FieldErrors({field: f"{who_has} an open role change."})
        return Accepted(Notice(self._filed(machine, request)))

    def _filing(
        self, machine: Run, actor: Actor, person: Person, role: AccessRole, reason: str
    ) -> Filing:
        details = RoleChangeDetails(
            from_role_id=person.account.access_role_id if person.account else "",
            to_role_id=role.id,
            reason=reason,
        )
        details, state, due = self._next(machine, person.email, role, details)
        return Filing(
            kind=NAME,
            state=state,
            requester_email=actor.email,
            subject_email=person.email,
            subject_name=person.name,
            agency_id=person.agency_id,
            details=details,
            parties={REQUESTER: actor.email, SUBJECT: person.email},
            open_key=person.email,
            due_at=due,
        )

    def _next(
        self, machine: Run, email: str, role: AccessRole, details: RoleChangeDetails
    ) -> tuple[RoleChangeDetails, RoleChangeState, datetime | None]:
        """Where a lead's request starts, and an endorsed one goes on: the trainings the person
        lacks first (with their deadline and the interim role), or straight to the admins."""
        lacking = self._lacking(machine, email, role)
        due = (
            machine.calendar.deadline(machine.ledger.now(), machine.community.deadlines.training)
            if lacking
            else None
        )
        details = details.model_copy(
            update={
                "trainings": lacking,
                "training_due": due,
                "interim_role_id": (role.interim_role or "") if lacking else "",
            }
        )
        state = RoleChangeState.TRAINING if lacking else RoleChangeState.AWAITING_ADMIN
        return details, state, due

    @staticmethod
    def _lacking(machine: Run, email: str, role: AccessRole) -> tuple[str, ...]:
        """The trainings of the role's requirements the person has not met with a completion
        still within its validity (the form asks no questions: conditional ones are left to
        HMIS admins)."""
        done = machine.ledger.trainings_completed(email)
        now = machine.ledger.now()
        valid = set()
        for training_id, completed in done.items():
            training = machine.community.training(training_id)
            if (
                training is None
                or training.valid_for is None
                or machine.calendar.deadline(completed, training.valid_for) > now
            ):
                valid.add(training_id)
        return tuple(training_ids(unmet(role.needs(before=None), valid)))

    def _filed(self, machine: Run, request: RoleChangeRequest) -> str:
        details = request.details
        role = machine.view.role_name(details.to_role_id)
        if request.state == RoleChangeState.AWAITING_ENDORSEMENT:
            who = endorsement.waiting_for(machine.view, request)
            return (
                f"Request #{request.id} sent: you asked for {role}. {who} will be asked to "
                "endorse it; once endorsed, it goes to HMIS. You will see each step in your "
                "messages from this bot and in your status list."
            )
        first = f"Request #{request.id} filed: {request.subject_name} to {role}."
        return f"{first} {self._next_step(machine, request)}"

    def _next_step(self, machine: Run, request: RoleChangeRequest) -> str:
        details = request.details
        if details.trainings:
            names = ", ".join(t.name for t in RoleChangeCards(machine.view).trainings(request))
            return (
                f"{request.subject_name} will get the training it needs first ({names}, "
                f"by {machine.calendar.when(details.training_due)}); then HMIS admins make the "
                "change."
            )
        sla = machine.community.deadlines.role_change
        return f"HMIS admins make the change within {sla}."

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
                frozenset(ADMIN_OPEN_STATES),
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
            **endorsement.steps(
                frozenset({RoleChangeState.AWAITING_ENDORSEMENT}), self._endorse, self._decline
            ),
        }

    def _endorse(
        self, machine: Run, actor: Actor, request: RoleChangeRequest, _arg: str, _reason: str
    ) -> Outcome:
        """Endorsed: on exactly as a lead's request, from now (trainings first if needed)."""
        role = machine.community.access_role(request.details.to_role_id)
        if role is None:
            return machine.refuse(
                actor,
                endorsement.ENDORSE,
                "unknown_role",
                request.id,
                "That access role is no longer in the community file; decline the request.",
            )
        endorsed = request.details.model_copy(
            update={
                "endorsement": endorsement.endorsed(
                    request.details.endorsement, actor, machine.ledger.now()
                )
            }
        )
        details, state, due = self._next(machine, request.subject_email, role, endorsed)
        moved = machine.move(
            request, actor, state, endorsement.ENDORSE, details=details, due_at=due
        )
        if moved is None:
            return machine.lost_race(actor, request, endorsement.ENDORSE)
        return Notice(
            f"Endorsed: request #{request.id} for {request.subject_name}. "
            f"{self._next_step(machine, moved)}"
        )

    def _decline(
        self, machine: Run, actor: Actor, request: RoleChangeRequest, _arg: str, reason: str
    ) -> Outcome:
        return endorsement.decline(machine, actor, request, RoleChangeState.DECLINED, reason)

    def _trained(
        self, machine: Run, actor: Actor, request: RoleChangeRequest, training_id: str, _r: str
    ) -> Outcome:
        return trainings.report(
            machine,
            actor,
            request,
            training_id,
            needs=_needs(machine.community, request),
            next_state=RoleChangeState.AWAITING_ADMIN,
            done="All trainings reported. HMIS will change your access role.",
            not_asked="That training is not one this role change asks for.",
        )

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
                trainings.count_completion(
                    machine,
                    request,
                    training_id,
                    completed_at,
                    needs=_needs(machine.community, request),
                    next_state=RoleChangeState.AWAITING_ADMIN,
                )

    # Cards ----------------------------------------------------------------------------------

    def audiences(
        self, community: Community, request: RoleChangeRequest
    ) -> list[tuple[str, str | None]]:
        """The admin channel once the request reaches HMIS, the filer (unless they asked for
        themselves), the person, and each endorser of a staff member's own request."""
        details = request.details
        found: list[tuple[str, str | None]] = [(ADMINS, None)] if details.reached_admins else []
        if request.requester_email != request.subject_email:
            found.append((REQUESTER, request.requester_email))
        found.append((SUBJECT, request.subject_email))
        if details.self_filed:
            found += endorsement.audiences(community, request)
        return found

    def audience_of(self, request: RoleChangeRequest, email: str) -> str:
        if email == request.subject_email:
            return SUBJECT
        if email == request.requester_email:
            return REQUESTER
        if request.details.self_filed:
            return audience_for(Role.LEAD, email)
        return ADMINS

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


def _needs(community: Community, request: RoleChangeRequest) -> list[Requirement]:
    """What the request still chases: the new role's requirements among the trainings it
    asked for (either training of an either-or one counts)."""
    role = community.access_role(request.details.to_role_id)
    return trainings.chased(role.needs(before=None) if role else (), request.details.trainings)


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


def _reason(machine: Run, reader: Reader, problems: Problems, missing: str) -> str:
    year = machine.calendar.local(machine.ledger.now()).year
    reason = check_free_text(reader, REASON, problems, year)
    if not reason and REASON not in problems:
        problems[REASON] = Problem("missing", missing)
    return reason


def _refused(machine: Run, actor: Actor, problems: Problems) -> FieldErrors:
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


def _own_filing(staff: HmisAccount, role: AccessRole, reason: str, endorsers: list[str]) -> Filing:
    """A staff member's own request, waiting for one of the endorsers."""
    details = RoleChangeDetails(
        from_role_id=staff.access_role_id,
        to_role_id=role.id,
        reason=reason,
        endorsement=Endorsement(),
    )
    return Filing(
        kind=NAME,
        state=RoleChangeState.AWAITING_ENDORSEMENT,
        requester_email=staff.email,
        subject_email=staff.email,
        subject_name=staff.name,
        agency_id=staff.agency_id,
        details=details,
        parties={
            REQUESTER: staff.email,
            SUBJECT: staff.email,
            **endorsement.endorser_parties(endorsers),
        },
        open_key=staff.email,
    )
