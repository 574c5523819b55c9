"""The New User Access Request state machine: who may do what, in which state.

Every entry point re-checks the acting person against the directory, changes state by
compare-and-set, writes an audit event for every change and every refusal, and queues the
cards of everyone involved for re-rendering.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TypedDict, Unpack

from flows.calendar import BusinessCalendar
from flows.community import AgencyStatus, Community
from flows.model import (
    AccessRequest,
    Actor,
    Audience,
    AuditEvent,
    Notification,
    RequestState,
    Transition,
)
from flows.new_user.cards import FLOW, REQUEST_SUBJECT, STATE_LABELS, CardRenderer
from flows.new_user.form import F, deny_form, request_form
from flows.new_user.validation import NOT_LISTED_MESSAGE, validate_request
from flows.outcomes import Accepted, FieldErrors, OpenForm, Outcome
from flows.ports import FormValues, Ledger
from flows.ui import ActionCommand, CardList, Notice

MAX_REASON_LENGTH = 1000


class _Changes(TypedDict, total=False):
    reason: str
    verified_by: str
    decided: bool
    account_created: bool
    training_due: datetime
    first_login_due: datetime


@dataclass(frozen=True)
class NewUserFlow:
    community: Community
    calendar: BusinessCalendar
    ledger: Ledger

    # Filing ---------------------------------------------------------------------------------

    def open_form(self, actor: Actor) -> Outcome:
        agencies = self.community.agencies_filed_for_by(actor.email)
        if not agencies:
            return self._refuse(
                actor,
                "new_user.open_form",
                "not_authorized",
                None,
                (
                    "Only supervisors or agency leadership can request HMIS access, and the HMIS "
                    "directory does not list you as one. Ask your agency lead or the HMIS help "
                    "desk."
                ),
            )
        if not any(a.status is AgencyStatus.APPROVED for a in agencies):
            return self._refuse(
                actor, "new_user.open_form", "agency_not_participating", None, NOT_LISTED_MESSAGE
            )
        return OpenForm(request_form(self.community, actor.email))

    def submit(self, actor: Actor, values: FormValues) -> Outcome:
        result = validate_request(values, self.community, actor.email, self.ledger)
        if isinstance(result, dict):
            self.ledger.audit(
                AuditEvent(
                    actor,
                    "new_user.file",
                    "refused",
                    None,
                    {field: problem.code for field, problem in result.items()},
                )
            )
            return FieldErrors({field: problem.message for field, problem in result.items()})
        now = self.ledger.now()
        verifying = result.needs_staff_verification
        request = self.ledger.add_request(
            result,
            verification_due=self.calendar.deadline(
                now, self.community.deadlines.staff_verification
            )
            if verifying
            else None,
            training_due=None if verifying else self._training_due(),
        )
        if request is None:
            self.ledger.audit(
                AuditEvent(actor, "new_user.file", "refused", None, {F.TRAINEE_EMAIL: "duplicate"})
            )
            return FieldErrors(
                {
                    F.TRAINEE_EMAIL: (
                        f"{result.trainee_email} already has an open request or an HMIS account."
                    )
                }
            )
        request = self._move(
            request,
            actor,
            RequestState.AWAITING_VERIFICATION if verifying else RequestState.TRAINING,
            action="",
        )
        self.ledger.audit(
            AuditEvent(
                actor,
                "new_user.file",
                "ok",
                request.id,
                {"agency": result.agency_id, "role": result.access_role_id},
            )
        )
        next_step = (
            f"{result.supervisor_name} will be asked to confirm the staff verification"
            if verifying
            else f"{result.trainee_name} will get their training list"
        )
        return Accepted(
            Notice(
                f"Request #{request.id} filed for {result.trainee_name}. {next_step}; "
                "you will see each step in your DMs and with /hmis-access status."
            )
        )

    # Buttons --------------------------------------------------------------------------------

    def click(self, actor: Actor, command: ActionCommand) -> Outcome:
        """One entry point for every button on every card; the verb picks the transition."""
        action = f"new_user.{command.verb.partition('.')[0]}"
        request = self.ledger.get_request(command.subject_id)
        if command.flow != FLOW or request is None:
            return self._refuse(
                actor,
                action,
                "unknown_request",
                command.subject_id,
                "That request no longer exists.",
            )
        verb, _, argument = command.verb.partition(".")
        if verb == "trained":
            return self._report_training(actor, request, argument)
        if command.version != request.version:
            return self._refuse(actor, action, "stale", request.id, self._already(request))
        handlers = {
            "verify": self._verify,
            "approve": self._approve,
            "deny": self._ask_deny_reason,
            "account_created": self._account_created,
            "logged_in": self._logged_in,
            "withdraw": self._withdraw,
        }
        handler = handlers.get(verb)
        if handler is None:
            return self._refuse(
                actor,
                action,
                "unknown_action",
                request.id,
                "That button is not something this bot knows how to do.",
            )
        return handler(actor, request)

    def first_login_imported(self, email: str, importer: str) -> None:
        """A login report shows the new user has logged in: their request is complete, as if
        they had pressed "I've logged in" (the account itself is updated by the import)."""
        for request in self.ledger.requests_involving(email):
            if request.state is not RequestState.ACCOUNT_CREATED:
                continue
            if request.draft.trainee_email != email:
                continue
            transition = Transition(
                request.id,
                request.version,
                request.state,
                RequestState.ACTIVE,
                importer,
                reason="login report",
            )
            moved = self.ledger.apply(transition)
            if moved is not None:
                self.ledger.audit(
                    AuditEvent(
                        None,
                        "new_user.logged_in",
                        "ok",
                        request.id,
                        {"from": request.state.value, "to": moved.state.value, "source": importer},
                    )
                )
                self.ledger.notify_many(card_refreshes(moved, cause="active"))

    def submit_denial(self, actor: Actor, context: str, values: FormValues) -> Outcome:
        command = ActionCommand.decode(f"{FLOW} deny {context}")
        request = self.ledger.get_request(command.subject_id) if command else None
        if command is None or request is None:
            return self._refuse(
                actor, "new_user.deny", "unknown_request", None, "That request no longer exists."
            )
        reason = values.get(F.DENY_REASON)
        reason = reason.strip() if isinstance(reason, str) else ""
        if not reason or len(reason) > MAX_REASON_LENGTH:
            self.ledger.audit(
                AuditEvent(
                    actor, "new_user.deny", "refused", request.id, {"reason": "missing_reason"}
                )
            )
            return FieldErrors(
                {
                    F.DENY_REASON: (
                        f"Give the requester a reason (up to {MAX_REASON_LENGTH} characters)."
                    )
                }
            )
        refusal = self._admin_refusal(actor, request, "new_user.deny")
        if refusal is not None:
            return refusal
        if command.version != request.version or not request.is_open:
            return self._refuse(actor, "new_user.deny", "stale", request.id, self._already(request))
        return self._decide(actor, request, RequestState.DENIED, "denied", reason)

    # Transitions ----------------------------------------------------------------------------

    def _verify(self, actor: Actor, request: AccessRequest) -> Outcome:
        action = "new_user.verify"
        if actor.email != request.draft.supervisor_email:
            return self._refuse(
                actor,
                action,
                "not_supervisor",
                request.id,
                (
                    f"Only {request.draft.supervisor_name}, the named supervisor, can confirm this "
                    "staff verification."
                ),
            )
        if request.state is not RequestState.AWAITING_VERIFICATION:
            return self._refuse(actor, action, "wrong_state", request.id, self._already(request))
        moved = self._cas(
            request,
            actor,
            RequestState.TRAINING,
            action,
            verified_by=actor.email,
            training_due=self._training_due(),
        )
        if moved is None:
            return self._lost_race(actor, request, action)
        return Notice(
            f"Thank you. Staff verification confirmed for {request.draft.trainee_name}; "
            "training starts now."
        )

    def _report_training(self, actor: Actor, request: AccessRequest, training_id: str) -> Outcome:
        action = "new_user.trained"
        role = self.community.access_role(request.draft.access_role_id)
        required = role.trainings if role else ()
        if actor.email != request.draft.trainee_email:
            return self._refuse(
                actor,
                action,
                "not_trainee",
                request.id,
                "Only the new user can report their own trainings.",
            )
        if training_id not in required:
            return self._refuse(
                actor,
                action,
                "unknown_training",
                request.id,
                "That training is not required for this access role.",
            )
        if request.state is not RequestState.TRAINING:
            return self._refuse(actor, action, "wrong_state", request.id, self._already(request))
        if request.reported(training_id) is None:
            self.ledger.record_training_report(request.id, training_id, actor.email)
            self.ledger.audit(
                AuditEvent(actor, action, "ok", request.id, {"training": training_id})
            )
        updated = self.ledger.get_request(request.id) or request
        if all(updated.reported(t) for t in required):
            moved = self._cas(updated, actor, RequestState.AWAITING_APPROVAL, action)
            if moved is not None:
                return Notice("All trainings reported. HMIS will review and create your account.")
        else:
            self._notify_all(updated, cause=f"trained.{training_id}")
        training = self.community.training(training_id)
        return Notice(f"Thanks, {training.name if training else training_id} is recorded.")

    def _approve(self, actor: Actor, request: AccessRequest) -> Outcome:
        refusal = self._admin_refusal(actor, request, "new_user.approve")
        if refusal is not None:
            return refusal
        if request.state is not RequestState.AWAITING_APPROVAL:
            return self._refuse(
                actor, "new_user.approve", "wrong_state", request.id, self._already(request)
            )
        return self._decide(actor, request, RequestState.APPROVED, "approved")

    def _ask_deny_reason(self, actor: Actor, request: AccessRequest) -> Outcome:
        refusal = self._admin_refusal(actor, request, "new_user.deny")
        if refusal is not None:
            return refusal
        if not request.is_open:
            return self._refuse(
                actor, "new_user.deny", "wrong_state", request.id, self._already(request)
            )
        return OpenForm(deny_form(request.id, request.version))

    def _account_created(self, actor: Actor, request: AccessRequest) -> Outcome:
        action = "new_user.account_created"
        refusal = self._admin_refusal(actor, request, action)
        if refusal is not None:
            return refusal
        if request.state is not RequestState.APPROVED:
            return self._refuse(actor, action, "wrong_state", request.id, self._already(request))
        first_login_due = self.calendar.deadline(
            self.ledger.now(), self.community.deadlines.first_login
        )
        moved = self._cas(
            request,
            actor,
            RequestState.ACCOUNT_CREATED,
            action,
            account_created=True,
            first_login_due=first_login_due,
        )
        if moved is None:
            return self._lost_race(actor, request, action)
        self.ledger.open_account(moved)
        return Notice(
            f"Recorded: account created for {request.draft.trainee_name}. They have "
            "been told to expect their credentials from HMIS."
        )

    def _logged_in(self, actor: Actor, request: AccessRequest) -> Outcome:
        action = "new_user.logged_in"
        if actor.email != request.draft.trainee_email:
            return self._refuse(
                actor,
                action,
                "not_trainee",
                request.id,
                "Only the new user can confirm their own first login.",
            )
        if request.state is not RequestState.ACCOUNT_CREATED:
            return self._refuse(actor, action, "wrong_state", request.id, self._already(request))
        if self._cas(request, actor, RequestState.ACTIVE, action) is None:
            return self._lost_race(actor, request, action)
        self.ledger.activate_account(request.draft.trainee_email)
        return Notice("Thanks. Your HMIS account is active.")

    def _withdraw(self, actor: Actor, request: AccessRequest) -> Outcome:
        action = "new_user.withdraw"
        if actor.email != request.draft.requester_email:
            return self._refuse(
                actor,
                action,
                "not_requester",
                request.id,
                "Only the person who filed the request can withdraw it.",
            )
        if not request.is_open:
            return self._refuse(actor, action, "wrong_state", request.id, self._already(request))
        return self._decide(actor, request, RequestState.WITHDRAWN, "withdrawn")

    def _decide(
        self,
        actor: Actor,
        request: AccessRequest,
        to_state: RequestState,
        verb: str,
        reason: str = "",
    ) -> Outcome:
        action = f"new_user.{verb}"
        if self._cas(request, actor, to_state, action, reason=reason, decided=True) is None:
            return self._lost_race(actor, request, action)
        return Notice(f"Request #{request.id} for {request.draft.trainee_name} {verb}.")

    # Helpers --------------------------------------------------------------------------------

    def _admin_refusal(self, actor: Actor, request: AccessRequest, action: str) -> Notice | None:
        if not self.community.is_admin(actor.email):
            return self._refuse(
                actor, action, "not_admin", request.id, "Only HMIS admins can do that."
            )
        if actor.email in (request.draft.requester_email, request.draft.trainee_email):
            return self._refuse(
                actor,
                action,
                "own_request",
                request.id,
                "You filed or are the subject of this request; another HMIS "
                "admin has to decide it.",
            )
        return None

    def _training_due(self) -> datetime:
        return self.calendar.deadline(self.ledger.now(), self.community.deadlines.training)

    def _cas(
        self,
        request: AccessRequest,
        actor: Actor,
        to_state: RequestState,
        action: str,
        **changes: Unpack[_Changes],
    ) -> AccessRequest | None:
        moved = self._move(request, actor, to_state, action=action, **changes)
        return moved if moved.version != request.version else None

    def _move(
        self,
        request: AccessRequest,
        actor: Actor,
        to_state: RequestState,
        action: str,
        **changes: Unpack[_Changes],
    ) -> AccessRequest:
        """Apply a transition; the request unchanged (same version) when the CAS lost."""
        transition = Transition(
            request.id, request.version, request.state, to_state, actor.email, **changes
        )
        moved = self.ledger.apply(transition)
        if moved is None:
            return request
        if action:
            self.ledger.audit(
                AuditEvent(
                    actor,
                    action,
                    "ok",
                    request.id,
                    {"from": request.state.value, "to": to_state.value},
                )
            )
        self._notify_all(moved, cause=to_state.value)
        return moved

    def _lost_race(self, actor: Actor, request: AccessRequest, action: str) -> Notice:
        current = self.ledger.get_request(request.id) or request
        return self._refuse(actor, action, "lost_race", request.id, self._already(current))

    def _already(self, request: AccessRequest) -> str:
        return (
            f"Request #{request.id} has already moved on: "
            f"{STATE_LABELS[request.state].lower()}. Nothing was changed."
        )

    def _refuse(
        self, actor: Actor, action: str, code: str, request_id: int | None, message: str
    ) -> Notice:
        self.ledger.audit(AuditEvent(actor, action, "refused", request_id, {"reason": code}))
        return Notice(message)

    def _notify_all(self, request: AccessRequest, cause: str) -> None:
        for notification in card_refreshes(request, cause):
            self.ledger.notify(notification)


def card_refreshes(request: AccessRequest, cause: str) -> list[Notification]:
    """Every involved audience's live card, to re-render; ``cause`` makes the dedupe key unique."""
    draft = request.draft
    audiences: list[tuple[Audience, str | None]] = [
        (Audience.ADMINS, None),
        (Audience.REQUESTER, draft.requester_email),
    ]
    if draft.needs_staff_verification:
        audiences.append((Audience.SUPERVISOR, draft.supervisor_email))
    if request.training_due is not None:
        audiences.append((Audience.TRAINEE, draft.trainee_email))
    if request.account_created_by is not None:
        audiences.append((Audience.TRAINEE_ACCOUNT, draft.trainee_email))
    return [
        Notification(
            REQUEST_SUBJECT,
            str(request.id),
            audience.value,
            email,
            f"request:{request.id}:{audience.value}:v{request.version}:{cause}",
        )
        for audience, email in audiences
    ]


@dataclass(frozen=True)
class NewUserViews:
    """Read-only lists: a person's own requests, and the admins' approval queue."""

    community: Community
    calendar: BusinessCalendar
    ledger: Ledger

    def status(self, actor: Actor) -> CardList:
        renderer = CardRenderer(self.community, self.calendar)
        cards = tuple(
            renderer.render(r, _audience_of(actor.email, r))
            for r in self.ledger.requests_involving(actor.email)
        )
        return CardList("Your HMIS access requests", "You have no HMIS access requests.", cards)

    def admin_queue(self, actor: Actor) -> CardList | None:
        """The approval queue, only for admins (re-checked here, not by the caller)."""
        if not self.community.is_admin(actor.email):
            return None
        renderer = CardRenderer(self.community, self.calendar)
        cards = tuple(renderer.admin_card(r) for r in self.ledger.requests_awaiting_admins())
        return CardList("Approval queue", "Nothing is waiting for HMIS admins.", cards)


def _audience_of(email: str, request: AccessRequest) -> Audience:
    if email == request.draft.requester_email:
        return Audience.REQUESTER
    if email == request.draft.supervisor_email:
        return Audience.SUPERVISOR
    return Audience.TRAINEE
