"""The deactivation state machine: filed by a lead or supervisor of the person's agency (or an
admin), confirmed by an HMIS admin; the account is closed with its history kept, the person's
other open requests are withdrawn, and inactivity nudges stop."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from flows.accounts import AccountStatus, HmisAccount
from flows.community import Community
from flows.kinds.deactivation import nudges
from flows.kinds.deactivation.cards import (
    REQUESTER,
    STATE_LABELS,
    SUBJECT,
    DeactivationCards,
    audiences,
)
from flows.kinds.deactivation.details import (
    ADMIN_STATES,
    NAME,
    OPEN_STATES,
    DeactivationDetails,
    DeactivationRequest,
    DeactivationState,
    Reason,
)
from flows.kinds.deactivation.form import (
    FORM_ID,
    REASON_TEXT,
    deactivation_form,
    read_effective,
    read_reason,
)
from flows.kit.forms import Problem, Problems, Reader, check_free_text
from flows.kit.grants import end_grants_of
from flows.kit.kind import ADMIN, CardView, RequestKind, Step
from flows.kit.machine import Machine
from flows.kit.people import PERSON, acting_agencies, read_person
from flows.model import Actor, AuditEvent, Filing, Subject
from flows.nudges.cutoffs import Cutoffs
from flows.nudges.letters import Letter, Role, audience_for
from flows.nudges.rules import RequestRule
from flows.outcomes import Accepted, FieldErrors, OpenForm, Outcome
from flows.ports import FormValues
from flows.ui import Card, Notice

Run = Machine[DeactivationDetails]
NOT_ALLOWED = (
    "Only agency leads, supervisors and HMIS admins can ask for someone's HMIS access to end, "
    "and the HMIS directory does not list you as one. Ask your agency lead."
)


class DeactivationKind(RequestKind[DeactivationDetails]):
    name = NAME
    command = "deactivate"
    help = "asks HMIS admins to deactivate the account of someone who left or no longer needs it"
    title = "Deactivation"
    details_model = DeactivationDetails
    labels = STATE_LABELS
    open_states = frozenset(OPEN_STATES)
    admin_states = frozenset(ADMIN_STATES)
    forms = frozenset({FORM_ID})
    account_action = "Deactivate"
    admin_audience = Role.ADMIN

    def parties_of(self, request: DeactivationRequest) -> Mapping[str, str]:
        return {REQUESTER: request.requester_email, SUBJECT: request.subject_email}

    # Filing ---------------------------------------------------------------------------------

    def open_form(self, machine: Run, actor: Actor, account: HmisAccount | None = None) -> Outcome:
        if not acting_agencies(machine.community, actor.email, NAME):
            return machine.refuse(actor, "open_form", "not_authorized", None, NOT_ALLOWED)
        form = deactivation_form(machine.community, machine.ledger, actor.email, account)
        return OpenForm(form)

    def submit(
        self, machine: Run, actor: Actor, form_id: str, context: str, values: FormValues
    ) -> Outcome:
        if not acting_agencies(machine.community, actor.email, NAME):
            return machine.refuse(actor, "file", "not_authorized", None, NOT_ALLOWED)
        reader, problems = Reader(values), dict[str, Problem]()
        now = machine.ledger.now()
        person = read_person(
            reader, machine.community, machine.ledger, actor.email, problems, kind=NAME
        )
        reason = read_reason(reader, problems)
        text = check_free_text(reader, REASON_TEXT, problems, machine.calendar.local(now).year)
        if reason is Reason.OTHER and not text and REASON_TEXT not in problems:
            problems[REASON_TEXT] = Problem("missing", "Say why, for Other.")
        effective = read_effective(reader, machine.calendar, now, problems)
        if problems or person is None or reason is None or effective is None:
            return _refused(machine, actor, problems)
        details = DeactivationDetails(
            reason=reason,
            reason_text=text,
            effective_at=effective,
            account_id=person.account.id if person.account else None,
            access_role_id=person.account.access_role_id if person.account else "",
        )
        scheduled = effective > now
        sla = machine.calendar.deadline(effective, machine.community.deadlines.deactivation)
        filing = Filing(
            kind=NAME,
            state=DeactivationState.SCHEDULED if scheduled else DeactivationState.AWAITING_ADMIN,
            requester_email=actor.email,
            subject_email=person.email,
            subject_name=person.name,
            agency_id=person.agency_id,
            details=details,
            parties={REQUESTER: actor.email, SUBJECT: person.email},
            open_key=person.email,
            due_at=effective if scheduled else sla,
        )
        request = machine.file(actor, filing, {"agency": person.agency_id, "reason": reason})
        if request is None:
            machine.refuse(actor, "file", "duplicate", None, "")
            return FieldErrors({PERSON: f"{person.name} already has an open deactivation."})
        when = f"from the end of {machine.calendar.day(effective)}" if scheduled else "now"
        target = machine.community.deadlines.deactivation
        return Accepted(
            Notice(
                f"Request #{request.id} filed: {person.name}'s HMIS access ends {when}. HMIS "
                f"admins deactivate accounts within {target}; you will see each step in your "
                "messages from this bot and in your status list."
            )
        )

    def due_in(self, machine: Run, request: DeactivationRequest, state: str) -> datetime | None:
        """Taking effect starts the admins' SLA, counted from the last day's end."""
        if state != DeactivationState.AWAITING_ADMIN:
            return None
        deadline = machine.community.deadlines.deactivation
        return machine.calendar.deadline(request.details.effective_at, deadline)

    # Steps ----------------------------------------------------------------------------------

    def steps(self) -> Mapping[str, Step[DeactivationDetails]]:
        return {
            "confirm": Step(
                ADMIN,
                frozenset({DeactivationState.AWAITING_ADMIN}),
                self._confirm,
                refusal="Only HMIS admins can confirm that an account is deactivated.",
            ),
            "withdraw": Step(
                REQUESTER,
                self.open_states,
                self._withdraw,
                refusal="Only the person who filed the request can withdraw it.",
            ),
        }

    def _confirm(
        self, machine: Run, actor: Actor, request: DeactivationRequest, _arg: str, _reason: str
    ) -> Outcome:
        moved = machine.move(request, actor, DeactivationState.DEACTIVATED, "confirm", decided=True)
        if moved is None:
            return machine.lost_race(actor, request, "confirm")
        reason = f"the HMIS account was deactivated (request #{request.id})"
        withdrawn = machine.withdraw_requests_about(
            request.subject_email, actor, reason, request.id
        )
        end_grants_of(machine.ledger, request.subject_email, actor, f"deactivation #{request.id}")
        account = machine.ledger.account_by_email(request.subject_email)
        if account is not None and account.is_held:
            closed = machine.ledger.move_account(account, AccountStatus.DEACTIVATED, actor.email)
            machine.ledger.audit(
                AuditEvent(
                    actor,
                    "account.deactivated",
                    "ok" if closed else "refused",
                    Subject.account(account.id),
                    {
                        "request": str(request.id),
                        "reason": request.details.reason,
                        "withdrew": ",".join(map(str, withdrawn)),
                    },
                )
            )
        return Notice(f"Recorded: {request.subject_name}'s HMIS account is deactivated.")

    def _withdraw(
        self, machine: Run, actor: Actor, request: DeactivationRequest, _arg: str, _reason: str
    ) -> Outcome:
        to = DeactivationState.WITHDRAWN
        if machine.move(request, actor, to, "withdraw", decided=True) is None:
            return machine.lost_race(actor, request, "withdraw")
        return Notice(f"Request #{request.id} for {request.subject_name} withdrawn.")

    # Cards ----------------------------------------------------------------------------------

    def audiences(
        self, community: Community, request: DeactivationRequest
    ) -> list[tuple[str, str | None]]:
        return audiences(community, request)

    def render(self, view: CardView, request: DeactivationRequest, audience: str) -> Card:
        return DeactivationCards(view).render(request, audience)

    def audience_of(self, request: DeactivationRequest, email: str) -> str:
        if email == request.requester_email:
            return REQUESTER
        if email == request.subject_email:
            return SUBJECT
        return audience_for(Role.LEAD, email)

    # Nudges ---------------------------------------------------------------------------------

    def nudge_rules(self, community: Community, cutoffs: Cutoffs) -> Iterable[RequestRule]:
        return nudges.rules(community, cutoffs)

    def letters(
        self,
        view: CardView,
        nudge: str,
        request: DeactivationRequest,
        occurrence: datetime,
        now: datetime,
    ) -> list[Letter]:
        return nudges.letters(view, nudge, request, occurrence, now)


def _refused(machine: Run, actor: Actor, problems: Problems) -> FieldErrors:
    machine.ledger.audit(
        AuditEvent(
            actor,
            machine.action("file"),
            "refused",
            None,
            {field: problem.code for field, problem in problems.items()},
        )
    )
    return FieldErrors({field: problem.message for field, problem in problems.items()})
