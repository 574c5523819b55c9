"""The New User Access Request's nudges: staff-verification and training reminders and
escalations, the expiry of unfinished trainings, and admins' approval SLA."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime

from flows.community import Community, Training
from flows.kinds.new_user.cards import STATE_LABELS, CardRenderer
from flows.kinds.new_user.details import ADMIN_STATES, NAME, NewUserRequest, NewUserState
from flows.kit.kind import CardView
from flows.nudges.cutoffs import Cutoffs
from flows.nudges.letters import Letter, Role
from flows.nudges.rules import Move, RequestClock, RequestRule
from flows.ui import Card, Fact

VERIFICATION_REMINDER = "verification_reminder"
VERIFICATION_OVERDUE = "verification_overdue"
TRAINING_REMINDER = "training_reminder"
TRAINING_OVERDUE = "training_overdue"
TRAINING_EXPIRED = "training_expired"
ADMIN_SLA = "admin_sla"


def rules(community: Community, at: Cutoffs) -> Iterator[RequestRule]:
    deadlines, due_at = community.deadlines, RequestClock.DUE_AT
    training, verifying = NewUserState.TRAINING, NewUserState.AWAITING_VERIFICATION
    expire = Move(
        NewUserState.EXPIRED,
        "expire",
        f"training not reported by the deadline or within the {deadlines.training_grace} grace",
    )
    since_grace = at.since(deadlines.training_grace)
    yield RequestRule(NAME, TRAINING_EXPIRED, training, due_at, since_grace, move=expire)
    yield RequestRule(NAME, TRAINING_OVERDUE, training, due_at, at.due())
    for stage, window in at.reminders(deadlines.training_reminders):
        yield RequestRule(NAME, TRAINING_REMINDER, training, due_at, window, stage)
    yield RequestRule(NAME, VERIFICATION_OVERDUE, verifying, due_at, at.due())
    for stage, window in at.reminders(deadlines.staff_verification_reminders):
        yield RequestRule(NAME, VERIFICATION_REMINDER, verifying, due_at, window, stage)
    for state in sorted(ADMIN_STATES, key=list(NewUserState).index):
        yield RequestRule(
            NAME, ADMIN_SLA, state, RequestClock.STATE_ENTERED, at.since(deadlines.approval)
        )


class NewUserLetters:
    def __init__(self, view: CardView) -> None:
        self._community = view.community
        self._calendar = view.calendar
        self._cards = CardRenderer(view)
        self.when = view.when

    def letters(self, nudge: str, request: NewUserRequest, occurrence: datetime) -> list[Letter]:
        letters: dict[str, Callable[[NewUserRequest, datetime], list[Letter]]] = {
            VERIFICATION_REMINDER: self._verification_reminder,
            VERIFICATION_OVERDUE: self._verification_overdue,
            TRAINING_REMINDER: self._training_reminder,
            TRAINING_OVERDUE: self._training_overdue,
            TRAINING_EXPIRED: self._training_expired,
            ADMIN_SLA: self._admin_sla,
        }
        return letters[nudge](request, occurrence)

    def _verification_reminder(self, request: NewUserRequest, due: datetime) -> list[Letter]:
        card = Card(
            title=f"Reminder: staff verification for {request.subject_name}",
            summary=f"Please confirm the staff verification for {request.subject_name} by "
            f"{self.when(due)}.",
            text=(
                f"{self._cards.name(request, request.requester_email)} requested HMIS access "
                f"for {request.subject_name} and named you as their supervisor. Please confirm "
                "that they passed your agency's background check, with the button on the staff "
                "verification message. Do not send any background-check details here."
            ),
            facts=(*self._cards.request_facts(request), Fact("Confirm by", self.when(due))),
        )
        return [Letter(Role.SUPERVISOR, request.details.supervisor_email, card)]

    def _verification_overdue(self, request: NewUserRequest, due: datetime) -> list[Letter]:
        card = Card(
            title=f"Overdue: staff verification for {request.subject_name}",
            summary=f"The staff verification for {request.subject_name} was due {self.when(due)} "
            "and is not confirmed.",
            text=(
                f"{self._cards.name(request, request.details.supervisor_email)} has "
                f"not confirmed the staff verification for request #{request.id}. Please "
                "follow up with them; the "
                "request waits until they confirm it or it is withdrawn."
            ),
            facts=(
                *self._cards.request_facts(request),
                Fact("Supervisor", request.details.supervisor_name),
                Fact("Was due", self.when(due)),
            ),
        )
        return [
            Letter(Role.REQUESTER, request.requester_email, card),
            Letter(Role.ADMINS, None, card),
        ]

    def _training_reminder(self, request: NewUserRequest, due: datetime) -> list[Letter]:
        remaining = self._remaining_trainings(request)
        card = Card(
            title="Reminder: your HMIS training",
            summary=f"Complete your HMIS trainings by {self.when(due)}.",
            text=(
                "Complete these trainings and report each one with the buttons on your HMIS "
                "training message."
            ),
            facts=(
                Fact("Due", self.when(due)),
                *(Fact(t.name, "Not yet reported") for t in remaining),
            ),
            links=tuple((t.name, t.url) for t in remaining),
        )
        return [Letter(Role.TRAINEE, request.subject_email, card)]

    def _training_overdue(self, request: NewUserRequest, due: datetime) -> list[Letter]:
        expires = self._calendar.deadline(due, self._community.deadlines.training_grace)
        card = Card(
            title=f"Overdue: HMIS training for {request.subject_name}",
            summary=f"The HMIS training for {request.subject_name} was due {self.when(due)}.",
            text=(
                "Not every required training has been reported. The request expires "
                f"{self.when(expires)} unless the remaining trainings are reported before then."
            ),
            facts=(
                *self._cards.request_facts(request),
                Fact("Was due", self.when(due)),
                Fact("Expires", self.when(expires)),
                *(Fact(t.name, "Not yet reported") for t in self._remaining_trainings(request)),
            ),
        )
        return [
            Letter(Role.SUPERVISOR, request.details.supervisor_email, card),
            Letter(Role.TRAINEE, request.subject_email, card),
        ]

    def _training_expired(self, request: NewUserRequest, due: datetime) -> list[Letter]:
        grace = self._community.deadlines.training_grace
        card = Card(
            title=f"Expired: HMIS access request #{request.id} for {request.subject_name}",
            summary=f"Request #{request.id} for {request.subject_name} expired: the training was "
            "not completed in time.",
            text=(
                f"The required trainings were not all reported by {self.when(due)}, nor within "
                f"the {grace} grace period, so the request is closed. A supervisor or agency "
                "lead can file a new request to start again."
            ),
            facts=self._cards.request_facts(request),
        )
        return [
            Letter(Role.TRAINEE, request.subject_email, card),
            Letter(Role.SUPERVISOR, request.details.supervisor_email, card),
            Letter(Role.REQUESTER, request.requester_email, card),
            Letter(Role.ADMINS, None, card),
        ]

    def _admin_sla(self, request: NewUserRequest, entered: datetime) -> list[Letter]:
        target = self._community.deadlines.approval
        waiting_for = (
            "approval" if request.state == NewUserState.AWAITING_APPROVAL else "account creation"
        )
        card = Card(
            title=f"Waiting on HMIS admins: request #{request.id} for {request.subject_name}",
            summary=f"Request #{request.id} has waited longer than {target} for {waiting_for}.",
            text=(
                f"{STATE_LABELS[request.state]} since {self.when(entered)}; the "
                f"community's target is {target}. Please act on the request's card in this "
                "channel."
            ),
            facts=self._cards.request_facts(request),
        )
        return [Letter(Role.ADMINS, None, card)]

    def _remaining_trainings(self, request: NewUserRequest) -> list[Training]:
        return [t for t in self._cards.role_trainings(request) if request.reported(t.id) is None]
