"""Each audience's card for a reinstatement, rendered whole from the stored request every time.
An account event: HMIS admins get theirs by direct message, never in a channel."""

from __future__ import annotations

from flows.community import Community, Training
from flows.kinds.reinstatement.details import (
    ADMIN_OPEN_STATES,
    NAME,
    OPEN_STATES,
    ReinstatementRequest,
    ReinstatementState,
)
from flows.kit import endorsement
from flows.kit.kind import CardView
from flows.ladder import Needs
from flows.nudges.letters import Role, audience_for
from flows.ui import ActionCommand, Button, ButtonStyle, Card, Fact

REQUESTER = "requester"
SUBJECT = "subject"
ASKS = "to have their HMIS account reinstated"

STATE_LABELS: dict[str, str] = {
    ReinstatementState.AWAITING_ENDORSEMENT: "Waiting for the agency to endorse it",
    ReinstatementState.TRAINING: "Training before it is re-enabled",
    ReinstatementState.AWAITING_ADMIN: "Waiting for HMIS admins to re-enable it",
    ReinstatementState.REENABLED: "Re-enabled in HMIS; waiting for a login",
    ReinstatementState.REINSTATED: "Reinstated: logged in again",
    ReinstatementState.DENIED: "Denied",
    ReinstatementState.DECLINED: "Declined by the agency",
    ReinstatementState.WITHDRAWN: "Withdrawn",
    ReinstatementState.EXPIRED: "Expired: training not finished in time",
}


def audiences(community: Community, request: ReinstatementRequest) -> list[tuple[str, str | None]]:
    """Each HMIS admin by direct message once the request reaches HMIS, the filer (unless they
    asked for themselves), the person, and the endorsers of a person's own request."""
    details = request.details
    found: list[tuple[str, str | None]] = []
    if request.requester_email != request.subject_email:
        found.append((REQUESTER, request.requester_email))
    found.append((SUBJECT, request.subject_email))
    if details.reached_admins:
        found += [
            (audience_for(Role.ADMIN, a.email), a.email)
            for a in community.admins
            if a.email not in (request.requester_email, request.subject_email)
        ]
    if details.self_filed:
        found += endorsement.audiences(community, request)
    return found


class ReinstatementCards:
    def __init__(self, view: CardView) -> None:
        self._view = view
        self.when = view.when

    def render(self, request: ReinstatementRequest, audience: str) -> Card:
        if audience == REQUESTER:
            return self.requester_card(request)
        if audience == SUBJECT:
            return self.subject_card(request)
        if endorsement.is_endorser_audience(audience):
            return self.endorser_card(request)
        return self.admin_card(request)

    def admin_card(self, request: ReinstatementRequest) -> Card:
        state = request.state
        buttons: list[Button] = []
        text = ""
        if state == ReinstatementState.AWAITING_ADMIN:
            window = self._view.community.deadlines.first_login
            text = (
                "Re-enable the account in HMIS, then confirm here. The person is then asked to "
                f"log in within {window}."
            )
            buttons.append(_button(request, "reenable", "Re-enabled in HMIS", ButtonStyle.PRIMARY))
        if state == ReinstatementState.TRAINING:
            text = "The person takes the training below first; then it is yours to re-enable."
        if state == ReinstatementState.AWAITING_ENDORSEMENT:
            who = endorsement.waiting_for(self._view, request)
            text = f"Waiting for {who} to endorse it; nothing for HMIS to do yet."
        if state in ADMIN_OPEN_STATES:
            buttons.append(_button(request, "deny", "Deny", ButtonStyle.DANGER))
        return Card(
            title=f"Reinstate HMIS access #{request.id}: {request.subject_name}",
            summary=self._summary(request),
            text=text,
            facts=(*self.facts(request), *self._training_facts(request)),
            buttons=tuple(buttons),
            footer=self._decision_line(request),
        )

    def requester_card(self, request: ReinstatementRequest) -> Card:
        return Card(
            title=f"Your request #{request.id}: reinstate {request.subject_name}",
            summary=self._summary(request),
            facts=(*self.facts(request), *self._training_facts(request)),
            buttons=(_button(request, "withdraw", "Withdraw request"),)
            if request.state in OPEN_STATES
            else (),
            footer=self._decision_line(request),
        )

    def endorser_card(self, request: ReinstatementRequest) -> Card:
        return endorsement.endorser_card(
            self._view,
            request,
            asks=ASKS,
            waiting=request.state == ReinstatementState.AWAITING_ENDORSEMENT,
            facts=self.facts(request),
            footer=self._decision_line(request),
        )

    def subject_card(self, request: ReinstatementRequest) -> Card:
        state, details = request.state, request.details
        withdraw = (
            (_button(request, "withdraw", "Withdraw request"),)
            if details.self_filed and state in OPEN_STATES
            else ()
        )
        if state == ReinstatementState.AWAITING_ENDORSEMENT:
            who = endorsement.waiting_for(self._view, request)
            return Card(
                title=f"Your request #{request.id} to reinstate your HMIS account",
                summary=f"Your request to reinstate your HMIS account waits for {who}.",
                text=f"{who} will be asked to endorse it; once endorsed, it goes to HMIS.",
                facts=self.facts(request),
                buttons=withdraw,
            )
        if state == ReinstatementState.TRAINING:
            return self.training_card(request, withdraw)
        if state == ReinstatementState.REENABLED:
            return self.login_card(request)
        if state == ReinstatementState.REINSTATED:
            return Card(
                title="Your HMIS account is active again",
                summary="Your HMIS account is active again.",
                text=(
                    "HMIS accounts without a login for "
                    f"{self._view.community.deadlines.inactivity_disable} are disabled; log in "
                    "at least that often to keep yours."
                ),
                footer=self._decision_line(request),
            )
        label = STATE_LABELS[state]
        return Card(
            title=f"Reinstating your HMIS account: {label[0].lower()}{label[1:]}",
            summary=self._summary(request),
            text=(
                "HMIS admins re-enable it next; you will be told here."
                if state == ReinstatementState.AWAITING_ADMIN
                else ""
            ),
            facts=self.facts(request),
            buttons=withdraw,
            footer=self._decision_line(request),
        )

    def training_card(self, request: ReinstatementRequest, extra: tuple[Button, ...]) -> Card:
        remaining = [t for t in self.trainings(request) if not request.reported(t.id)]
        due = self.when(request.details.training_due)
        return Card(
            title="Training before your HMIS account is re-enabled",
            summary=f"Complete your training by {due}; then HMIS re-enables your account.",
            text=(
                "Your account has been disabled long enough that these trainings come first, "
                "even if you took them before. Report each one here when done."
            ),
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
                *extra,
            ),
        )

    def login_card(self, request: ReinstatementRequest) -> Card:
        due = self.when(request.details.first_login_due)
        return Card(
            title="Your HMIS account is re-enabled",
            summary=f"Your HMIS account is re-enabled: log in by {due}.",
            text=(
                f"Log in to HMIS by {due}. HMIS sends any new login details directly; this bot "
                "never asks for or handles passwords. Then press I've logged in."
            ),
            buttons=(_button(request, "logged_in", "I've logged in", ButtonStyle.PRIMARY),),
            footer=self._decision_line(request),
        )

    def facts(self, request: ReinstatementRequest) -> tuple[Fact, ...]:
        details = request.details
        role = self._view.role_name(details.access_role_id) if details.access_role_id else "-"
        facts = [
            Fact("Status", STATE_LABELS[request.state]),
            Fact("Person", request.subject_name),
            Fact("Agency", self._view.agency_name(request.agency_id)),
            Fact("Access role", role),
            Fact("Disabled since", self._since(request)),
            Fact("Needs", self.needs(request)),
        ]
        if details.note:
            facts.append(Fact("Note", details.note))
        facts.append(Fact("Requested by", f"{self._filer(request)}, {self.when(request.filed_at)}"))
        facts += endorsement.endorsed_fact(self._view, details.endorsement)
        if details.first_login_due is not None:
            facts.append(Fact("Log in by", self.when(details.first_login_due)))
        return tuple(facts)

    def needs(self, request: ReinstatementRequest) -> str:
        """What the ladder asked for, with the trainings it came to for this person."""
        details = request.details
        names = " and ".join(t.name for t in self.trainings(request))
        if not names:
            return "HMIS admins re-enable it"
        if details.needs is Needs.ROLE_TRAININGS:
            role = self._view.role_name(details.access_role_id)
            names = f"every training of {role} again ({names})"
        else:
            names = f"{names} again"
        why = f" (disabled {details.step_after} or more)" if details.step_after else ""
        return f"{names[0].upper()}{names[1:]} first, then HMIS re-enables it{why}"

    def _filer(self, request: ReinstatementRequest) -> str:
        if request.requester_email == request.subject_email:
            return f"{request.subject_name} (for themselves)"
        return self._view.name(request.requester_email)

    def trainings(self, request: ReinstatementRequest) -> list[Training]:
        found = (self._view.community.training(t) for t in request.details.trainings)
        return [t for t in found if t is not None]

    def _since(self, request: ReinstatementRequest) -> str:
        details = request.details
        when = self.when(details.disabled_since)
        if details.disabled_confirmed:
            return when
        limit = self._view.community.deadlines.inactivity_disable
        return f"{when} ({limit} after the last login on record)"

    def _training_facts(self, request: ReinstatementRequest) -> tuple[Fact, ...]:
        if not request.details.trainings or request.details.training_due is None:
            return ()
        facts = [Fact("Training due", self.when(request.details.training_due))]
        for training in self.trainings(request):
            report = request.reported(training.id)
            done = f"Reported complete {self.when(report.reported_at)}" if report else "Not yet"
            facts.append(Fact(training.name, done))
        return tuple(facts)

    def _summary(self, request: ReinstatementRequest) -> str:
        return f"Reinstate {request.subject_name}'s HMIS access: {STATE_LABELS[request.state]}"

    def _decision_line(self, request: ReinstatementRequest) -> str:
        state = request.state
        who = self._view.name(request.decided_by) if request.decided_by else ""
        when = self.when(request.decided_at)
        if state == ReinstatementState.REENABLED:
            return f"Re-enabled in HMIS, confirmed by {who} on {when}."
        if state == ReinstatementState.REINSTATED:
            return (
                f"Re-enabled in HMIS, confirmed by {who} on {when}; {request.subject_name} has "
                "logged in since."
            )
        if state == ReinstatementState.DENIED:
            return f"Denied by {who} on {when}. Reason: {request.decision_reason}"
        if state == ReinstatementState.DECLINED:
            return endorsement.declined_line(self._view, request)
        if state == ReinstatementState.WITHDRAWN:
            why = f" Reason: {request.decision_reason}" if request.decision_reason else ""
            return f"Withdrawn by {who} on {when}.{why}"
        if state == ReinstatementState.EXPIRED:
            return (
                f"Expired: the training was due {self.when(request.details.training_due)}. "
                "Ask again once it is done."
            )
        return ""


def _button(
    request: ReinstatementRequest,
    verb: str,
    label: str,
    style: ButtonStyle = ButtonStyle.DEFAULT,
) -> Button:
    return Button(label, ActionCommand(NAME, verb, request.id, request.version), style)
