"""Each audience's card for a CE trainer designation. The admins' card says when the agency
had no CE trainer (King County asks for at least one per agency)."""

from __future__ import annotations

from flows.kinds.ce_trainer.details import NAME, CeTrainerRequest, CeTrainerState
from flows.kit.cards import button, decision_line
from flows.kit.kind import CardView
from flows.ui import Button, ButtonStyle, Card, Fact

ADMINS = "admins"
REQUESTER = "requester"
SUBJECT = "subject"

STATE_LABELS: dict[str, str] = {
    CeTrainerState.AWAITING_ADMIN: "Waiting for HMIS admins to confirm",
    CeTrainerState.DESIGNATED: "CE trainer confirmed",
    CeTrainerState.DENIED: "Denied",
    CeTrainerState.WITHDRAWN: "Withdrawn",
}
DECISIONS: dict[str, str] = {
    CeTrainerState.DESIGNATED: "Confirmed by {who} on {when}.",
    CeTrainerState.DENIED: "Denied by {who} on {when}.{why}",
    CeTrainerState.WITHDRAWN: "Withdrawn by {who} on {when}.{why}",
}


class CeTrainerCards:
    def __init__(self, view: CardView) -> None:
        self._view = view

    def render(self, request: CeTrainerRequest, audience: str) -> Card:
        if audience == SUBJECT:
            return self.subject_card(request)
        waiting = request.state == CeTrainerState.AWAITING_ADMIN
        agency = self._agency(request)
        if audience == REQUESTER:
            title = f"Your request #{request.id}: {request.subject_name} as CE trainer"
            buttons: tuple[Button, ...] = (
                (button(NAME, request, "withdraw", "Withdraw request"),) if waiting else ()
            )
            text = ""
        else:
            title = f"CE trainer #{request.id}: {request.subject_name} for {agency}"
            buttons = (
                (
                    button(NAME, request, "confirm", "Confirm CE trainer", ButtonStyle.PRIMARY),
                    button(NAME, request, "deny", "Deny", ButtonStyle.DANGER),
                )
                if waiting
                else ()
            )
            text = self._admin_text(request) if waiting else ""
        return Card(
            title=title,
            summary=f"{request.subject_name} as {agency}'s CE trainer: "
            f"{STATE_LABELS[request.state]}",
            text=text,
            facts=self.facts(request),
            buttons=buttons,
            footer=decision_line(self._view, request, DECISIONS),
        )

    def subject_card(self, request: CeTrainerRequest) -> Card:
        agency = self._agency(request)
        return Card(
            title=f"You are a Coordinated Entry trainer for {agency}",
            summary=f"HMIS recorded you as {agency}'s Coordinated Entry trainer.",
            text=(
                f"{self._view.name(request.requester_email)} named you. You can now ask HMIS for "
                "Coordinated Entry assessor access for your agency's staff who attended the "
                "Assessor's Credential Training, with the bot's assessor command."
            ),
            footer=decision_line(self._view, request, DECISIONS),
        )

    def facts(self, request: CeTrainerRequest) -> tuple[Fact, ...]:
        before = request.details.trainers_before
        return (
            Fact("Status", STATE_LABELS[request.state]),
            Fact("Person", f"{request.subject_name} <{request.subject_email}>"),
            Fact("Agency", self._agency(request)),
            Fact(
                "CE trainers when asked",
                ", ".join(self._view.name(e) for e in before) if before else "None",
            ),
            Fact(
                "Requested by",
                f"{self._view.name(request.requester_email)}, {self._view.when(request.filed_at)}",
            ),
        )

    def _admin_text(self, request: CeTrainerRequest) -> str:
        todo = f"Record {request.subject_name} as the agency's CE trainer, then confirm here."
        if request.details.trainers_before:
            return todo
        return (
            f"{self._agency(request)} has no Coordinated Entry trainer yet; every agency with "
            f"assessors needs at least one. {todo}"
        )

    def _agency(self, request: CeTrainerRequest) -> str:
        return self._view.agency_name(request.agency_id)
