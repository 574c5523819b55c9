"""Each audience's card for a designation, rendered whole from the stored request every time:
HMIS admins (the admin channel), the person who filed it, the candidate, and each current
holder asked to approve it (by direct message)."""

from __future__ import annotations

from flows.community import Training
from flows.kit.designation.details import (
    OPEN_STATES,
    DesignationRequest,
    DesignationState,
)
from flows.kit.designation.position import Position
from flows.kit.kind import CardView
from flows.ui import ActionCommand, Button, ButtonStyle, Card, Fact

ADMINS = "admins"
REQUESTER = "requester"
SUBJECT = "subject"
APPROVER = "approver"
"""A current holder asked to approve; each has their own card (``approver.<digest>``)."""


class DesignationCards:
    def __init__(self, view: CardView, kind_name: str, position: Position, duties: str) -> None:
        self.view = view
        self._kind = kind_name
        self.position = position
        self._labels = position.state_labels()
        self._duties = duties
        self.when = view.when

    def render(self, request: DesignationRequest, audience: str) -> Card:
        if audience == REQUESTER:
            return self.requester_card(request)
        if audience == SUBJECT:
            return self.subject_card(request)
        if audience.startswith(APPROVER):
            return self.approver_card(request)
        return self.admin_card(request)

    # Audiences --------------------------------------------------------------------------------

    def admin_card(self, request: DesignationRequest) -> Card:
        state, text = request.state, ""
        buttons: list[Button] = []
        if state == DesignationState.AWAITING_ADMIN:
            text = (
                f"Set {request.subject_name} as {self._as_title(request)} in HMIS, then confirm "
                "here."
            )
            buttons.append(self._button(request, "confirm", self.position.set_label, True))
        if state in OPEN_STATES:
            buttons.append(self._button(request, "deny", "Deny", style=ButtonStyle.DANGER))
        return Card(
            title=f"{self._heading()} #{request.id}: {request.subject_name}",
            summary=self._summary(request),
            text=text,
            facts=(*self.facts(request), *self.training_facts(request)),
            buttons=tuple(buttons),
            footer=self._decision_line(request),
        )

    def requester_card(self, request: DesignationRequest) -> Card:
        return Card(
            title=(f"Your request #{request.id}: {request.subject_name} as {self.position.title}"),
            summary=self._summary(request),
            facts=(*self.facts(request), *self.training_facts(request)),
            buttons=self._withdraw(request),
            footer=self._decision_line(request),
        )

    def subject_card(self, request: DesignationRequest) -> Card:
        state, position = request.state, self.position
        agency = self.view.agency_name(request.agency_id)
        if state == DesignationState.TRAINING:
            return self.training_card(request)
        if state == DesignationState.DESIGNATED:
            text = position.welcome
            if self._duties:
                text = f"{text}\n{self._duties}"
            return Card(
                title=f"You are now {self._as_title(request)}",
                summary=f"You are now {position.article} {position.title} of {agency}.",
                text=text,
                footer=self._decision_line(request),
            )
        own = request.requester_email == request.subject_email
        return Card(
            title=(
                f"{'Your request' if own else 'Request'} #{request.id}: you as "
                f"{position.title} of {agency}"
            ),
            summary=self._summary(request),
            text=self._duties if state in OPEN_STATES else "",
            facts=(*self.facts(request), *self.training_facts(request)),
            buttons=self._withdraw(request) if own else (),
            footer=self._decision_line(request),
        )

    def training_card(self, request: DesignationRequest) -> Card:
        position = self.position
        remaining = [t for t in self.trainings(request) if not request.reported(t.id)]
        buttons = [
            Button(
                f"I've completed {t.name}",
                ActionCommand(self._kind, f"trained.{t.id}", request.id, request.version),
            )
            for t in remaining
        ]
        if request.requester_email == request.subject_email:
            buttons += self._withdraw(request)
        due = self.when(request.details.training_due)
        these = (
            "these trainings and report each"
            if len(request.details.trainings) > 1
            else "this training and report it"
        )
        return Card(
            title=f"Training for the {position.title} role",
            summary=f"Complete your {position.title} training by {due}.",
            text=(
                f"Before HMIS sets you as {self._as_title(request)}, complete {these} "
                "here when done."
            ),
            facts=self.training_facts(request),
            links=tuple((t.name, t.url) for t in self.trainings(request)),
            buttons=tuple(buttons),
        )

    def approver_card(self, request: DesignationRequest) -> Card:
        position, details = self.position, request.details
        buttons: tuple[Button, ...] = ()
        text = ""
        if request.state == DesignationState.AWAITING_APPROVAL:
            replacing = (
                f", replacing {self.name(request, details.replaces)}" if details.replaces else ""
            )
            who = self.name(request, request.requester_email)
            asked = (
                "asked to become"
                if request.requester_email == request.subject_email
                else f"asked for {request.subject_name} to become"
            )
            text = (
                f"{who} {asked} {self._as_title(request)}{replacing}. As one of the agency's "
                f"current {position.approvers}, approve it or decline it."
            )
            buttons = (
                self._button(request, "approve", "Approve", True),
                self._button(request, "decline", "Decline", style=ButtonStyle.DANGER),
            )
        waiting = request.state == DesignationState.AWAITING_APPROVAL
        return Card(
            title=(
                f"{'Approve or decline' if waiting else f'Request #{request.id}'}: "
                f"{request.subject_name} as {position.title}"
            ),
            summary=self._summary(request),
            text=text,
            facts=self.facts(request),
            buttons=buttons,
            footer=self._decision_line(request),
        )

    # Parts ------------------------------------------------------------------------------------

    def facts(self, request: DesignationRequest) -> tuple[Fact, ...]:
        details, view = request.details, self.view
        facts = [
            Fact("Status", self._labels[request.state]),
            Fact("Candidate", f"{request.subject_name} <{request.subject_email}>"),
            Fact("Agency", view.agency_name(request.agency_id)),
            Fact(
                "Replaces",
                self.name(request, details.replaces)
                if details.replaces
                else f"Nobody: {self.position.additional}",
            ),
            Fact("Approval", self._approval(request)),
        ]
        if details.mou_date is not None:
            facts.append(Fact("MOU signed", details.mou_date.strftime("%b %-d, %Y")))
        if not details.has_account:
            facts.append(Fact("HMIS account", "None at this agency that the bot knows"))
        facts += [Fact(a.question, "Yes" if a.yes else "No") for a in details.answers]
        if details.note:
            facts.append(Fact("Note", details.note))
        facts.append(
            Fact(
                "Requested by",
                f"{self.name(request, request.requester_email)}, {self.when(request.filed_at)}",
            )
        )
        return tuple(facts)

    def training_facts(self, request: DesignationRequest) -> tuple[Fact, ...]:
        if not request.details.trainings:
            return ()
        facts = [Fact("Training due", self.when(request.details.training_due))]
        for training in self.trainings(request):
            report = request.reported(training.id)
            done = f"Reported complete {self.when(report.reported_at)}" if report else "Not yet"
            facts.append(Fact(training.name, done))
        return tuple(facts)

    def trainings(self, request: DesignationRequest) -> list[Training]:
        found = (self.view.community.training(t) for t in request.details.trainings)
        return [t for t in found if t is not None]

    def _approval(self, request: DesignationRequest) -> str:
        details, view = request.details, self.view
        if details.approved_by:
            return (
                f"Approved by {self.name(request, details.approved_by)} on "
                f"{self.when(details.approved_at)}"
            )
        if details.approvers:
            *others, last = [self.name(request, e) for e in details.approvers]
            return f"Asked of {', '.join(others)} or {last}" if others else f"Asked of {last}"
        if view.community.is_admin(request.requester_email):
            return "Named by HMIS (nobody at the agency could approve it yet)"
        return f"Filed by one of the agency's {self.position.approvers}: their approval"

    def name(self, request: DesignationRequest, email: str) -> str:
        """A person's name: the candidate's as filed, the community file's, or their HMIS
        account's as recorded when it was filed."""
        if email == request.subject_email:
            return request.subject_name
        found = self.view.name(email)
        return request.details.names.get(email, found) if found == email else found

    def _summary(self, request: DesignationRequest) -> str:
        return (
            f"{request.subject_name} as {self.position.title} of "
            f"{self.view.agency_name(request.agency_id)}: {self._labels[request.state]}"
        )

    def _as_title(self, request: DesignationRequest) -> str:
        agency = self.view.agency_name(request.agency_id)
        return f"{self.position.article} {self.position.long_title} of {agency}"

    def _heading(self) -> str:
        title = self.position.title
        return f"{title[:1].upper()}{title[1:]} designation"

    def _withdraw(self, request: DesignationRequest) -> tuple[Button, ...]:
        if request.state not in OPEN_STATES:
            return ()
        return (self._button(request, "withdraw", "Withdraw request"),)

    def _button(
        self,
        request: DesignationRequest,
        verb: str,
        label: str,
        primary: bool = False,
        style: ButtonStyle = ButtonStyle.DEFAULT,
    ) -> Button:
        command = ActionCommand(self._kind, verb, request.id, request.version)
        return Button(label, command, ButtonStyle.PRIMARY if primary else style)

    def _decision_line(self, request: DesignationRequest) -> str:
        who = self.name(request, request.decided_by) if request.decided_by else ""
        when = self.when(request.decided_at)
        reason = f" Reason: {request.decision_reason}" if request.decision_reason else ""
        lines = {
            DesignationState.DESIGNATED: f"Set in HMIS, confirmed by {who} on {when}.",
            DesignationState.DECLINED: f"Declined by {who} on {when}.{reason}",
            DesignationState.DENIED: f"Denied by {who} on {when}.{reason}",
            DesignationState.WITHDRAWN: f"Withdrawn by {who} on {when}.{reason}",
            DesignationState.EXPIRED: "Expired: the training was not reported in time.",
        }
        return lines.get(DesignationState(request.state), "")
