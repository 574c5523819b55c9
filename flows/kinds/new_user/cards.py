"""Each audience's card for a New User Access Request, rendered whole from the stored request
every time."""

from __future__ import annotations

from collections.abc import Callable

from flows.community import Training
from flows.kinds.new_user import needs
from flows.kinds.new_user.details import (
    IN_STAGES,
    IN_TRAINING,
    NAME,
    WITHDRAWABLE,
    NewUserRequest,
    NewUserState,
)
from flows.kinds.new_user.form import describe_all
from flows.kinds.new_user.progress import CLOSED, Progress
from flows.kinds.new_user.stage_cards import StageCards
from flows.kit.kind import CardView
from flows.kit.trainings import remaining
from flows.new_user_settings import StaffVerification
from flows.requirements import Requirement, describe, training_ids
from flows.ui import ActionCommand, Button, ButtonStyle, Card, Fact

DEFAULT_FIRST_LOGIN = "Log in and set your password"


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
    NewUserState.STAGED: "Training stages in progress",
    NewUserState.STAGE_REVIEW: "Training stage waiting for HMIS review",
    NewUserState.FULL_ROLE_TRAINING: "Active with an interim role; training for the full role",
    NewUserState.AWAITING_FULL_ROLE: "Waiting for HMIS admins to set the full role",
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

    def progress(self, request: NewUserRequest) -> Progress:
        return Progress(
            request, lambda email: self.name(request, email), self.when, self.stages(request)
        )

    def stages(self, request: NewUserRequest) -> StageCards:
        return StageCards(self._community, self.when, lambda email: self.name(request, email))

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
        elif request.state == NewUserState.AWAITING_FULL_ROLE:
            buttons = (
                _button(request, "full_role_set", "Full role set in HMIS", ButtonStyle.PRIMARY),
            )
        elif request.state in IN_STAGES:
            buttons = self.stages(request).admin_buttons(request)
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
        progress = self.progress(request)
        waiting = request.state == NewUserState.AWAITING_VERIFICATION
        return Card(
            title=f"Staff verification for {request.subject_name} (request #{request.id})",
            summary=progress.supervisor_summary(),
            text=progress.supervisor_text(),
            facts=self._request_facts(request),
            buttons=(self.verify_button(request),) if waiting else (),
            footer=f"Confirm by {self.when(details.verification_due)}."
            if waiting
            else self._decision_line(request),
        )

    def trainee_card(self, request: NewUserRequest) -> Card:
        role = self._community.access_role(request.details.access_role_id)
        in_training = request.state in IN_TRAINING
        progress = self.progress(request)
        trained = request.details.training_due is not None or request.details.stages is not None
        staged = self.stages(request)
        return Card(
            title=f"Your HMIS training (request #{request.id})",
            summary=progress.trainee_summary(),
            text=progress.trainee_text(role.name if role else request.details.access_role_id),
            facts=(
                *(self._training_facts(request) if trained else ()),
                Fact("Status", STATE_LABELS[request.state]),
            ),
            links=(
                self.training_links(request)
                if in_training
                else staged.links(request, self._community)
            ),
            buttons=self.training_buttons(request) or staged.trainee_buttons(request),
        )

    def account_card(self, request: NewUserRequest) -> Card:
        waiting = request.state == NewUserState.ACCOUNT_CREATED
        due = self.when(request.details.first_login_due)
        interim = request.details.interim_role_id
        role = (
            f" For now it has the role {self._view.role_name(interim)}; it gets its full role "
            "once you complete the trainings in your HMIS training message."
            if interim and request.details.full_role_set_by is None
            else ""
        )
        if waiting:
            first_login = self._community.new_user.first_login or DEFAULT_FIRST_LOGIN
            summary = f"Your HMIS account is ready; log in by {due}."
            text = (
                "Your HMIS account has been created. HMIS will send your login details "
                f"directly; this bot never handles passwords. {first_login} by {due} to keep "
                f"the account active.{role}"
            )
        else:
            summary = "Your HMIS account is active."
            text = (
                "Your HMIS account is active. HMIS sent your login details directly; this bot "
                f"never handles passwords.{role}"
            )
        return Card(
            title=f"Your HMIS account (request #{request.id})",
            summary=summary,
            text=text,
            buttons=(_button(request, "logged_in", "I've logged in"),) if waiting else (),
            footer="" if waiting else "First login confirmed. Welcome to HMIS.",
        )

    def verify_button(self, request: NewUserRequest) -> Button:
        """The supervisor's button, on their card and on the reminder alike."""
        return _button(request, "verify", "Confirm background check passed", ButtonStyle.PRIMARY)

    def training_buttons(self, request: NewUserRequest) -> tuple[Button, ...]:
        """The new user's "I've completed ..." buttons for what they have not reported, while
        the request is in training (the same commands on the card and on reminders)."""
        if request.state not in IN_TRAINING:
            return ()
        return tuple(
            Button(
                f"I've completed {t.name}",
                ActionCommand(NAME, f"trained.{t.id}", request.id, request.version),
            )
            for t in self.trainings(training_ids(self.remaining(request)))
        )

    def training_links(self, request: NewUserRequest) -> tuple[tuple[str, str], ...]:
        return tuple((t.name, t.url) for t in self.trainings(training_ids(self.needs(request))))

    def needs(self, request: NewUserRequest) -> list[Requirement]:
        """What the new user is asked to complete now."""
        return needs.current(self._community, request)

    def remaining(self, request: NewUserRequest) -> list[Requirement]:
        return remaining(request, self.needs(request))

    def need_label(self, requirement: Requirement) -> str:
        """``General Training`` or ``DPH privacy training or VA privacy training``."""
        return describe(requirement, {t.id: t.name for t in self._community.trainings})

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

    def role_name(self, role_id: str) -> str:
        return self._view.role_name(role_id)

    def trainings(self, ids: list[str]) -> list[Training]:
        found = (self._community.training(t) for t in ids)
        return [t for t in found if t is not None]

    def _summary(self, request: NewUserRequest) -> str:
        return (
            f"Request #{request.id}, HMIS access for {request.subject_name} "
            f"({self._view.agency_name(request.agency_id)}): {self.progress(request).overview()}"
        )

    def _request_facts(self, request: NewUserRequest) -> tuple[Fact, ...]:
        details = request.details
        c = self._community
        coc = c.coc(details.coc_id)
        extra = ", ".join(a.name for a in map(c.agency, details.additional_agency_ids) if a)
        as_role = f" ({details.requester_role})" if details.requester_role else ""
        facts = [
            Fact("Status", STATE_LABELS[request.state]),
            Fact("New user", request.subject_name),
            Fact("Work e-mail", request.subject_email),
            Fact(
                "Agency",
                f"{self._view.agency_name(request.agency_id)} "
                f"({coc.name if coc else details.coc_id})",
            ),
            Fact("Access role", self._role(request)),
            Fact(
                "Requested by",
                f"{self.name(request, request.requester_email)}{as_role}, "
                f"{self.when(request.filed_at)}",
            ),
        ]
        if details.supervisor_email != request.requester_email or details.directly_supervises:
            facts.append(Fact("Supervisor", self.name(request, details.supervisor_email)))
        if details.verification is not StaffVerification.NONE:
            facts.append(Fact("Staff verification", self._verification(request)))
        if details.monitors_contracts is not None:
            facts.append(Fact("Monitors contracts", "Yes" if details.monitors_contracts else "No"))
        facts += [
            Fact(q.text, "Yes" if q.id in details.answered_yes else "No") for q in c.questions
        ]
        if details.additional_agency_ids or c.new_user.fields.asks("additional_agencies"):
            facts.append(Fact("Additional agency access", extra or "None"))
        return tuple(facts)

    def _role(self, request: NewUserRequest) -> str:
        """The role asked for and, while the full role's trainings are pending, the interim
        role the account is created with."""
        details = request.details
        role = self._view.role_name(details.access_role_id)
        if details.interim_role_id is None or details.full_role_set_by is not None:
            return role
        interim = self._view.role_name(details.interim_role_id)
        if request.state in {NewUserState.APPROVED, NewUserState.ACCOUNT_CREATED}:
            return f"{role}; create the account as {interim} until its trainings are done"
        return f"{role} (as {interim} until its trainings are done)"

    def _verification(self, request: NewUserRequest) -> str:
        details = request.details
        if details.verification is StaffVerification.FILER_ATTESTS:
            return f"Attested by {self.name(request, request.requester_email)} when filing"
        if not details.needs_staff_verification:
            return "Attested by the direct supervisor when filing"
        if details.verified_by:
            on = f" on {self.when(details.verified_at)}" if details.verified_at else ""
            return f"Confirmed by {self.name(request, details.verified_by)}{on}"
        if request.state in CLOSED:
            return "Not confirmed"
        return (
            f"Waiting for {self.name(request, details.supervisor_email)} "
            f"(due {self.when(details.verification_due)})"
        )

    def _training_facts(self, request: NewUserRequest) -> tuple[Fact, ...]:
        """The trainings attested when filing; the deadline and each requirement's report;
        before training starts, when it will."""
        details = request.details
        facts = []
        attested = needs.before_account(self._community, details) if details.trained_first else []
        if attested:
            who = self.name(request, request.requester_email)
            facts.append(
                Fact(
                    "Trainings done before the request",
                    f"Attested by {who} when filing: {describe_all(self._community, attested)}",
                )
            )
        if details.stages is not None:
            return self.stages(request).facts(request)
        if details.training_due is None:
            if request.state in CLOSED or details.trained_first:
                return tuple(facts)
            return (Fact("Training", "Starts once the staff verification is confirmed"),)
        facts.append(Fact("Training due", self.when(details.training_due)))
        missing = "Not reported" if request.state in CLOSED else "Not yet reported"
        for requirement in self.needs(request):
            facts.append(
                Fact(self.need_label(requirement), self._report(request, requirement) or missing)
            )
        return tuple(facts)

    def _report(self, request: NewUserRequest, requirement: Requirement) -> str | None:
        """``Reported complete Mon 3 Mar`` (naming which, for an either-or requirement)."""
        for training_id in requirement.any_of:
            report = request.reported(training_id)
            if report is not None:
                which = ""
                if len(requirement.any_of) > 1:
                    training = self._community.training(training_id)
                    which = f" ({training.name if training else training_id})"
                return f"Reported complete {self.when(report.reported_at)}{which}"
        return None

    def _decision_line(self, request: NewUserRequest) -> str:
        who = self.name(request, request.decided_by) if request.decided_by else ""
        when = self.when(request.decided_at)
        created_by = request.details.account_created_by
        if request.state == NewUserState.DENIED:
            return f"Denied by {who} on {when}. Reason: {request.decision_reason}"
        if request.state in CLOSED:
            closed = self.progress(request).closed()
            return f"{closed[:1].upper()}{closed[1:]}."
        if created_by:
            line = (
                f"Approved by {who} on {when}. Account created by "
                f"{self.name(request, created_by)} on "
                f"{self.when(request.details.account_created_at)}."
            )
            set_by = request.details.full_role_set_by
            if set_by:
                line += (
                    f" Full role set by {self.name(request, set_by)} on "
                    f"{self.when(request.details.full_role_set_at)}."
                )
            return line
        if request.state == NewUserState.APPROVED:
            return f"Approved by {who} on {when}."
        return ""


def _button(
    request: NewUserRequest, verb: str, label: str, style: ButtonStyle = ButtonStyle.DEFAULT
) -> Button:
    return Button(label, ActionCommand(NAME, verb, request.id, request.version), style)
