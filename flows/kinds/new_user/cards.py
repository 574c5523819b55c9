"""Each audience's card for a New User Access Request, rendered whole from the stored request
every time."""

from __future__ import annotations

from collections.abc import Callable

from flows.community import Training
from flows.kinds.new_user.details import (
    NAME,
    WITHDRAWABLE,
    NewUserRequest,
    NewUserState,
)
from flows.kit.kind import CardView
from flows.ui import ActionCommand, Button, ButtonStyle, Card, Fact


class Audience:
    """Who a request's living card is for; each has one card per request, updated in place."""

    ADMINS = "admins"
    REQUESTER = "requester"
    SUPERVISOR = "supervisor"
    TRAINEE = "trainee"
    TRAINEE_ACCOUNT = "trainee_account"


STATE_LABELS: dict[str, str] = {
    NewUserState.SUBMITTED: "Submitted",
    NewUserState.AWAITING_VERIFICATION: "Waiting for staff verification",
    NewUserState.TRAINING: "Training in progress",
    NewUserState.AWAITING_APPROVAL: "Waiting for HMIS admin approval",
    NewUserState.APPROVED: "Approved; account being created",
    NewUserState.ACCOUNT_CREATED: "Account created; waiting for first login",
    NewUserState.ACTIVE: "Active",
    NewUserState.DENIED: "Denied",
    NewUserState.WITHDRAWN: "Withdrawn",
    NewUserState.EXPIRED: "Expired",
}


class CardRenderer:
    def __init__(self, view: CardView) -> None:
        self._view = view
        self._community = view.community
        self.when = view.when

    def render(self, request: NewUserRequest, audience: str) -> Card:
        renderers: dict[str, Callable[[NewUserRequest], Card]] = {
            Audience.ADMINS: self.admin_card,
            Audience.REQUESTER: self.requester_card,
            Audience.SUPERVISOR: self.supervisor_card,
            Audience.TRAINEE: self.trainee_card,
            Audience.TRAINEE_ACCOUNT: self.account_card,
        }
        return renderers[audience](request)

    def admin_card(self, request: NewUserRequest) -> Card:
        buttons: tuple[Button, ...] = ()
        if request.state == NewUserState.AWAITING_APPROVAL:
            buttons = (
                _button(request, "approve", "Approve", ButtonStyle.PRIMARY),
                _button(request, "deny", "Deny", ButtonStyle.DANGER),
            )
        elif request.state == NewUserState.APPROVED:
            buttons = (
                _button(request, "account_created", "Account created in HMIS", ButtonStyle.PRIMARY),
            )
        elif request.state in WITHDRAWABLE:
            buttons = (_button(request, "deny", "Deny", ButtonStyle.DANGER),)
        return Card(
            title=f"New user access request #{request.id}: {request.subject_name}",
            summary=self._summary(request),
            facts=(*self._request_facts(request), *self._training_facts(request)),
            buttons=buttons,
            footer=self._decision_line(request),
        )

    def requester_card(self, request: NewUserRequest) -> Card:
        buttons = (
            (_button(request, "withdraw", "Withdraw request"),)
            if request.state in WITHDRAWABLE
            else ()
        )
        return Card(
            title=f"Your request #{request.id}: HMIS access for {request.subject_name}",
            summary=self._summary(request),
            facts=self._request_facts(request),
            buttons=buttons,
            footer=self._decision_line(request),
        )

    def supervisor_card(self, request: NewUserRequest) -> Card:
        details = request.details
        waiting = request.state == NewUserState.AWAITING_VERIFICATION
        text = (
            f"{self.name(request, request.requester_email)} requested HMIS access for "
            f"{request.subject_name} and named you as their supervisor. Please confirm the Staff "
            "Verification: that this staff member passed your agency's background check. "
            "Do not send any background-check details here."
        )
        if waiting:
            footer = f"Confirm by {self.when(details.verification_due)}."
        elif details.verified_by:
            footer = f"Confirmed by {self.name(request, details.verified_by)}."
        else:
            footer = self._decision_line(request)
        return Card(
            title=f"Staff verification for {request.subject_name}",
            summary=f"Please confirm the staff verification for {request.subject_name}.",
            text=text,
            facts=self._request_facts(request),
            buttons=(
                _button(request, "verify", "Confirm background check passed", ButtonStyle.PRIMARY),
            )
            if waiting
            else (),
            footer=footer,
        )

    def trainee_card(self, request: NewUserRequest) -> Card:
        role = self._community.access_role(request.details.access_role_id)
        in_training = request.state == NewUserState.TRAINING
        buttons = tuple(
            Button(
                f"I've completed {t.name}",
                ActionCommand(NAME, f"trained.{t.id}", request.id, request.version),
            )
            for t in self.role_trainings(request)
            if in_training and not request.reported(t.id)
        )
        text = (
            f"Your supervisor requested HMIS access for you as {role.name if role else '-'}. "
            "Complete these trainings and report each one here when done."
        )
        return Card(
            title="Your HMIS training",
            summary=f"Complete your HMIS trainings by {self.when(request.details.training_due)}.",
            text=text,
            facts=(*self._training_facts(request), Fact("Status", STATE_LABELS[request.state])),
            links=tuple((t.name, t.url) for t in self.role_trainings(request)),
            buttons=buttons,
        )

    def account_card(self, request: NewUserRequest) -> Card:
        waiting = request.state == NewUserState.ACCOUNT_CREATED
        due = self.when(request.details.first_login_due)
        text = (
            "Your HMIS account has been created. HMIS will send your login details directly; "
            "this bot never handles passwords. Log in and set your password by "
            f"{due} to keep the account active."
        )
        return Card(
            title="Your HMIS account is ready",
            summary=f"Your HMIS account is ready; log in by {due}.",
            text=text,
            buttons=(_button(request, "logged_in", "I've logged in"),) if waiting else (),
            footer="" if waiting else "First login confirmed. Welcome to HMIS.",
        )

    def request_facts(self, request: NewUserRequest) -> tuple[Fact, ...]:
        """The short facts nudges repeat: request number, new user, agency."""
        return (
            Fact("Request", f"#{request.id}"),
            Fact("New user", request.subject_name),
            Fact("Agency", self._view.agency_name(request.agency_id)),
        )

    def name(self, request: NewUserRequest, email: str) -> str:
        """What to call someone on this request: the directory's name, else the name the
        request itself gives them (typed on the form, or their chat profile's when filing)."""
        listed = self._view.name(email)
        if listed != email:
            return listed
        details = request.details
        named = {
            request.subject_email: request.subject_name,
            details.supervisor_email: details.supervisor_name,
            request.requester_email: details.requester_name,
        }
        return named.get(email) or email

    def role_trainings(self, request: NewUserRequest) -> list[Training]:
        role = self._community.access_role(request.details.access_role_id)
        trainings = (self._community.training(t) for t in (role.trainings if role else ()))
        return [t for t in trainings if t is not None]

    def _summary(self, request: NewUserRequest) -> str:
        return (
            f"HMIS access for {request.subject_name} "
            f"({self._view.agency_name(request.agency_id)}): "
            f"{STATE_LABELS[request.state]}"
        )

    def _request_facts(self, request: NewUserRequest) -> tuple[Fact, ...]:
        details = request.details
        c = self._community
        coc = c.coc(details.coc_id)
        extra = ", ".join(a.name for a in map(c.agency, details.additional_agency_ids) if a)
        return (
            Fact("Status", STATE_LABELS[request.state]),
            Fact("New user", request.subject_name),
            Fact("Work e-mail", request.subject_email),
            Fact(
                "Agency",
                f"{self._view.agency_name(request.agency_id)} "
                f"({coc.name if coc else details.coc_id})",
            ),
            Fact("Access role", self._view.role_name(details.access_role_id)),
            Fact(
                "Requested by",
                f"{self.name(request, request.requester_email)} "
                f"({details.requester_role}), {self.when(request.filed_at)}",
            ),
            Fact("Supervisor", self.name(request, details.supervisor_email)),
            Fact("Staff verification", self._verification(request)),
            Fact("Monitors contracts", "Yes" if details.monitors_contracts else "No"),
            Fact("Additional agency access", extra or "None"),
        )

    def _verification(self, request: NewUserRequest) -> str:
        details = request.details
        if not details.needs_staff_verification:
            return "Attested by the direct supervisor when filing"
        if details.verified_by:
            return f"Confirmed by {self.name(request, details.verified_by)}"
        return f"Waiting for the supervisor (due {self.when(details.verification_due)})"

    def _training_facts(self, request: NewUserRequest) -> tuple[Fact, ...]:
        facts = [Fact("Training due", self.when(request.details.training_due))]
        for training in self.role_trainings(request):
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

    def _decision_line(self, request: NewUserRequest) -> str:
        who = self.name(request, request.decided_by) if request.decided_by else ""
        when = self.when(request.decided_at)
        created_by = request.details.account_created_by
        if request.state == NewUserState.DENIED:
            return f"Denied by {who} on {when}. Reason: {request.decision_reason}"
        if request.state == NewUserState.WITHDRAWN:
            return f"Withdrawn by {who} on {when}."
        if created_by:
            return (
                f"Approved by {who} on {when}. Account created by "
                f"{self.name(request, created_by)} on "
                f"{self.when(request.details.account_created_at)}."
            )
        if request.state == NewUserState.APPROVED:
            return f"Approved by {who} on {when}."
        return ""


def _button(
    request: NewUserRequest, verb: str, label: str, style: ButtonStyle = ButtonStyle.DEFAULT
) -> Button:
    return Button(label, ActionCommand(NAME, verb, request.id, request.version), style)
