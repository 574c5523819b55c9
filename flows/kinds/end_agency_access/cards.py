"""Each audience's card for ending additional agency access."""

from __future__ import annotations

from flows.community import Community
from flows.kinds.end_agency_access.details import NAME, EndAccessRequest, EndAccessState
from flows.kit.cards import button, decision_line
from flows.kit.kind import CardView
from flows.ui import ButtonStyle, Card, Fact

ADMINS = "admins"
REQUESTER = "requester"
SUBJECT = "subject"

STATE_LABELS: dict[str, str] = {
    EndAccessState.AWAITING_ADMIN: "Waiting for HMIS admins to remove the access",
    EndAccessState.REMOVED: "Removed in HMIS",
    EndAccessState.WITHDRAWN: "Withdrawn",
}
DECISIONS: dict[str, str] = {
    EndAccessState.REMOVED: "Removed in HMIS, confirmed by {who} on {when}.",
    EndAccessState.WITHDRAWN: "Withdrawn by {who} on {when}.{why}",
}


def audiences(community: Community, request: EndAccessRequest) -> list[tuple[str, str | None]]:
    """The admin channel and the filer; the person once the access is removed."""
    found: list[tuple[str, str | None]] = [(ADMINS, None), (REQUESTER, request.requester_email)]
    if request.state == EndAccessState.REMOVED:
        found.append((SUBJECT, request.subject_email))
    return found


class EndAccessCards:
    def __init__(self, view: CardView) -> None:
        self._view = view
        self.when = view.when

    def render(self, request: EndAccessRequest, audience: str) -> Card:
        if audience == REQUESTER:
            return self.requester_card(request)
        if audience == SUBJECT:
            return self.subject_card(request)
        return self.admin_card(request)

    def admin_card(self, request: EndAccessRequest) -> Card:
        waiting = request.state == EndAccessState.AWAITING_ADMIN
        return Card(
            title=f"End additional agency access #{request.id}: {request.subject_name}",
            summary=self._summary(request),
            text=(
                f"Remove {request.subject_name}'s access to {self._host(request)}'s clients in "
                "HMIS, then confirm here."
            )
            if waiting
            else "",
            facts=self.facts(request),
            buttons=(button(NAME, request, "confirm", "Removed in HMIS", ButtonStyle.PRIMARY),)
            if waiting
            else (),
            footer=decision_line(self._view, request, DECISIONS),
        )

    def requester_card(self, request: EndAccessRequest) -> Card:
        return Card(
            title=(
                f"Your request #{request.id}: end {request.subject_name}'s access to "
                f"{self._host(request)}'s clients"
            ),
            summary=self._summary(request),
            facts=self.facts(request),
            buttons=(button(NAME, request, "withdraw", "Withdraw request"),)
            if request.state == EndAccessState.AWAITING_ADMIN
            else (),
            footer=decision_line(self._view, request, DECISIONS),
        )

    def subject_card(self, request: EndAccessRequest) -> Card:
        host = self._host(request)
        return Card(
            title=f"Your access to {host}'s clients has ended",
            summary=f"HMIS admins removed access to {host}'s clients from your HMIS account.",
            text=(
                f"{self._view.name(request.requester_email)} asked for it to end. Your HMIS "
                "account and your own agency's access stay as they were."
            ),
            footer=decision_line(self._view, request, DECISIONS),
        )

    def facts(self, request: EndAccessRequest) -> tuple[Fact, ...]:
        details = request.details
        return (
            Fact("Status", STATE_LABELS[request.state]),
            Fact("Person", f"{request.subject_name} <{request.subject_email}>"),
            Fact("Their agency", self._view.agency_name(details.home_agency_id)),
            Fact("Access to the clients of", self._host(request)),
            Fact("Access since", self.when(details.granted_at)),
            Fact("Why it ends", details.reason),
            Fact(
                "Requested by",
                f"{self._view.name(request.requester_email)}, {self.when(request.filed_at)}",
            ),
        )

    def _host(self, request: EndAccessRequest) -> str:
        return self._view.agency_name(request.agency_id)

    def _summary(self, request: EndAccessRequest) -> str:
        return (
            f"End {request.subject_name}'s access to {self._host(request)}'s clients: "
            f"{STATE_LABELS[request.state]}"
        )
