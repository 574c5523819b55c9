"""The onboarding cards: HMIS admins' (one button per step still to do, then **Approved**) and
the agency leads' (their checklist and what is missing), rendered whole from the stored
request; and, for an agency without an open onboarding, its standing from the directory."""

from __future__ import annotations

from flows.community import Agency, AgencyStatus
from flows.kinds.agency_participation.details import (
    NAME,
    OPEN_STATES,
    ParticipationRequest,
    ParticipationState,
    Step,
)
from flows.kit.kind import CardView
from flows.kit.participation import checklist_done
from flows.nudges.letters import Role
from flows.ui import ActionCommand, Button, ButtonStyle, Card, Fact

ADMINS = "admins"
LEAD = Role.LEAD
BUTTON_TEXT = 75  # Slack's limit for a button's text

STATE_LABELS: dict[str, str] = {
    ParticipationState.ONBOARDING: "Onboarding: steps still to do",
    ParticipationState.READY: "Every step done: waiting for HMIS admins to approve",
    ParticipationState.APPROVED: "Approved to use HMIS",
    ParticipationState.DENIED: "Not approved",
}
STATUS_WORDS = {
    AgencyStatus.APPLYING: "Applying: not yet approved to use HMIS",
    AgencyStatus.APPROVED: "Approved to use HMIS",
    AgencyStatus.SUSPENDED: "Suspended from HMIS",
}


class ParticipationCards:
    def __init__(self, view: CardView) -> None:
        self.view = view
        self.when = view.when

    def render(self, request: ParticipationRequest, audience: str) -> Card:
        if audience.startswith(LEAD):
            return self.lead_card(request)
        return self.admin_card(request)

    def admin_card(self, request: ParticipationRequest) -> Card:
        state, details = request.state, request.details
        buttons: list[Button] = []
        text = ""
        if state == ParticipationState.ONBOARDING:
            text = "Tick each step here once the agency has done it."
            buttons += [
                _button(request, f"tick.{s.id}", _clip(f"Done: {s.name}")) for s in details.missing
            ]
        if state == ParticipationState.READY:
            text = f"Every step is done. Approve {request.subject_name} to use HMIS."
            buttons.append(_button(request, "approve", "Approved", ButtonStyle.PRIMARY))
        if state in OPEN_STATES:
            buttons.append(_button(request, "deny", "Decline", ButtonStyle.DANGER))
        return Card(
            title=f"Agency onboarding #{request.id}: {request.subject_name}",
            summary=self._summary(request),
            text=text,
            facts=self.facts(request),
            buttons=tuple(buttons),
            footer=self._decision_line(request),
        )

    def lead_card(self, request: ParticipationRequest) -> Card:
        state, details = request.state, request.details
        agency = request.subject_name
        if state == ParticipationState.ONBOARDING:
            missing = "; ".join(s.name for s in details.missing)
            text = (
                f"{self._progress(request)}. Still to do: {missing}. HMIS admins tick each step "
                f"as it is done; once all are, HMIS approves {agency}."
            )
        elif state == ParticipationState.READY:
            text = f"Every step is done; HMIS admins approve {agency} next."
        elif state == ParticipationState.APPROVED:
            text = f"{agency} is approved to use HMIS: requests for its staff can be filed now."
        else:
            text = "Ask the HMIS help desk what is needed."
        return Card(
            title=f"Your agency's HMIS onboarding: {agency}",
            summary=self._summary(request),
            text=text,
            facts=self.facts(request),
            footer=self._decision_line(request),
        )

    def directory_card(self, agency: Agency) -> Card:
        """An agency's standing without an open onboarding: its status, MOU, who leads it and
        is its security officer, and the community's checklist as recorded."""
        community = self.view.community
        status = STATUS_WORDS[agency.status]
        names = self.view.name
        facts = [
            Fact("Status", status),
            Fact(
                "MOU signed",
                agency.mou_date.strftime("%b %-d, %Y") if agency.mou_date else "None on record",
            ),
            Fact("Agency leads", ", ".join(names(e) for e in agency.leads) or "None yet"),
            Fact(
                "Security officers",
                ", ".join(names(e) for e in agency.security_officers) or "None yet",
            ),
        ]
        text = ""
        if agency.status is not AgencyStatus.APPROVED:
            done = {i.id for i in checklist_done(community, agency)}
            facts += [
                Fact(i.name, "Done" if i.id in done else "Not yet")
                for i in community.onboarding_checklist
            ]
            text = (
                "HMIS has not started this agency's onboarding; the HMIS help desk can tell you "
                "where its application stands."
            )
        return Card(
            title=agency.name, summary=f"{agency.name}: {status}", text=text, facts=tuple(facts)
        )

    def facts(self, request: ParticipationRequest) -> tuple[Fact, ...]:
        details = request.details
        facts = [Fact("Status", STATE_LABELS[request.state]), Fact("Agency", request.subject_name)]
        if details.checklist:
            done = len(details.checklist) - len(details.missing)
            facts.append(Fact("Steps done", f"{done} of {len(details.checklist)}"))
        facts += [Fact(s.name, self._done(request, s)) for s in details.checklist]
        if details.note:
            facts.append(Fact("Note", details.note))
        facts.append(
            Fact(
                "Started by",
                f"{self.view.name(request.requester_email)}, {self.when(request.filed_at)}",
            )
        )
        return tuple(facts)

    def _done(self, request: ParticipationRequest, step: Step) -> str:
        tick = request.details.tick(step.id)
        if tick is None:
            return "Not yet"
        if not tick.by:
            return "Done before onboarding began"
        return f"Done, ticked by {self.view.name(tick.by)} on {self.when(tick.at)}"

    def _progress(self, request: ParticipationRequest) -> str:
        details = request.details
        done = len(details.checklist) - len(details.missing)
        return f"{done} of {len(details.checklist)} steps done"

    def _summary(self, request: ParticipationRequest) -> str:
        return f"{request.subject_name}'s HMIS onboarding: {STATE_LABELS[request.state]}"

    def _decision_line(self, request: ParticipationRequest) -> str:
        who = self.view.name(request.decided_by) if request.decided_by else ""
        when = self.when(request.decided_at)
        if request.state == ParticipationState.APPROVED:
            return f"Approved by {who} on {when}."
        if request.state == ParticipationState.DENIED:
            return f"Not approved, by {who} on {when}. Reason: {request.decision_reason}"
        return ""


def _clip(text: str) -> str:
    return text if len(text) <= BUTTON_TEXT else text[: BUTTON_TEXT - 1] + "…"


def _button(
    request: ParticipationRequest, verb: str, label: str, style: ButtonStyle = ButtonStyle.DEFAULT
) -> Button:
    return Button(label, ActionCommand(NAME, verb, request.id, request.version), style)
