"""Each audience's card for additional agency access: the admin channel decides, the filer
follows it, the leads of the person's own agency may object, and the person is told once the
access is added. A staff member's own request is the person's card, and their agency's leads and
supervisors get the endorsers' card instead (Endorse or Decline while it waits for them)."""

from __future__ import annotations

from flows.community import Community
from flows.kinds.agency_access.details import (
    NAME,
    OPEN_STATES,
    AgencyAccessRequest,
    AgencyAccessState,
)
from flows.kit import endorsement
from flows.kit.cards import button, decision_line
from flows.kit.kind import CardView
from flows.nudges.letters import Role, audience_for
from flows.ui import ButtonStyle, Card, Fact

ADMINS = "admins"
REQUESTER = "requester"
SUBJECT = "subject"

STATE_LABELS: dict[str, str] = {
    AgencyAccessState.AWAITING_ENDORSEMENT: "Waiting for their agency to endorse it",
    AgencyAccessState.AWAITING_ADMIN: "Waiting for HMIS admins to add the access",
    AgencyAccessState.ADDED: "Added in HMIS",
    AgencyAccessState.DENIED: "Denied",
    AgencyAccessState.WITHDRAWN: "Withdrawn",
    AgencyAccessState.DECLINED: "Declined by their agency",
}
DECISIONS: dict[str, str] = {
    AgencyAccessState.ADDED: "Added in HMIS, confirmed by {who} on {when}.",
    AgencyAccessState.DENIED: "Denied by {who} on {when}.{why}",
    AgencyAccessState.WITHDRAWN: "Withdrawn by {who} on {when}.{why}",
}


def home_leads(community: Community, request: AgencyAccessRequest) -> tuple[str, ...]:
    agency = community.agency(request.details.home_agency_id)
    return agency.leads if agency else ()


def audiences(community: Community, request: AgencyAccessRequest) -> list[tuple[str, str | None]]:
    """The admin channel, the filer, each lead of the person's own agency by DM (they may
    object), and the person once the access is added. A staff member's own request: the admin
    channel once endorsed, the person, and each endorser of their agency."""
    if request.details.self_filed:
        own: list[tuple[str, str | None]] = (
            [(ADMINS, None)] if request.details.reached_admins else []
        )
        own.append((REQUESTER, request.requester_email))
        return own + endorsement.audiences(community, request)
    found: list[tuple[str, str | None]] = [(ADMINS, None), (REQUESTER, request.requester_email)]
    found += [
        (audience_for(Role.LEAD, email), email)
        for email in home_leads(community, request)
        if email != request.requester_email
    ]
    if request.state == AgencyAccessState.ADDED:
        found.append((SUBJECT, request.subject_email))
    return found


class AgencyAccessCards:
    def __init__(self, view: CardView) -> None:
        self._view = view
        self.when = view.when

    def render(self, request: AgencyAccessRequest, audience: str) -> Card:
        if audience == REQUESTER:
            return self.requester_card(request)
        if audience == SUBJECT:
            return self.subject_card(request)
        if endorsement.is_endorser_audience(audience):
            if request.details.self_filed:
                return self.endorser_card(request)
            return self.home_lead_card(request)
        return self.admin_card(request)

    def admin_card(self, request: AgencyAccessRequest) -> Card:
        waiting = request.state == AgencyAccessState.AWAITING_ADMIN
        text = ""
        if request.state == AgencyAccessState.AWAITING_ENDORSEMENT:
            text = (
                f"Waiting for {endorsement.waiting_for(self._view, request)} to endorse it; "
                "nothing for HMIS to do yet."
            )
        if waiting:
            text = (
                f"Add access to {self._host(request)}'s clients to {request.subject_name}'s HMIS "
                "account, then confirm here."
            )
            if request.details.self_filed:
                host = self._host(request)
                text = (
                    f"{request.subject_name} asked for this themselves and {self._home(request)} "
                    f"endorsed it; {host} did not ask. Check with {host}'s lead, then add the "
                    "access in HMIS and confirm here."
                )
            if request.details.objections:
                text += f" {self._home(request)} objected: read why below before you decide."
        return Card(
            title=f"Additional agency access #{request.id}: {request.subject_name}",
            summary=self._summary(request),
            text=text,
            facts=self.facts(request),
            buttons=(
                button(NAME, request, "confirm", "Added in HMIS", ButtonStyle.PRIMARY),
                button(NAME, request, "deny", "Deny", ButtonStyle.DANGER),
            )
            if waiting
            else (),
            footer=self._decision(request),
        )

    def requester_card(self, request: AgencyAccessRequest) -> Card:
        if request.details.self_filed:
            return self.own_card(request)
        return Card(
            title=(
                f"Your request #{request.id}: {request.subject_name} to see "
                f"{self._host(request)}'s clients"
            ),
            summary=self._summary(request),
            facts=self.facts(request),
            buttons=(button(NAME, request, "withdraw", "Withdraw request"),)
            if request.state == AgencyAccessState.AWAITING_ADMIN
            else (),
            footer=self._decision(request),
        )

    def own_card(self, request: AgencyAccessRequest) -> Card:
        """The staff member's card of their own request, from asking to the admins' decision."""
        host, state = self._host(request), request.state
        text = ""
        if state == AgencyAccessState.AWAITING_ENDORSEMENT:
            who = endorsement.waiting_for(self._view, request)
            text = (
                f"{who} will be asked to endorse it; once endorsed, it goes to HMIS like a "
                f"request from {host}'s lead."
            )
        elif state == AgencyAccessState.ADDED:
            text = (
                "Log in to HMIS as usual. The access lasts until your agency or theirs asks for "
                "it to end."
            )
        return Card(
            title=f"Your request #{request.id} to see {host}'s clients",
            summary=self._summary(request),
            text=text,
            facts=self.facts(request),
            buttons=(button(NAME, request, "withdraw", "Withdraw request"),)
            if state in OPEN_STATES
            else (),
            footer=self._decision(request),
        )

    def endorser_card(self, request: AgencyAccessRequest) -> Card:
        return endorsement.endorser_card(
            self._view,
            request,
            asks=f"to see {self._host(request)}'s clients",
            waiting=request.state == AgencyAccessState.AWAITING_ENDORSEMENT,
            facts=self.facts(request),
            footer=self._decision(request),
        )

    def home_lead_card(self, request: AgencyAccessRequest) -> Card:
        host, name = self._host(request), request.subject_name
        waiting = request.state == AgencyAccessState.AWAITING_ADMIN
        text = (
            f"{name} works for your agency, {self._home(request)}. "
            f"{self._view.name(request.requester_email)} of {host} asked HMIS to let them see "
            f"{host}'s clients too. If that should not happen, press Object and say why: HMIS "
            "admins read it before they decide."
        )
        return Card(
            title=f"{host} asks for {name} to see its clients",
            summary=self._summary(request),
            text=text if waiting else "",
            facts=self.facts(request),
            buttons=(button(NAME, request, "object", "Object"),) if waiting else (),
            footer=self._decision(request),
        )

    def subject_card(self, request: AgencyAccessRequest) -> Card:
        host = self._host(request)
        return Card(
            title=f"You can now see {host}'s clients in HMIS",
            summary=f"HMIS admins added access to {host}'s clients to your HMIS account.",
            text=(
                f"{self._view.name(request.requester_email)} of {host} asked for it. Log in to "
                "HMIS as usual. The access lasts until your agency or theirs asks for it to end."
            ),
            footer=self._decision(request),
        )

    def facts(self, request: AgencyAccessRequest) -> tuple[Fact, ...]:
        details = request.details
        facts = [
            Fact("Status", STATE_LABELS[request.state]),
            Fact("Person", f"{request.subject_name} <{request.subject_email}>"),
            Fact("Their agency", self._home(request)),
            Fact("Access to the clients of", self._host(request)),
            Fact("Why", details.reason),
            Fact("Requested by", f"{self._filer(request)}, {self.when(request.filed_at)}"),
            *endorsement.endorsed_fact(self._view, details.endorsement),
        ]
        facts += [
            Fact(f"Objection by {self._view.name(o.by)}", f"{o.reason} ({self.when(o.at)})")
            for o in details.objections
        ]
        return tuple(facts)

    def _filer(self, request: AgencyAccessRequest) -> str:
        if request.details.self_filed:
            return f"{request.subject_name} (for themselves)"
        return self._view.name(request.requester_email)

    def _decision(self, request: AgencyAccessRequest) -> str:
        if request.state == AgencyAccessState.DECLINED:
            return endorsement.declined_line(self._view, request)
        return decision_line(self._view, request, DECISIONS)

    def _host(self, request: AgencyAccessRequest) -> str:
        return self._view.agency_name(request.agency_id)

    def _home(self, request: AgencyAccessRequest) -> str:
        return self._view.agency_name(request.details.home_agency_id)

    def _summary(self, request: AgencyAccessRequest) -> str:
        return (
            f"{request.subject_name} to see {self._host(request)}'s clients: "
            f"{STATE_LABELS[request.state]}"
        )
