"""Each audience's card for a request, rendered whole from the stored request every time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flows.calendar import BusinessCalendar
from flows.community import Community, Training
from flows.model import AccessRequest, Audience, RequestState
from flows.ui import ActionCommand, Button, ButtonStyle, Card, Fact

FLOW = "new_user"
REQUEST_SUBJECT = "request"  # outbox subject kind for a request's live cards

STATE_LABELS = {
    RequestState.SUBMITTED: "Submitted",
    RequestState.AWAITING_VERIFICATION: "Waiting for staff verification",
    RequestState.TRAINING: "Training in progress",
    RequestState.AWAITING_APPROVAL: "Waiting for HMIS admin approval",
    RequestState.APPROVED: "Approved; account being created",
    RequestState.ACCOUNT_CREATED: "Account created; waiting for first login",
    RequestState.ACTIVE: "Active",
    RequestState.DENIED: "Denied",
    RequestState.WITHDRAWN: "Withdrawn",
    RequestState.EXPIRED: "Expired",
}


class CardRenderer:
    def __init__(self, community: Community, calendar: BusinessCalendar) -> None:
        self._community = community
        self._calendar = calendar

    def render(self, request: AccessRequest, audience: Audience) -> Card:
        renderers: dict[Audience, Callable[[AccessRequest], Card]] = {
            Audience.ADMINS: self.admin_card,
            Audience.REQUESTER: self.requester_card,
            Audience.SUPERVISOR: self.supervisor_card,
            Audience.TRAINEE: self.trainee_card,
            Audience.TRAINEE_ACCOUNT: self.account_card,
        }
        return renderers[audience](request)

    def when(self, moment: datetime | None) -> str:
        if moment is None:
            return "-"
        return self._calendar.local(moment).strftime("%a %b %-d, %Y %-I:%M %p %Z")

    def admin_card(self, request: AccessRequest) -> Card:
        buttons: tuple[Button, ...] = ()
        if request.state is RequestState.AWAITING_APPROVAL:
            buttons = (
                _button(request, "approve", "Approve", ButtonStyle.PRIMARY),
                _button(request, "deny", "Deny", ButtonStyle.DANGER),
            )
        elif request.state is RequestState.APPROVED:
            buttons = (
                _button(request, "account_created", "Account created in HMIS", ButtonStyle.PRIMARY),
            )
        elif request.is_open:
            buttons = (_button(request, "deny", "Deny", ButtonStyle.DANGER),)
        return Card(
            title=f"New user access request #{request.id}: {request.draft.trainee_name}",
            summary=self._summary(request),
            facts=(*self._request_facts(request), *self._training_facts(request)),
            buttons=buttons,
            footer=self._decision_line(request),
        )

    def requester_card(self, request: AccessRequest) -> Card:
        buttons = (_button(request, "withdraw", "Withdraw request"),) if request.is_open else ()
        return Card(
            title=f"Your request #{request.id}: HMIS access for {request.draft.trainee_name}",
            summary=self._summary(request),
            facts=self._request_facts(request),
            buttons=buttons,
            footer=self._decision_line(request),
        )

    def supervisor_card(self, request: AccessRequest) -> Card:
        draft = request.draft
        waiting = request.state is RequestState.AWAITING_VERIFICATION
        text = (
            f"{self._community.display_name(draft.requester_email)} requested HMIS access for "
            f"{draft.trainee_name} and named you as their supervisor. Please confirm the Staff "
            "Verification: that this staff member passed your agency's background check. "
            "Do not send any background-check details here."
        )
        if waiting:
            footer = f"Confirm by {self.when(request.verification_due)}."
        elif request.verified_by:
            footer = f"Confirmed by {self._community.display_name(request.verified_by)}."
        else:
            footer = self._decision_line(request)
        return Card(
            title=f"Staff verification for {draft.trainee_name}",
            summary=f"Please confirm the staff verification for {draft.trainee_name}.",
            text=text,
            facts=self._request_facts(request),
            buttons=(
                _button(request, "verify", "Confirm background check passed", ButtonStyle.PRIMARY),
            )
            if waiting
            else (),
            footer=footer,
        )

    def trainee_card(self, request: AccessRequest) -> Card:
        role = self._community.access_role(request.draft.access_role_id)
        in_training = request.state is RequestState.TRAINING
        buttons = tuple(
            Button(
                f"I've completed {t.name}",
                ActionCommand(FLOW, f"trained.{t.id}", request.id, request.version),
            )
            for t in self._role_trainings(request)
            if in_training and not request.reported(t.id)
        )
        text = (
            f"Your supervisor requested HMIS access for you as {role.name if role else '-'}. "
            "Complete these trainings and report each one here when done."
        )
        return Card(
            title="Your HMIS training",
            summary=f"Complete your HMIS trainings by {self.when(request.training_due)}.",
            text=text,
            facts=(*self._training_facts(request), Fact("Status", STATE_LABELS[request.state])),
            links=tuple((t.name, t.url) for t in self._role_trainings(request)),
            buttons=buttons,
        )

    def account_card(self, request: AccessRequest) -> Card:
        waiting = request.state is RequestState.ACCOUNT_CREATED
        text = (
            "Your HMIS account has been created. HMIS will send your login details directly; "
            "this bot never handles passwords. Log in and set your password by "
            f"{self.when(request.first_login_due)} to keep the account active."
        )
        return Card(
            title="Your HMIS account is ready",
            summary=f"Your HMIS account is ready; log in by {self.when(request.first_login_due)}.",
            text=text,
            buttons=(_button(request, "logged_in", "I've logged in"),) if waiting else (),
            footer="" if waiting else "First login confirmed. Welcome to HMIS.",
        )

    def _summary(self, request: AccessRequest) -> str:
        agency = self._community.agency(request.draft.agency_id)
        return (
            f"HMIS access for {request.draft.trainee_name} "
            f"({agency.name if agency else request.draft.agency_id}): "
            f"{STATE_LABELS[request.state]}"
        )

    def _request_facts(self, request: AccessRequest) -> tuple[Fact, ...]:
        draft = request.draft
        c = self._community
        agency, coc, role = (
            c.agency(draft.agency_id),
            c.coc(draft.coc_id),
            c.access_role(draft.access_role_id),
        )
        extra = ", ".join(a.name for a in map(c.agency, draft.additional_agency_ids) if a)
        return (
            Fact("Status", STATE_LABELS[request.state]),
            Fact("New user", f"{draft.trainee_name} <{draft.trainee_email}>"),
            Fact(
                "Agency",
                f"{agency.name if agency else draft.agency_id} "
                f"({coc.name if coc else draft.coc_id})",
            ),
            Fact("Access role", role.name if role else draft.access_role_id),
            Fact(
                "Requested by",
                f"{c.display_name(draft.requester_email)} "
                f"({draft.requester_role}), {self.when(request.filed_at)}",
            ),
            Fact("Supervisor", f"{draft.supervisor_name} <{draft.supervisor_email}>"),
            Fact("Staff verification", self._verification(request)),
            Fact("Monitors contracts", "Yes" if draft.monitors_contracts else "No"),
            Fact("Additional agency access", extra or "None"),
        )

    def _verification(self, request: AccessRequest) -> str:
        if not request.draft.needs_staff_verification:
            return "Attested by the direct supervisor when filing"
        if request.verified_by:
            return f"Confirmed by {self._community.display_name(request.verified_by)}"
        return f"Waiting for the supervisor (due {self.when(request.verification_due)})"

    def _training_facts(self, request: AccessRequest) -> tuple[Fact, ...]:
        facts = [Fact("Training due", self.when(request.training_due))]
        for training in self._role_trainings(request):
            report = request.reported(training.id)
            facts.append(
                Fact(
                    training.name,
                    f"Reported complete {self.when(report.reported_at)}"
                    if report
                    else "Not yet reported",
                )
            )
        return tuple(facts)

    def _role_trainings(self, request: AccessRequest) -> list[Training]:
        role = self._community.access_role(request.draft.access_role_id)
        trainings = (self._community.training(t) for t in (role.trainings if role else ()))
        return [t for t in trainings if t is not None]

    def _decision_line(self, request: AccessRequest) -> str:
        who = self._community.display_name(request.decided_by) if request.decided_by else ""
        when = self.when(request.decided_at)
        if request.state is RequestState.DENIED:
            return f"Denied by {who} on {when}. Reason: {request.decision_reason}"
        if request.state is RequestState.WITHDRAWN:
            return f"Withdrawn by {who} on {when}."
        if request.account_created_by:
            return (
                f"Approved by {who} on {when}. Account created by "
                f"{self._community.display_name(request.account_created_by)} on "
                f"{self.when(request.account_created_at)}."
            )
        if request.state is RequestState.APPROVED:
            return f"Approved by {who} on {when}."
        return ""


def _button(
    request: AccessRequest, verb: str, label: str, style: ButtonStyle = ButtonStyle.DEFAULT
) -> Button:
    return Button(label, ActionCommand(FLOW, verb, request.id, request.version), style)
