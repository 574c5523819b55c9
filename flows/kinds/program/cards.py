"""Each audience's card for a New Program Request: the admin channel builds it, the lead who
asked follows it."""

from __future__ import annotations

from flows.kinds.program.details import (
    CHANGE_LABELS,
    NAME,
    ProgramRequest,
    ProgramState,
)
from flows.kit.cards import button, decision_line
from flows.kit.kind import CardView
from flows.ui import Button, ButtonStyle, Card, Fact

ADMINS = "admins"
REQUESTER = "requester"

STATE_LABELS: dict[str, str] = {
    ProgramState.AWAITING_ADMIN: "Waiting for HMIS admins to build it",
    ProgramState.BUILT: "Built in HMIS",
    ProgramState.DENIED: "Denied",
    ProgramState.WITHDRAWN: "Withdrawn",
}
DECISIONS: dict[str, str] = {
    ProgramState.BUILT: "Built in HMIS, confirmed by {who} on {when}.",
    ProgramState.DENIED: "Denied by {who} on {when}.{why}",
    ProgramState.WITHDRAWN: "Withdrawn by {who} on {when}.{why}",
}


class ProgramCards:
    def __init__(self, view: CardView) -> None:
        self._view = view

    def render(self, request: ProgramRequest, audience: str) -> Card:
        waiting = request.state == ProgramState.AWAITING_ADMIN
        if audience == REQUESTER:
            title = f"Your request #{request.id}: program {request.subject_name}"
            buttons: tuple[Button, ...] = (
                (button(NAME, request, "withdraw", "Withdraw request"),) if waiting else ()
            )
            text = ""
        else:
            title = f"New Program Request #{request.id}: {request.subject_name}"
            buttons = (
                (
                    button(NAME, request, "confirm", "Built in HMIS", ButtonStyle.PRIMARY),
                    button(NAME, request, "deny", "Deny", ButtonStyle.DANGER),
                )
                if waiting
                else ()
            )
            text = "Build the program in HMIS (or make the change), then confirm here."
        return Card(
            title=title,
            summary=(
                f"Program {request.subject_name} at {self._agency(request)}: "
                f"{STATE_LABELS[request.state]}"
            ),
            text=text if waiting else "",
            facts=self.facts(request),
            buttons=buttons,
            footer=decision_line(self._view, request, DECISIONS),
        )

    def facts(self, request: ProgramRequest) -> tuple[Fact, ...]:
        details = request.details
        return (
            Fact("Status", STATE_LABELS[request.state]),
            Fact("Agency", self._agency(request)),
            Fact("Program", request.subject_name),
            Fact("Request", CHANGE_LABELS[details.change]),
            Fact("What is needed", details.needs),
            Fact(
                "Requested by",
                f"{self._view.name(request.requester_email)}, {self._view.when(request.filed_at)}",
            ),
        )

    def _agency(self, request: ProgramRequest) -> str:
        return self._view.agency_name(request.agency_id)
