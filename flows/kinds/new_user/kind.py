"""The New User Access Request state machine: who may do what, in which state.

submitted -> awaiting staff verification -> training -> awaiting admin approval -> approved ->
account created -> active, with denied, withdrawn and expired exits. The kit re-checks the
clicker on every button; the steps here do the work.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from flows.accounts import HmisAccount
from flows.community import AgencyStatus, Community
from flows.kinds.new_user import nudges
from flows.kinds.new_user.cards import STATE_LABELS, Audience, CardRenderer
from flows.kinds.new_user.details import (
    ADMIN_STATES,
    NAME,
    OPEN_STATES,
    WITHDRAWABLE,
    NewUserDetails,
    NewUserRequest,
    NewUserState,
)
from flows.kinds.new_user.form import FORM_ID, F, request_form
from flows.kinds.new_user.validation import not_participating, validate_request
from flows.kit.kind import ADMIN, REQUESTER, CardView, ReasonPrompt, RequestKind, Step
from flows.kit.machine import Machine
from flows.kit.participation import still_onboarding
from flows.kit.trainings import count_completion
from flows.model import Actor, AuditEvent, Filing, Subject
from flows.nudges.cutoffs import Cutoffs
from flows.nudges.letters import Letter
from flows.nudges.rules import RequestRule
from flows.outcomes import Accepted, FieldErrors, OpenForm, Outcome
from flows.ports import FormValues, NewAccount
from flows.ui import Card, Notice

SUPERVISOR = "supervisor"
TRAINEE = "trainee"
Run = Machine[NewUserDetails]


class NewUserKind(RequestKind[NewUserDetails]):
    name = NAME
    command = "new"
    help = "opens a New User Access Request for a staff member of your agency"
    title = "New user access request"
    details_model = NewUserDetails
    labels = STATE_LABELS
    open_states = frozenset(OPEN_STATES)
    admin_states = frozenset(ADMIN_STATES)
    forms = frozenset({FORM_ID})
    parties = (REQUESTER, SUPERVISOR, TRAINEE)
    withdrawn_state = NewUserState.WITHDRAWN

    def parties_of(self, request: NewUserRequest) -> Mapping[str, str]:
        return {
            REQUESTER: request.requester_email,
            SUPERVISOR: request.details.supervisor_email,
            TRAINEE: request.subject_email,
        }

    # Filing ---------------------------------------------------------------------------------

    def open_form(self, machine: Run, actor: Actor, account: HmisAccount | None = None) -> Outcome:
        agencies = machine.community.agencies_filed_for_by(actor.email)
        if not agencies:
            return machine.refuse(
                actor,
                "open_form",
                "not_authorized",
                None,
                (
                    "Only supervisors or agency leadership can request HMIS access, and the HMIS "
                    "directory does not list you as one. Ask your agency lead or the HMIS help "
                    "desk."
                ),
            )
        if not any(a.status is AgencyStatus.APPROVED for a in agencies):
            why = " ".join(
                still_onboarding(machine.community, a) or not_participating(a) for a in agencies
            )
            return machine.refuse(actor, "open_form", "agency_not_participating", None, why)
        return OpenForm(request_form(machine.community, actor.email))

    def submit(
        self, machine: Run, actor: Actor, form_id: str, context: str, values: FormValues
    ) -> Outcome:
        result = validate_request(values, machine.community, actor.email, machine.ledger)
        if isinstance(result, dict):
            machine.ledger.audit(
                AuditEvent(
                    actor,
                    machine.action("file"),
                    "refused",
                    None,
                    {field: problem.code for field, problem in result.items()},
                )
            )
            return FieldErrors({field: problem.message for field, problem in result.items()})
        now = machine.ledger.now()
        details = result.details
        verifying = details.needs_staff_verification
        deadlines = machine.community.deadlines
        if verifying:
            due = machine.calendar.deadline(now, deadlines.staff_verification)
            details = details.model_copy(update={"verification_due": due})
        else:
            due = machine.calendar.deadline(now, deadlines.training)
            details = details.model_copy(update={"training_due": due})
        state = NewUserState.AWAITING_VERIFICATION if verifying else NewUserState.TRAINING
        filing = Filing(
            kind=NAME,
            state=state,
            requester_email=actor.email,
            subject_email=result.trainee_email,
            subject_name=result.trainee_name,
            agency_id=result.agency_id,
            details=details,
            parties=self._parties(actor.email, details.supervisor_email, result.trainee_email),
            open_key=result.trainee_email,
            due_at=due,
        )
        audit = {"agency": result.agency_id, "role": details.access_role_id}
        request = machine.file(actor, filing, audit)
        if request is None:
            machine.refuse(actor, "file", "duplicate", None, "")
            return FieldErrors(
                {
                    F.TRAINEE_EMAIL: (
                        f"{result.trainee_email} already has an open request or an HMIS account."
                    )
                }
            )
        next_step = (
            f"{details.supervisor_name} will be asked to confirm the staff verification"
            if verifying
            else f"{result.trainee_name} will get their training list"
        )
        return Accepted(
            Notice(
                f"Request #{request.id} filed for {result.trainee_name}. {next_step}; "
                "you will see each step in your messages from this bot and in your status list."
            )
        )

    @staticmethod
    def _parties(requester: str, supervisor: str, trainee: str) -> dict[str, str]:
        return {REQUESTER: requester, SUPERVISOR: supervisor, TRAINEE: trainee}

    # Steps ----------------------------------------------------------------------------------

    def steps(self) -> Mapping[str, Step[NewUserDetails]]:
        return {
            "verify": Step(
                SUPERVISOR,
                frozenset({NewUserState.AWAITING_VERIFICATION}),
                self._verify,
                refusal=lambda r: (
                    f"Only {r.details.supervisor_name}, the named supervisor, can confirm this "
                    "staff verification."
                ),
            ),
            "trained": Step(
                TRAINEE,
                frozenset({NewUserState.TRAINING}),
                self._trained,
                exact_version=False,
                refusal="Only the new user can report their own trainings.",
            ),
            "approve": Step(ADMIN, frozenset({NewUserState.AWAITING_APPROVAL}), self._approve),
            "deny": Step(
                ADMIN,
                self.open_states,
                self._deny,
                reason=ReasonPrompt(
                    "Deny access request", "Reason (the requester will see it)", "Deny"
                ),
            ),
            "account_created": Step(
                ADMIN, frozenset({NewUserState.APPROVED}), self._account_created
            ),
            "logged_in": Step(
                TRAINEE,
                frozenset({NewUserState.ACCOUNT_CREATED}),
                self._logged_in,
                refusal="Only the new user can confirm their own first login.",
            ),
            "withdraw": Step(
                REQUESTER,
                WITHDRAWABLE,
                self._withdraw,
                refusal="Only the person who filed the request can withdraw it.",
            ),
        }

    def _verify(
        self, machine: Run, actor: Actor, request: NewUserRequest, _arg: str, _reason: str
    ) -> Outcome:
        now = machine.ledger.now()
        due = machine.calendar.deadline(now, machine.community.deadlines.training)
        details = request.details.model_copy(
            update={"verified_by": actor.email, "verified_at": now, "training_due": due}
        )
        moved = machine.move(
            request, actor, NewUserState.TRAINING, "verify", details=details, due_at=due
        )
        if moved is None:
            return machine.lost_race(actor, request, "verify")
        return Notice(
            f"Thank you. Staff verification confirmed for {request.subject_name}; "
            "training starts now."
        )

    def _trained(
        self, machine: Run, actor: Actor, request: NewUserRequest, training_id: str, _reason: str
    ) -> Outcome:
        role = machine.community.access_role(request.details.access_role_id)
        required = role.trainings if role else ()
        if training_id not in required:
            return machine.refuse(
                actor,
                "trained",
                "unknown_training",
                request.id,
                "That training is not required for this access role.",
            )
        if request.reported(training_id) is None:
            machine.ledger.record_training_report(request.id, training_id, actor.email)
            machine.ledger.audit(
                AuditEvent(
                    actor,
                    machine.action("trained"),
                    "ok",
                    _subject(request),
                    {"training": training_id},
                )
            )
        updated = machine.get(request.id) or request
        if all(updated.reported(t) for t in required):
            moved = machine.move(updated, actor, NewUserState.AWAITING_APPROVAL, "trained")
            if moved is not None:
                return Notice("All trainings reported. HMIS will review and create your account.")
        else:
            machine.notify_cards(updated, cause=f"trained.{training_id}")
        training = machine.community.training(training_id)
        return Notice(f"Thanks, {training.name if training else training_id} is recorded.")

    def _approve(
        self, machine: Run, actor: Actor, request: NewUserRequest, _arg: str, _reason: str
    ) -> Outcome:
        return _decide(
            machine, actor, request, NewUserState.APPROVED, word="approved", verb="approve"
        )

    def _deny(
        self, machine: Run, actor: Actor, request: NewUserRequest, _arg: str, reason: str
    ) -> Outcome:
        return _decide(
            machine, actor, request, NewUserState.DENIED, word="denied", verb="deny", reason=reason
        )

    def _withdraw(
        self, machine: Run, actor: Actor, request: NewUserRequest, _arg: str, _reason: str
    ) -> Outcome:
        return _decide(
            machine, actor, request, NewUserState.WITHDRAWN, word="withdrawn", verb="withdraw"
        )

    def _account_created(
        self, machine: Run, actor: Actor, request: NewUserRequest, _arg: str, _reason: str
    ) -> Outcome:
        now = machine.ledger.now()
        due = machine.calendar.deadline(now, machine.community.deadlines.first_login)
        details = request.details.model_copy(
            update={
                "first_login_due": due,
                "account_created_by": actor.email,
                "account_created_at": now,
            }
        )
        moved = machine.move(
            request,
            actor,
            NewUserState.ACCOUNT_CREATED,
            "account_created",
            details=details,
            due_at=due,
        )
        if moved is None:
            return machine.lost_race(actor, request, "account_created")
        machine.ledger.open_account(
            NewAccount(
                email=request.subject_email,
                name=request.subject_name,
                agency_id=request.agency_id,
                access_role_id=request.details.access_role_id,
                request_id=request.id,
                first_login_due=due,
            )
        )
        return Notice(
            f"Recorded: account created for {request.subject_name}. They have "
            "been told to expect their credentials from HMIS."
        )

    def _logged_in(
        self, machine: Run, actor: Actor, request: NewUserRequest, _arg: str, _reason: str
    ) -> Outcome:
        if machine.move(request, actor, NewUserState.ACTIVE, "logged_in") is None:
            return machine.lost_race(actor, request, "logged_in")
        machine.ledger.activate_account(request.subject_email)
        return Notice("Thanks. Your HMIS account is active.")

    def after_first_login(self, machine: Run, email: str, source: str) -> None:
        """A login report shows the new user has logged in: their request is complete, as if
        they had pressed "I've logged in" (the account itself is updated by the import)."""
        for stored in machine.ledger.requests_about(email, (NAME,)):
            if stored.state == NewUserState.ACCOUNT_CREATED:
                machine.move(self.typed(stored), source, NewUserState.ACTIVE, "logged_in")

    def after_training_completed(
        self, machine: Run, email: str, training_id: str, completed_at: datetime
    ) -> None:
        """The LMS shows the new user completed a training: it counts as their own report."""
        for stored in machine.ledger.requests_about(email, (NAME,)):
            if stored.state == NewUserState.TRAINING:
                request = self.typed(stored)
                role = machine.community.access_role(request.details.access_role_id)
                count_completion(
                    machine,
                    request,
                    training_id,
                    completed_at,
                    required=role.trainings if role else (),
                    next_state=NewUserState.AWAITING_APPROVAL,
                )

    # Cards ----------------------------------------------------------------------------------

    def audiences(
        self, community: Community, request: NewUserRequest
    ) -> list[tuple[str, str | None]]:
        audiences: list[tuple[str, str | None]] = [
            (Audience.ADMINS, None),
            (Audience.REQUESTER, request.requester_email),
        ]
        if request.details.needs_staff_verification:
            audiences.append((Audience.SUPERVISOR, request.details.supervisor_email))
        if request.details.training_due is not None:
            audiences.append((Audience.TRAINEE, request.subject_email))
        if request.details.account_created_by is not None:
            audiences.append((Audience.TRAINEE_ACCOUNT, request.subject_email))
        return audiences

    def audience_of(self, request: NewUserRequest, email: str) -> str:
        if email == request.requester_email:
            return Audience.REQUESTER
        if email == request.details.supervisor_email:
            return Audience.SUPERVISOR
        if request.details.account_created_by is not None:
            return Audience.TRAINEE_ACCOUNT
        return Audience.TRAINEE

    def render(self, view: CardView, request: NewUserRequest, audience: str) -> Card:
        return CardRenderer(view).render(request, audience)

    # Nudges ---------------------------------------------------------------------------------

    def nudge_rules(self, community: Community, cutoffs: Cutoffs) -> Iterable[RequestRule]:
        return nudges.rules(community, cutoffs)

    def letters(
        self,
        view: CardView,
        nudge: str,
        request: NewUserRequest,
        occurrence: datetime,
        now: datetime,
    ) -> list[Letter]:
        return nudges.NewUserLetters(view).letters(nudge, request, occurrence, now)


def _decide(
    machine: Run,
    actor: Actor,
    request: NewUserRequest,
    to_state: NewUserState,
    *,
    word: str,
    verb: str,
    reason: str = "",
) -> Outcome:
    if machine.move(request, actor, to_state, verb, reason=reason, decided=True) is None:
        return machine.lost_race(actor, request, verb)
    return Notice(f"Request #{request.id} for {request.subject_name} {word}.")


def _subject(request: NewUserRequest) -> Subject:
    return Subject.request(request.id)
