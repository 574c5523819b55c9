"""Each audience's card for a role change, rendered whole from the stored request every time."""

from __future__ import annotations

from flows.community import Training
from flows.kinds.role_change.details import (
    ADMIN_OPEN_STATES,
    NAME,
    OPEN_STATES,
    RoleChangeRequest,
    RoleChangeState,
)
from flows.kit import endorsement
from flows.kit.kind import CardView
from flows.ui import ActionCommand, Button, ButtonStyle, Card, Fact

ADMINS = "admins"
REQUESTER = "requester"
SUBJECT = "subject"

STATE_LABELS: dict[str, str] = {
    RoleChangeState.AWAITING_ENDORSEMENT: "Waiting for the agency to endorse it",
    RoleChangeState.TRAINING: "Training for the new role",
    RoleChangeState.AWAITING_ADMIN: "Waiting for HMIS admins to change the role",
    RoleChangeState.CHANGED: "Role changed in HMIS",
    RoleChangeState.DENIED: "Denied",
    RoleChangeState.WITHDRAWN: "Withdrawn",
    RoleChangeState.EXPIRED: "Expired: training not finished in time",
    RoleChangeState.DECLINED: "Declined by the agency",
}


class RoleChangeCards:
    def __init__(self, view: CardView) -> None:
        self._view = view
        self.when = view.when

    def render(self, request: RoleChangeRequest, audience: str) -> Card:
        if audience == REQUESTER:
            return self.requester_card(request)
        if audience == SUBJECT:
            return self.subject_card(request)
        if endorsement.is_endorser_audience(audience):
            return self.endorser_card(request)
        return self.admin_card(request)

    def admin_card(self, request: RoleChangeRequest) -> Card:
        state, details = request.state, request.details
        buttons: list[Button] = []
        text = ""
        if state == RoleChangeState.TRAINING and details.needs_interim:
            interim = self._view.role_name(details.interim_role_id)
            text = f"Until the training is done, set {request.subject_name}'s role to {interim}."
            buttons.append(
                _button(request, "interim_set", f"{interim} set in HMIS"[:75], ButtonStyle.PRIMARY)
            )
        if state == RoleChangeState.AWAITING_ADMIN:
            text = "Change the access role in HMIS, then confirm here."
            buttons.append(_button(request, "confirm", "Role changed in HMIS", ButtonStyle.PRIMARY))
        if state == RoleChangeState.AWAITING_ENDORSEMENT:
            text = (
                f"Waiting for {endorsement.waiting_for(self._view, request)} to endorse it; "
                "nothing for HMIS to do yet."
            )
        if state in ADMIN_OPEN_STATES:
            buttons.append(_button(request, "deny", "Deny", ButtonStyle.DANGER))
        return Card(
            title=f"Access role change #{request.id}: {request.subject_name}",
            summary=self._summary(request),
            text=text,
            facts=(*self.facts(request), *self._training_facts(request)),
            buttons=tuple(buttons),
            footer=self._decision_line(request),
        )

    def requester_card(self, request: RoleChangeRequest) -> Card:
        return Card(
            title=f"Your request #{request.id}: new access role for {request.subject_name}",
            summary=self._summary(request),
            facts=(*self.facts(request), *self._training_facts(request)),
            buttons=(_button(request, "withdraw", "Withdraw request"),)
            if request.state in OPEN_STATES
            else (),
            footer=self._decision_line(request),
        )

    def endorser_card(self, request: RoleChangeRequest) -> Card:
        role = self._view.role_name(request.details.to_role_id)
        return endorsement.endorser_card(
            self._view,
            request,
            asks=f"for the access role {role}",
            waiting=request.state == RoleChangeState.AWAITING_ENDORSEMENT,
            facts=self.facts(request),
            footer=self._decision_line(request),
        )

    def subject_card(self, request: RoleChangeRequest) -> Card:
        details, state = request.details, request.state
        role = self._view.role_name(details.to_role_id)
        withdraw = (
            (_button(request, "withdraw", "Withdraw request"),)
            if details.self_filed and state in OPEN_STATES
            else ()
        )
        if state == RoleChangeState.AWAITING_ENDORSEMENT:
            who = endorsement.waiting_for(self._view, request)
            return Card(
                title=f"Your request #{request.id} for the access role {role}",
                summary=f"Your request for {role} waits for {who} to endorse it.",
                text=(
                    f"{who} will be asked to endorse it; once endorsed, it goes to HMIS like any "
                    "request from your agency."
                ),
                facts=self.facts(request),
                buttons=withdraw,
            )
        if state == RoleChangeState.TRAINING:
            remaining = [t for t in self.trainings(request) if not request.reported(t.id)]
            return Card(
                title=f"Training for your new HMIS role: {role}",
                summary=f"Complete your training for {role} by {self.when(details.training_due)}.",
                text="Complete these trainings and report each one here when done.",
                facts=self._training_facts(request),
                links=tuple((t.name, t.url) for t in self.trainings(request)),
                buttons=(
                    *(
                        Button(
                            f"I've completed {t.name}",
                            ActionCommand(NAME, f"trained.{t.id}", request.id, request.version),
                        )
                        for t in remaining
                    ),
                    *withdraw,
                ),
            )
        if state == RoleChangeState.CHANGED:
            return Card(
                title=f"Your HMIS access role is now {role}",
                summary=f"Your HMIS access role is now {role}.",
                text="Log in to HMIS as usual; your new access applies from your next login.",
                footer=self._decision_line(request),
            )
        return Card(
            title=f"New HMIS access role {role}: {STATE_LABELS[state].lower()}",
            summary=self._summary(request),
            facts=self.facts(request),
            buttons=withdraw,
            footer=self._decision_line(request),
        )

    def facts(self, request: RoleChangeRequest) -> tuple[Fact, ...]:
        details = request.details
        current = self._view.role_name(details.from_role_id) if details.from_role_id else "-"
        facts = [
            Fact("Status", STATE_LABELS[request.state]),
            Fact("Person", f"{request.subject_name} <{request.subject_email}>"),
            Fact("Agency", self._view.agency_name(request.agency_id)),
            Fact("Access role now", current),
            Fact("New access role", self._view.role_name(details.to_role_id)),
            Fact("Reason", details.reason),
            Fact("Requested by", f"{self._filer(request)}, {self.when(request.filed_at)}"),
        ]
        if details.interim_role_id:
            facts.append(Fact("Meanwhile", self._interim(request)))
        facts += endorsement.endorsed_fact(self._view, details.endorsement)
        return tuple(facts)

    def _filer(self, request: RoleChangeRequest) -> str:
        if request.requester_email == request.subject_email:
            return f"{request.subject_name} (for themselves)"
        return self._view.name(request.requester_email)

    def trainings(self, request: RoleChangeRequest) -> list[Training]:
        found = (self._view.community.training(t) for t in request.details.trainings)
        return [t for t in found if t is not None]

    def _interim(self, request: RoleChangeRequest) -> str:
        details = request.details
        interim = self._view.role_name(details.interim_role_id)
        if details.interim_set_by:
            who = self._view.name(details.interim_set_by)
            return f"{interim}, set by {who} on {self.when(details.interim_set_at)}"
        return f"{interim}, to be set while training"

    def _training_facts(self, request: RoleChangeRequest) -> tuple[Fact, ...]:
        if not request.details.trainings:
            return ()
        facts = [Fact("Training due", self.when(request.details.training_due))]
        for training in self.trainings(request):
            report = request.reported(training.id)
            done = f"Reported complete {self.when(report.reported_at)}" if report else "Not yet"
            facts.append(Fact(training.name, done))
        return tuple(facts)

    def _summary(self, request: RoleChangeRequest) -> str:
        role = self._view.role_name(request.details.to_role_id)
        return f"{request.subject_name} to {role}: {STATE_LABELS[request.state]}"

    def _decision_line(self, request: RoleChangeRequest) -> str:
        who = self._view.name(request.decided_by) if request.decided_by else ""
        when = self.when(request.decided_at)
        if request.state == RoleChangeState.CHANGED:
            return f"Role changed in HMIS, confirmed by {who} on {when}."
        if request.state == RoleChangeState.DENIED:
            return f"Denied by {who} on {when}. Reason: {request.decision_reason}"
        if request.state == RoleChangeState.DECLINED:
            return endorsement.declined_line(self._view, request)
        if request.state == RoleChangeState.WITHDRAWN:
            why = f" Reason: {request.decision_reason}" if request.decision_reason else ""
            return f"Withdrawn by {who} on {when}.{why}"
        return ""


def _button(
    request: RoleChangeRequest, verb: str, label: str, style: ButtonStyle = ButtonStyle.DEFAULT
) -> Button:
    return Button(label, ActionCommand(NAME, verb, request.id, request.version), style)
