"""The New User Access Request state machine: who may do what, in which state.

submitted -> awaiting staff verification -> training -> awaiting admin approval -> approved ->
account created -> active, with denied, withdrawn and expired exits. The community file decides
which steps a request takes: no staff verification where the filer attests the background check
or the process has none; no training step where the trainings come before the request; and,
for a role with an interim role, the account starts with the interim role and the full role
follows its trainings (full-role training -> awaiting full role -> active). Where the community
has staged training, its stages take the training step's place (staged <-> stage review, in
``stages``). The kit re-checks the clicker on every button; the steps here do the work.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from flows.accounts import HmisAccount
from flows.community import DEFAULT_FILERS, AgencyStatus, Community
from flows.kinds.new_user import needs, nudges, stages
from flows.kinds.new_user.cards import STATE_LABELS, Audience, CardRenderer
from flows.kinds.new_user.details import (
    ADMIN_STATES,
    DENIABLE,
    IN_STAGES,
    IN_TRAINING,
    NAME,
    OPEN_STATES,
    WITHDRAWABLE,
    NewUserDetails,
    NewUserRequest,
    NewUserState,
)
from flows.kinds.new_user.form import FORM_ID, F, request_form
from flows.kinds.new_user.validation import not_participating, validate_request
from flows.kit import trainings
from flows.kit.kind import ADMIN, REQUESTER, CardView, ReasonPrompt, RequestKind, Step
from flows.kit.machine import Machine
from flows.kit.participation import still_onboarding
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
        agencies = machine.community.agencies_filed_for_by(actor.email, NAME)
        if not agencies:
            return machine.refuse(
                actor,
                "open_form",
                "not_authorized",
                None,
                (
                    f"Only {_filers(machine.community)} can request HMIS access, and the HMIS "
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
        state, due, details = _first_step(machine, result.details)
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
        next_step = {
            NewUserState.AWAITING_VERIFICATION: (
                f"{details.supervisor_name} will be asked to confirm the staff verification"
            ),
            NewUserState.TRAINING: f"{result.trainee_name} will get their training list",
        }.get(state, "HMIS admins will review it")
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
                IN_TRAINING,
                self._trained,
                exact_version=False,
                refusal="Only the new user can report their own trainings.",
            ),
            "approve": Step(ADMIN, frozenset({NewUserState.AWAITING_APPROVAL}), self._approve),
            "deny": Step(
                ADMIN,
                DENIABLE,
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
            "full_role_set": Step(
                ADMIN, frozenset({NewUserState.AWAITING_FULL_ROLE}), self._full_role_set
            ),
            **self._stage_steps(),
            "withdraw": Step(
                REQUESTER,
                WITHDRAWABLE,
                self._withdraw,
                refusal="Only the person who filed the request can withdraw it.",
            ),
        }

    @staticmethod
    def _stage_steps() -> dict[str, Step[NewUserDetails]]:
        """The staged training's steps (``new_user: staged_training:``, in ``stages``)."""
        staged = frozenset({NewUserState.STAGED})
        return {
            stages.DONE: Step(
                TRAINEE,
                staged,
                stages.while_staged(stages.DONE, stages.done),
                exact_version=False,
                refusal="Only the new user can report their own training stages.",
            ),
            stages.EXTEND: Step(
                TRAINEE,
                staged,
                stages.while_staged(stages.EXTEND, stages.extend),
                exact_version=False,
                reason=ReasonPrompt(
                    "Ask HMIS for more time",
                    "Your written request: why you need longer for the training series",
                    "Send",
                ),
                refusal="Only the new user can ask for more time for their training.",
            ),
            stages.EXTENSION: Step(
                ADMIN,
                frozenset(IN_STAGES),
                stages.while_staged(stages.EXTENSION, stages.decide_extension),
            ),
            stages.REVIEW: Step(
                ADMIN,
                frozenset({NewUserState.STAGE_REVIEW}),
                stages.while_staged(stages.REVIEW, stages.review),
            ),
            stages.NEW_CASE: Step(
                ADMIN, frozenset(IN_STAGES), stages.while_staged(stages.NEW_CASE, stages.new_case)
            ),
            stages.WAIVE: Step(
                ADMIN, frozenset(IN_STAGES), stages.while_staged(stages.WAIVE, stages.waive)
            ),
        }

    def _verify(
        self, machine: Run, actor: Actor, request: NewUserRequest, _arg: str, _reason: str
    ) -> Outcome:
        now = machine.ledger.now()
        verified = request.details.model_copy(
            update={"verified_by": actor.email, "verified_at": now}
        )
        state, due, details = _after_verification(machine, verified)
        moved = machine.move(request, actor, state, "verify", details=details, due_at=due)
        if moved is None:
            return machine.lost_race(actor, request, "verify")
        training = state in (NewUserState.TRAINING, NewUserState.STAGED)
        then = "training starts now" if training else "HMIS reviews it next"
        return Notice(
            f"Thank you. Staff verification confirmed for {request.subject_name}; {then}."
        )

    def _trained(
        self, machine: Run, actor: Actor, request: NewUserRequest, training_id: str, _reason: str
    ) -> Outcome:
        full_role = request.details.interim_role_id is not None
        return trainings.report(
            machine,
            actor,
            request,
            training_id,
            needs=needs.current(machine.community, request),
            next_state=_trained_state(request),
            done=(
                "All trainings reported. HMIS will give your account its full role."
                if full_role
                else "All trainings reported. HMIS will review and create your account."
            ),
            not_asked="That training is not required for this access role.",
        )

    def _approve(
        self, machine: Run, actor: Actor, request: NewUserRequest, _arg: str, _reason: str
    ) -> Outcome:
        """Approved; the account is to be created with the role's interim role when the full
        role's trainings are not all done yet (decided now, so the card can say so)."""
        done = {
            *trainings.reported(request),
            *machine.ledger.trainings_completed(request.subject_email),
        }
        interim = needs.interim_role(machine.community, request.details, done)
        details = request.details.model_copy(update={"interim_role_id": interim})
        moved = machine.move(
            request, actor, NewUserState.APPROVED, "approve", details=details, decided=True
        )
        if moved is None:
            return machine.lost_race(actor, request, "approve")
        role = machine.view.role_name(interim or request.details.access_role_id)
        return Notice(
            f"Request #{request.id} for {request.subject_name} approved. Create the account "
            f"with the role {role}."
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
                access_role_id=request.details.interim_role_id or request.details.access_role_id,
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
        moved = _first_login(machine, actor, request)
        if moved is None:
            return machine.lost_race(actor, request, "logged_in")
        machine.ledger.activate_account(request.subject_email)
        if moved.state == NewUserState.ACTIVE:
            return Notice("Thanks. Your HMIS account is active.")
        return Notice(
            f"Thanks. Your HMIS account is active with the role "
            f"{machine.view.role_name(moved.details.interim_role_id or '')} for now; complete "
            f"the trainings on your card by {machine.calendar.when(moved.details.training_due)} "
            "for its full role."
        )

    def _full_role_set(
        self, machine: Run, actor: Actor, request: NewUserRequest, _arg: str, _reason: str
    ) -> Outcome:
        details = request.details.model_copy(
            update={"full_role_set_by": actor.email, "full_role_set_at": machine.ledger.now()}
        )
        moved = machine.move(request, actor, NewUserState.ACTIVE, "full_role_set", details=details)
        if moved is None:
            return machine.lost_race(actor, request, "full_role_set")
        role_id = request.details.access_role_id
        account = machine.ledger.account_by_email(request.subject_email)
        if account is not None and account.is_held:
            changed = machine.ledger.move_account(account, account.status, actor.email, role_id)
            machine.ledger.audit(
                AuditEvent(
                    actor,
                    "account.role_changed",
                    "ok" if changed else "refused",
                    Subject.account(account.id),
                    {"from": account.access_role_id, "to": role_id, "request": str(request.id)},
                )
            )
        return Notice(
            f"Recorded: {request.subject_name}'s HMIS access role is now "
            f"{machine.view.role_name(role_id)}."
        )

    def after_first_login(self, machine: Run, email: str, source: str) -> None:
        """A login report shows the new user has logged in: their request goes on as if they
        had pressed "I've logged in" (the account itself is updated by the import)."""
        for stored in machine.ledger.requests_about(email, (NAME,)):
            if stored.state == NewUserState.ACCOUNT_CREATED:
                _first_login(machine, source, self.typed(stored))

    def after_training_completed(
        self, machine: Run, email: str, training_id: str, completed_at: datetime
    ) -> None:
        """The LMS shows the new user completed a training: it counts as their own report."""
        for stored in machine.ledger.requests_about(email, (NAME,)):
            if stored.state in IN_TRAINING:
                request = self.typed(stored)
                trainings.count_completion(
                    machine,
                    request,
                    training_id,
                    completed_at,
                    needs=needs.current(machine.community, request),
                    next_state=_trained_state(request),
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
        if request.details.training_due is not None or request.details.stages is not None:
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


def _filers(community: Community) -> str:
    """Who files New User Access Requests, as the SSF form says it unless the community's
    ``filed_by`` names others (such as San Francisco's agency leads only)."""
    if community.filers(NAME) == DEFAULT_FILERS:
        return "supervisors or agency leadership"
    return f"agency {community.filer_words(NAME)}"


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


def _first_step(
    machine: Run, details: NewUserDetails
) -> tuple[NewUserState, datetime | None, NewUserDetails]:
    """Where a filed request starts: the supervisor's staff verification where the community
    asks for it, else on as after it."""
    if not details.needs_staff_verification:
        return _after_verification(machine, details)
    due = machine.calendar.deadline(
        machine.ledger.now(), machine.community.deadlines.staff_verification
    )
    return (
        NewUserState.AWAITING_VERIFICATION,
        due,
        details.model_copy(update={"verification_due": due}),
    )


def _after_verification(
    machine: Run, details: NewUserDetails
) -> tuple[NewUserState, datetime | None, NewUserDetails]:
    """The community's staged training where it has one; else training, with its deadline;
    straight to HMIS admins when the filer attested the trainings done or the role needs none
    before the account."""
    if machine.community.new_user.staged_training is not None:
        return stages.start(machine, details)
    if details.trained_first or not needs.before_account(machine.community, details):
        return NewUserState.AWAITING_APPROVAL, None, details
    due = machine.calendar.deadline(machine.ledger.now(), machine.community.deadlines.training)
    return NewUserState.TRAINING, due, details.model_copy(update={"training_due": due})


def _trained_state(request: NewUserRequest) -> NewUserState:
    """Where the last training report takes the request."""
    if request.details.interim_role_id:
        return NewUserState.AWAITING_FULL_ROLE
    return NewUserState.AWAITING_APPROVAL


def _first_login(
    machine: Run, actor: Actor | str, request: NewUserRequest
) -> NewUserRequest | None:
    """Logged in: done, or, with the interim role, on to the full role's trainings."""
    if not request.details.interim_role_id:
        return machine.move(request, actor, NewUserState.ACTIVE, "logged_in")
    due = machine.calendar.deadline(machine.ledger.now(), machine.community.deadlines.training)
    details = request.details.model_copy(update={"training_due": due})
    return machine.move(
        request, actor, NewUserState.FULL_ROLE_TRAINING, "logged_in", details=details, due_at=due
    )
