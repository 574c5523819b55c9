"""Each audience's card for Coordinated Entry assessor access: the admin channel adds it (and
removes it once it lapses), the CE trainer who asked follows it, and the person sees their
credential and when it lapses."""

from __future__ import annotations

from flows.community import Community
from flows.kinds.ce_assessor.details import NAME, AssessorRequest, AssessorState
from flows.kit.cards import button, decision_line
from flows.kit.kind import CardView
from flows.ui import Button, ButtonStyle, Card, Fact

ADMINS = "admins"
REQUESTER = "requester"
SUBJECT = "subject"

STATE_LABELS: dict[str, str] = {
    AssessorState.AWAITING_ADMIN: "Waiting for HMIS admins to add assessor access",
    AssessorState.ACTIVE: "Assessor access added",
    AssessorState.LAPSED: "Lapsed: waiting for HMIS admins to remove assessor access",
    AssessorState.REMOVED: "Assessor access removed",
    AssessorState.RENEWED: "Renewed by a later attendance",
    AssessorState.DENIED: "Denied",
    AssessorState.WITHDRAWN: "Withdrawn",
}
DECISIONS: dict[str, str] = {
    AssessorState.ACTIVE: "Assessor access added, confirmed by {who} on {when}.",
    AssessorState.REMOVED: "Assessor access removed, confirmed by {who} on {when}.",
    AssessorState.DENIED: "Denied by {who} on {when}.{why}",
    AssessorState.WITHDRAWN: "Withdrawn by {who} on {when}.{why}",
}
TOLD = frozenset(
    {AssessorState.ACTIVE, AssessorState.LAPSED, AssessorState.REMOVED, AssessorState.RENEWED}
)
"""States in which the person has a card: from the moment the access was added."""


def audiences(community: Community, request: AssessorRequest) -> list[tuple[str, str | None]]:
    found: list[tuple[str, str | None]] = [(ADMINS, None), (REQUESTER, request.requester_email)]
    if request.state in TOLD:
        found.append((SUBJECT, request.subject_email))
    return found


class AssessorCards:
    def __init__(self, view: CardView) -> None:
        self._view = view
        self.when = view.when

    def render(self, request: AssessorRequest, audience: str) -> Card:
        if audience == REQUESTER:
            return self.requester_card(request)
        if audience == SUBJECT:
            return self.subject_card(request)
        return self.admin_card(request)

    def admin_card(self, request: AssessorRequest) -> Card:
        name, state = request.subject_name, request.state
        text, buttons = "", tuple[Button, ...]()
        if state == AssessorState.AWAITING_ADMIN:
            text = f"Add Coordinated Entry assessor access to {name}'s HMIS account, then confirm."
            buttons = (
                button(NAME, request, "confirm", "Assessor access added", ButtonStyle.PRIMARY),
                button(NAME, request, "deny", "Deny", ButtonStyle.DANGER),
            )
        elif state == AssessorState.LAPSED:
            text = (
                f"{name}'s assessor credential lapsed {self.when(request.details.expires_at)}. "
                "Remove their Coordinated Entry assessor access in HMIS, then confirm."
            )
            buttons = (self.remove_button(request),)
        return Card(
            title=f"Coordinated Entry assessor access #{request.id}: {name}",
            summary=self._summary(request),
            text=text,
            facts=self.facts(request),
            buttons=buttons,
            footer=self._footer(request),
        )

    def remove_button(self, request: AssessorRequest) -> Button:
        return button(NAME, request, "remove", "Assessor access removed", ButtonStyle.PRIMARY)

    def requester_card(self, request: AssessorRequest) -> Card:
        return Card(
            title=f"Your request #{request.id}: assessor access for {request.subject_name}",
            summary=self._summary(request),
            facts=self.facts(request),
            buttons=(button(NAME, request, "withdraw", "Withdraw request"),)
            if request.state == AssessorState.AWAITING_ADMIN
            else (),
            footer=self._footer(request),
        )

    def subject_card(self, request: AssessorRequest) -> Card:
        details, state = request.details, request.state
        until = self.when(details.expires_at)
        if state == AssessorState.ACTIVE:
            title = "You are a Coordinated Entry assessor in HMIS"
            text = (
                f"Your assessor access counts from your {details.training_name} on "
                f"{self.attended(request)}"
                + (
                    f" and lasts until {until}. Attend the training again before then (you "
                    "will be reminded) and your CE trainer can renew it."
                    if details.expires_at
                    else "."
                )
            )
        elif state == AssessorState.RENEWED:
            title = "Your Coordinated Entry assessor access was renewed"
            text = f"A later {details.training_name} renewed it (request #{details.renewed_by})."
        else:
            title = "Your Coordinated Entry assessor access has ended"
            text = (
                f"Your {details.training_name} from {self.attended(request)} lapsed {until}. "
                "To be an assessor again, attend the training and ask your agency's CE trainer "
                "to request access."
            )
        return Card(
            title=title,
            summary=f"{title}: {STATE_LABELS[state].lower()}.",
            text=text,
            footer=self._footer(request),
        )

    def facts(self, request: AssessorRequest) -> tuple[Fact, ...]:
        details = request.details
        facts = [
            Fact("Status", STATE_LABELS[request.state]),
            Fact("Person", f"{request.subject_name} <{request.subject_email}>"),
            Fact("Agency", self._view.agency_name(request.agency_id)),
            Fact("Training attended", f"{details.training_name}, {self.attended(request)}"),
            Fact(
                "Valid until",
                self.when(details.expires_at) if details.expires_at else "No expiry",
            ),
            Fact(
                "Attested by",
                f"{self._view.name(request.requester_email)}, {self.when(request.filed_at)}",
            ),
        ]
        if details.renewed_by is not None:
            facts.append(Fact("Renewed by", f"Request #{details.renewed_by}"))
        return tuple(facts)

    def attended(self, request: AssessorRequest) -> str:
        return request.details.attended_on.strftime("%a %b %-d, %Y")

    def _summary(self, request: AssessorRequest) -> str:
        return f"Assessor access for {request.subject_name}: {STATE_LABELS[request.state]}"

    def _footer(self, request: AssessorRequest) -> str:
        if request.state == AssessorState.RENEWED:
            return f"Renewed by request #{request.details.renewed_by}."
        return decision_line(self._view, request, DECISIONS)
