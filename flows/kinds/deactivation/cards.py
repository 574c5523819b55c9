"""Each audience's card for a deactivation. An account closing is a sensitive account event:
its cards go by direct message to each HMIS admin and the agency's leads, never to a channel."""

from __future__ import annotations

from flows.community import Community
from flows.kinds.deactivation.details import (
    NAME,
    OPEN_STATES,
    DeactivationRequest,
    DeactivationState,
)
from flows.kit.kind import CardView
from flows.nudges.letters import Role, audience_for
from flows.ui import ActionCommand, Button, ButtonStyle, Card, Fact

REQUESTER = "requester"
SUBJECT = "subject"

STATE_LABELS: dict[str, str] = {
    DeactivationState.SCHEDULED: "Scheduled for the last day",
    DeactivationState.AWAITING_ADMIN: "Waiting for HMIS admins to deactivate",
    DeactivationState.DEACTIVATED: "Deactivated in HMIS",
    DeactivationState.WITHDRAWN: "Withdrawn",
}


def audiences(community: Community, request: DeactivationRequest) -> list[tuple[str, str | None]]:
    """Each admin and each of the agency's leads by DM, the filer, and the person once it is
    done (unless they left the agency and may not read their work messages any more)."""
    agency = community.agency(request.agency_id)
    people = [(audience_for(Role.ADMIN, a.email), a.email) for a in community.admins]
    people += [
        (audience_for(Role.LEAD, email), email) for email in (agency.leads if agency else ())
    ]
    found: list[tuple[str, str | None]] = [(REQUESTER, request.requester_email)]
    found += [(aud, email) for aud, email in people if email != request.requester_email]
    done = request.state == DeactivationState.DEACTIVATED
    if done and not request.details.security_event:
        found.append((SUBJECT, request.subject_email))
    return found


class DeactivationCards:
    def __init__(self, view: CardView) -> None:
        self._view = view
        self.when = view.when

    def render(self, request: DeactivationRequest, audience: str) -> Card:
        if audience == REQUESTER:
            return self.requester_card(request)
        if audience == SUBJECT:
            return self.subject_card(request)
        return self.admin_card(request, for_admin=audience.startswith(Role.ADMIN))

    def admin_card(self, request: DeactivationRequest, *, for_admin: bool) -> Card:
        waiting = request.state == DeactivationState.AWAITING_ADMIN
        text = (
            "Please deactivate this account in HMIS, then confirm here."
            if waiting and for_admin
            else ""
        )
        if request.state == DeactivationState.SCHEDULED:
            text = f"This takes effect {self.when(request.details.effective_at)}."
        return Card(
            title=f"Deactivate HMIS access #{request.id}: {request.subject_name}",
            summary=self._summary(request),
            text=text,
            facts=self.facts(request),
            buttons=(_button(request, "confirm", "Deactivated in HMIS", ButtonStyle.PRIMARY),)
            if waiting and for_admin
            else (),
            footer=self._decision_line(request),
        )

    def requester_card(self, request: DeactivationRequest) -> Card:
        return Card(
            title=f"Your request #{request.id}: deactivate {request.subject_name}",
            summary=self._summary(request),
            facts=self.facts(request),
            buttons=(_button(request, "withdraw", "Withdraw request"),)
            if request.state in OPEN_STATES
            else (),
            footer=self._decision_line(request),
        )

    def subject_card(self, request: DeactivationRequest) -> Card:
        return Card(
            title="Your HMIS access has ended",
            summary=f"Your HMIS account was deactivated on {self.when(request.decided_at)}.",
            text=(
                f"{self._view.name(request.requester_email)} asked for your HMIS access to end "
                f"({request.details.reason_line.lower()}). If you need HMIS again, ask your "
                "agency lead to request access for you."
            ),
        )

    def facts(self, request: DeactivationRequest) -> tuple[Fact, ...]:
        details = request.details
        role = self._view.role_name(details.access_role_id) if details.access_role_id else "-"
        return (
            Fact("Status", STATE_LABELS[request.state]),
            Fact("Person", f"{request.subject_name} <{request.subject_email}>"),
            Fact("Agency", self._view.agency_name(request.agency_id)),
            Fact("Access role", role),
            Fact("Reason", details.reason_line),
            Fact("Takes effect", self.when(details.effective_at)),
            Fact(
                "Requested by",
                f"{self._view.name(request.requester_email)}, {self.when(request.filed_at)}",
            ),
        )

    def _summary(self, request: DeactivationRequest) -> str:
        return f"Deactivate {request.subject_name}'s HMIS access: {STATE_LABELS[request.state]}"

    def _decision_line(self, request: DeactivationRequest) -> str:
        who = self._view.name(request.decided_by) if request.decided_by else ""
        when = self.when(request.decided_at)
        if request.state == DeactivationState.DEACTIVATED:
            return f"Deactivated in HMIS, confirmed by {who} on {when}."
        if request.state == DeactivationState.WITHDRAWN:
            return f"Withdrawn by {who} on {when}."
        return ""


def _button(
    request: DeactivationRequest, verb: str, label: str, style: ButtonStyle = ButtonStyle.DEFAULT
) -> Button:
    return Button(label, ActionCommand(NAME, verb, request.id, request.version), style)
