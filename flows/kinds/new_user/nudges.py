"""The New User Access Request's nudges: staff-verification and training reminders and
escalations, the expiry of unfinished trainings, and admins' approval SLA. The full role's
trainings (after an interim role) are reminded and escalated alike, but never expire: the
account keeps its interim role meanwhile. The stages of a staged training
(``new_user: staged_training:``) are each reminded and escalated at their own deadline, and
never expire: what follows a missed stage is the admins' call (more time, a new case, a
denial)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime

from flows.community import Community
from flows.kinds.new_user.cards import STATE_LABELS, CardRenderer
from flows.kinds.new_user.details import ADMIN_STATES, NAME, NewUserRequest, NewUserState
from flows.kit.kind import CardView
from flows.nudges.cutoffs import Cutoffs
from flows.nudges.letters import Letter, Role, days_until
from flows.nudges.rules import Move, RequestClock, RequestRule
from flows.requirements import training_ids
from flows.ui import Card, Fact

VERIFICATION_REMINDER = "verification_reminder"
VERIFICATION_OVERDUE = "verification_overdue"
TRAINING_REMINDER = "training_reminder"
TRAINING_OVERDUE = "training_overdue"
TRAINING_EXPIRED = "training_expired"
ADMIN_SLA = "admin_sla"
STAGE_REMINDER = "stage_reminder"
STAGE_OVERDUE = "stage_overdue"


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
    for state in (training, NewUserState.FULL_ROLE_TRAINING):
        yield RequestRule(NAME, TRAINING_OVERDUE, state, due_at, at.due())
        for stage, window in at.reminders(deadlines.training_reminders):
            yield RequestRule(NAME, TRAINING_REMINDER, state, due_at, window, stage)
    if community.new_user.staged_training is not None:
        staged = NewUserState.STAGED
        yield RequestRule(NAME, STAGE_OVERDUE, staged, due_at, at.due())
        for stage, window in at.reminders(community.new_user.staged_training.reminders):
            yield RequestRule(NAME, STAGE_REMINDER, staged, due_at, window, stage)
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

    def letters(
        self, nudge: str, request: NewUserRequest, occurrence: datetime, now: datetime
    ) -> list[Letter]:
        if nudge == TRAINING_REMINDER:
            return self._training_reminder(request, occurrence, now)
        if nudge == STAGE_REMINDER:
            return self._stage_reminder(request, occurrence, now)
        letters: dict[str, Callable[[NewUserRequest, datetime], list[Letter]]] = {
            VERIFICATION_REMINDER: self._verification_reminder,
            VERIFICATION_OVERDUE: self._verification_overdue,
            TRAINING_OVERDUE: self._training_overdue,
            TRAINING_EXPIRED: self._training_expired,
            ADMIN_SLA: self._admin_sla,
            STAGE_OVERDUE: self._stage_overdue,
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
                "that they passed your agency's background check with the button below. Do not "
                "send any background-check details here."
            ),
            facts=(*self._cards.request_facts(request), Fact("Confirm by", self.when(due))),
            buttons=(self._cards.verify_button(request),),
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
                Fact("Supervisor", self._cards.name(request, request.details.supervisor_email)),
                Fact("Supervisor's work e-mail", request.details.supervisor_email),
                Fact("Was due", self.when(due)),
            ),
        )
        return [
            Letter(Role.REQUESTER, request.requester_email, card),
            Letter(Role.ADMINS, None, card),
        ]

    def _training_reminder(
        self, request: NewUserRequest, due: datetime, now: datetime
    ) -> list[Letter]:
        """``7 days left``, ``2 days left``, ``due today``: counted from when it is read."""
        days = days_until(self._calendar, due, now)
        left = "due today" if days <= 0 else f"{days} day{'s' if days > 1 else ''} left"
        card = Card(
            title=f"Your HMIS training: {left} (request #{request.id})",
            summary=f"{left.capitalize()}: complete your HMIS trainings by {self.when(due)}.",
            text=(
                f"Complete these trainings by {self.when(due)} and report each one with its "
                "button when done."
            ),
            facts=self._trainee_facts(request, Fact("Due", self.when(due))),
            links=self._remaining_links(request),
            buttons=self._cards.training_buttons(request),
        )
        return [Letter(Role.TRAINEE, request.subject_email, card)]

    def _training_overdue(self, request: NewUserRequest, due: datetime) -> list[Letter]:
        """The supervisor is told about the new user; the new user gets their own words, the
        links and the buttons, since reports still count until the request expires."""
        if request.state == NewUserState.FULL_ROLE_TRAINING:
            return self._full_role_training_overdue(request, due)
        expires = self._calendar.deadline(due, self._community.deadlines.training_grace)
        supervisor = Card(
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
                *self._remaining_facts(request),
            ),
        )
        trainee = Card(
            title=f"Your HMIS training is overdue (request #{request.id})",
            summary=(
                f"Your HMIS trainings were due {self.when(due)}; report them by "
                f"{self.when(expires)} or the request expires."
            ),
            text=(
                f"Your HMIS trainings were due {self.when(due)} and not all are reported. "
                f"Complete the ones below and report each with its button by "
                f"{self.when(expires)}; after that the request expires and your supervisor or "
                "agency lead would have to file a new one."
            ),
            facts=self._trainee_facts(
                request, Fact("Was due", self.when(due)), Fact("Expires", self.when(expires))
            ),
            links=self._remaining_links(request),
            buttons=self._cards.training_buttons(request),
        )
        return [
            Letter(Role.SUPERVISOR, request.details.supervisor_email, supervisor),
            Letter(Role.TRAINEE, request.subject_email, trainee),
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

    def _full_role_training_overdue(self, request: NewUserRequest, due: datetime) -> list[Letter]:
        """Past due, the account simply keeps its interim role: no expiry to warn of."""
        interim = self._cards.role_name(request.details.interim_role_id or "")
        supervisor = Card(
            title=f"Overdue: full-role HMIS training for {request.subject_name}",
            summary=f"The trainings for {request.subject_name}'s full HMIS role were due "
            f"{self.when(due)}.",
            text=(
                "Not every training the full role needs has been reported, so the account keeps "
                f"the role {interim}. Please follow up with them."
            ),
            facts=(
                *self._cards.request_facts(request),
                Fact("Was due", self.when(due)),
                *self._remaining_facts(request),
            ),
        )
        trainee = Card(
            title=f"Your full-role HMIS training is overdue (request #{request.id})",
            summary=f"The trainings for your full HMIS role were due {self.when(due)}.",
            text=(
                f"Until you complete the trainings below and report each with its button, your "
                f"account keeps the role {interim}."
            ),
            facts=self._trainee_facts(request, Fact("Was due", self.when(due))),
            links=self._remaining_links(request),
            buttons=self._cards.training_buttons(request),
        )
        return [
            Letter(Role.SUPERVISOR, request.details.supervisor_email, supervisor),
            Letter(Role.TRAINEE, request.subject_email, trainee),
        ]

    def _admin_sla(self, request: NewUserRequest, entered: datetime) -> list[Letter]:
        target = self._community.deadlines.approval
        waiting_for = {
            str(NewUserState.STAGE_REVIEW): "the review of a training stage",
            str(NewUserState.AWAITING_APPROVAL): "approval",
            str(NewUserState.APPROVED): "account creation",
        }.get(request.state, "the full role to be set")
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

    def _stage_reminder(
        self, request: NewUserRequest, due: datetime, now: datetime
    ) -> list[Letter]:
        days = days_until(self._calendar, due, now)
        left = "due today" if days <= 0 else f"{days} day{'s' if days > 1 else ''} left"
        stage = self._cards.progress(request).stage
        stages = self._cards.stages(request)
        card = Card(
            title=f"Your HMIS training stage: {left} (request #{request.id})",
            summary=f"{left.capitalize()}: complete {stage} by {self.when(due)}.",
            text=self._cards.progress(request).trainee_text(self._role(request)),
            facts=(Fact("Due", self.when(due)), *stages.facts(request)),
            links=stages.links(request, self._community),
            buttons=stages.trainee_buttons(request),
        )
        return [Letter(Role.TRAINEE, request.subject_email, card)]

    def _stage_overdue(self, request: NewUserRequest, due: datetime) -> list[Letter]:
        """The new user may still finish it; their supervisor and the admins are told, the
        admins deciding what follows (more time, a new case, a denial)."""
        stage = self._cards.progress(request).stage
        stages = self._cards.stages(request)
        facts = (*self._cards.request_facts(request), Fact("Was due", self.when(due)))
        others = Card(
            title=f"Overdue: {stage} for {request.subject_name}",
            summary=f"{request.subject_name}'s {stage} was due {self.when(due)}.",
            text=(
                f"{request.subject_name} has not finished {stage}. HMIS admins decide what "
                "follows: more time, a new case, more training, or denying access."
            ),
            facts=(*facts, *stages.facts(request)),
        )
        trainee = Card(
            title=f"Your HMIS training stage is overdue (request #{request.id})",
            summary=f"Your {stage} was due {self.when(due)}.",
            text=(
                f"Your {stage} was due {self.when(due)}. Finish it and report it with the "
                "button below, or contact the HMIS help desk."
            ),
            facts=(Fact("Was due", self.when(due)), *stages.facts(request)),
            links=stages.links(request, self._community),
            buttons=stages.trainee_buttons(request),
        )
        return [
            Letter(Role.TRAINEE, request.subject_email, trainee),
            Letter(Role.SUPERVISOR, request.details.supervisor_email, others),
            Letter(Role.ADMINS, None, others),
        ]

    def _role(self, request: NewUserRequest) -> str:
        return self._cards.role_name(request.details.access_role_id)

    def _trainee_facts(self, request: NewUserRequest, *dates: Fact) -> tuple[Fact, ...]:
        return (*dates, *self._remaining_facts(request))

    def _remaining_facts(self, request: NewUserRequest) -> tuple[Fact, ...]:
        return tuple(
            Fact(self._cards.need_label(r), "Not yet reported")
            for r in self._cards.remaining(request)
        )

    def _remaining_links(self, request: NewUserRequest) -> tuple[tuple[str, str], ...]:
        ids = training_ids(self._cards.remaining(request))
        return tuple((t.name, t.url) for t in self._cards.trainings(ids))
