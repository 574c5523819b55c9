"""The assessor access state machine: filed by a CE trainer of the person's agency, with the
attested attendance; an HMIS admin adds it (or denies it, with a reason). Adding records the
credential as a grant that lapses with the training's validity, and the attendance as a
training report, so the training's renewal reminders go out before it lapses; a later
attendance renews it. A sweep moves a lapsed credential to the admins to remove."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime

from flows.accounts import HmisAccount
from flows.community import CE_TRAINER, Agency, AgencyStatus, Community, Training
from flows.grants import CE_ASSESSOR, GRANT_SUBJECT, Grant
from flows.kinds.ce_assessor import nudges
from flows.kinds.ce_assessor.cards import (
    REQUESTER,
    STATE_LABELS,
    SUBJECT,
    AssessorCards,
    audiences,
)
from flows.kinds.ce_assessor.details import (
    ADMIN_STATES,
    NAME,
    OPEN_STATES,
    SUPERSEDED,
    AssessorDetails,
    AssessorRequest,
    AssessorState,
)
from flows.kinds.ce_assessor.form import ATTENDED, FORM_ID, assessor_form, read_attendance
from flows.kit.filing import read_account_at, refused
from flows.kit.forms import Problem, Problems, Reader
from flows.kit.kind import ADMIN, CardView, ReasonPrompt, RequestKind, Step
from flows.kit.machine import Machine
from flows.kit.people import PERSON
from flows.model import Actor, AuditEvent, Filing, Subject
from flows.nudges.cutoffs import Cutoffs
from flows.nudges.letters import Letter
from flows.nudges.rules import RequestRule
from flows.outcomes import Accepted, FieldErrors, OpenForm, Outcome
from flows.ports import FormValues
from flows.ui import Card, Notice

Run = Machine[AssessorDetails]
NOT_OFFERED = (
    "Your HMIS community does not run Coordinated Entry assessor access through this bot. Ask "
    "the HMIS help desk."
)
NOT_ALLOWED = (
    "Only your agency's Coordinated Entry trainer can request assessor access, and the HMIS "
    "directory does not list you as one. Ask your agency lead, who can name a CE trainer."
)
NOT_PARTICIPATING = (
    "Assessor access is for staff of approved HMIS participating agencies; your agency is not "
    "approved yet."
)


class AssessorKind(RequestKind[AssessorDetails]):
    name = NAME
    command = "assessor"
    help = (
        "asks HMIS admins for Coordinated Entry assessor access for staff who attended the "
        "assessor training (CE trainers)"
    )
    title = "Coordinated Entry assessor access"
    details_model = AssessorDetails
    labels = STATE_LABELS
    open_states = frozenset(OPEN_STATES)
    admin_states = frozenset(ADMIN_STATES)
    forms = frozenset({FORM_ID})
    withdrawn_state = AssessorState.WITHDRAWN

    # Filing ---------------------------------------------------------------------------------

    def open_form(self, machine: Run, actor: Actor, account: HmisAccount | None = None) -> Outcome:
        training = machine.community.assessor_training()
        refusal = self._not_allowed(machine, actor, "open_form", training)
        if refusal is not None or training is None:
            return refusal or Notice(NOT_OFFERED)
        agencies = _trained_for(machine.community, actor.email)
        return OpenForm(assessor_form(training, agencies, machine.ledger, actor.email))

    def _not_allowed(
        self, machine: Run, actor: Actor, verb: str, training: Training | None
    ) -> Notice | None:
        if training is None:
            return machine.refuse(actor, verb, "not_offered", None, NOT_OFFERED)
        trainer_of = [a for a in machine.community.agencies if actor.email in a.holding(CE_TRAINER)]
        if not trainer_of:
            return machine.refuse(actor, verb, "not_authorized", None, NOT_ALLOWED)
        if not _trained_for(machine.community, actor.email):
            return machine.refuse(actor, verb, "agency_not_participating", None, NOT_PARTICIPATING)
        return None

    def submit(
        self, machine: Run, actor: Actor, form_id: str, context: str, values: FormValues
    ) -> Outcome:
        training = machine.community.assessor_training()
        refusal = self._not_allowed(machine, actor, "file", training)
        if refusal is not None or training is None:
            return refusal or Notice(NOT_OFFERED)
        reader, problems = Reader(values), dict[str, Problem]()
        now = machine.ledger.now()
        account = read_account_at(
            reader,
            machine.community,
            machine.ledger,
            _trained_for(machine.community, actor.email),
            filer=actor.email,
            problems=problems,
        )
        day = read_attendance(reader, machine.calendar, now, problems)
        details = None
        if account is not None and day is not None:
            details = self._credential(machine, training, account, day, problems)
        if problems or account is None or details is None:
            return refused(machine, actor, problems)
        filing = Filing(
            kind=NAME,
            state=AssessorState.AWAITING_ADMIN,
            requester_email=actor.email,
            subject_email=account.email,
            subject_name=account.name,
            agency_id=account.agency_id,
            details=details,
            parties={REQUESTER: actor.email, SUBJECT: account.email},
            open_key=account.email,
        )
        attended = details.attended_on.isoformat()
        request = machine.file(actor, filing, {"agency": account.agency_id, "attended": attended})
        if request is None:
            machine.refuse(actor, "file", "duplicate", None, "")
            return FieldErrors({PERSON: f"{account.name} already has an open assessor request."})
        sla = machine.community.deadlines.approval
        return Accepted(
            Notice(
                f"Request #{request.id} filed: Coordinated Entry assessor access for "
                f"{account.name}. HMIS admins add it within {sla}."
            )
        )

    @staticmethod
    def _credential(
        machine: Run, training: Training, account: HmisAccount, day: date, problems: Problems
    ) -> AssessorDetails | None:
        """The credential an attendance on ``day`` gives: refused when it has lapsed already,
        or when the person holds one that lasts as long."""
        calendar, now = machine.calendar, machine.ledger.now()
        attended_at = calendar.end_of(day)
        expires = calendar.deadline(attended_at, training.valid_for) if training.valid_for else None
        if expires is not None and expires <= now:
            problems[ATTENDED] = Problem(
                "lapsed",
                f"An attendance on {calendar.day(attended_at)} lapsed {calendar.when(expires)} "
                f"({training.name} is valid for {training.valid_for}); they need to attend again.",
            )
            return None
        held = _held(machine, account.email)
        if held is not None and (
            held.expires_at is None or (expires and held.expires_at >= expires)
        ):
            until = f" until {calendar.when(held.expires_at)}" if held.expires_at else ""
            problems[ATTENDED] = Problem(
                "already_granted", f"{account.name} already has assessor access{until}."
            )
            return None
        return AssessorDetails(
            training_id=training.id,
            training_name=training.name,
            attended_on=day,
            attended_at=attended_at,
            expires_at=expires,
            account_id=account.id,
        )

    # Steps ----------------------------------------------------------------------------------

    def steps(self) -> Mapping[str, Step[AssessorDetails]]:
        waiting = frozenset({AssessorState.AWAITING_ADMIN})
        return {
            "confirm": Step(
                ADMIN,
                waiting,
                self._confirm,
                refusal="Only HMIS admins can confirm that assessor access was added.",
            ),
            "deny": Step(
                ADMIN,
                waiting,
                self._deny,
                reason=ReasonPrompt(
                    "Deny assessor access", "Reason (the CE trainer will see it)", "Deny"
                ),
            ),
            "withdraw": Step(
                REQUESTER,
                waiting,
                self._withdraw,
                refusal="Only the CE trainer who filed the request can withdraw it.",
            ),
            "remove": Step(
                ADMIN,
                frozenset({AssessorState.LAPSED}),
                self._remove,
                refusal="Only HMIS admins can confirm that assessor access was removed.",
            ),
        }

    def _confirm(
        self, machine: Run, actor: Actor, request: AssessorRequest, _arg: str, _reason: str
    ) -> Outcome:
        active = AssessorState.ACTIVE
        if machine.move(request, actor, active, "confirm", decided=True) is None:
            return machine.lost_race(actor, request, "confirm")
        details = request.details
        self._supersede(machine, actor, request)
        grant = machine.ledger.add_grant(
            request.subject_email, CE_ASSESSOR, "", request.id, details.expires_at
        )
        machine.ledger.record_training_report(
            request.id, details.training_id, request.requester_email, details.attended_at
        )
        _audit_grant(machine, actor, "grant.added", grant, request)
        until = f" until {machine.calendar.when(details.expires_at)}" if details.expires_at else ""
        return Notice(f"Recorded: {request.subject_name} is a Coordinated Entry assessor{until}.")

    def _supersede(self, machine: Run, actor: Actor, request: AssessorRequest) -> None:
        """End the credential this one renews, and move the request that added it on."""
        held = _held(machine, request.subject_email)
        if held is None:
            return
        ended = machine.ledger.end_grant(held, actor.email)
        _audit_grant(machine, actor, "grant.ended", ended, request)
        earlier = machine.get(held.request_id) if held.request_id is not None else None
        if earlier is None or earlier.state not in SUPERSEDED:
            return
        renewed = earlier.details.model_copy(update={"renewed_by": request.id})
        reason = f"renewed by request #{request.id}"
        machine.move(earlier, actor, AssessorState.RENEWED, "renew", reason=reason, details=renewed)

    def _deny(
        self, machine: Run, actor: Actor, request: AssessorRequest, _arg: str, reason: str
    ) -> Outcome:
        to_state = AssessorState.DENIED
        if machine.move(request, actor, to_state, "deny", reason=reason, decided=True) is None:
            return machine.lost_race(actor, request, "deny")
        return Notice(f"Request #{request.id} for {request.subject_name} denied.")

    def _withdraw(
        self, machine: Run, actor: Actor, request: AssessorRequest, _arg: str, _reason: str
    ) -> Outcome:
        to_state = AssessorState.WITHDRAWN
        if machine.move(request, actor, to_state, "withdraw", decided=True) is None:
            return machine.lost_race(actor, request, "withdraw")
        return Notice(f"Request #{request.id} for {request.subject_name} withdrawn.")

    def _remove(
        self, machine: Run, actor: Actor, request: AssessorRequest, _arg: str, _reason: str
    ) -> Outcome:
        removed = AssessorState.REMOVED
        if machine.move(request, actor, removed, "remove", decided=True) is None:
            return machine.lost_race(actor, request, "remove")
        held = _held(machine, request.subject_email)
        if held is not None and held.request_id == request.id:
            ended = machine.ledger.end_grant(held, actor.email)
            _audit_grant(machine, actor, "grant.ended", ended, request)
        return Notice(f"Recorded: {request.subject_name}'s assessor access is removed.")

    # Cards ----------------------------------------------------------------------------------

    def audiences(
        self, community: Community, request: AssessorRequest
    ) -> list[tuple[str, str | None]]:
        return audiences(community, request)

    def audience_of(self, request: AssessorRequest, email: str) -> str:
        return SUBJECT if email == request.subject_email else REQUESTER

    def render(self, view: CardView, request: AssessorRequest, audience: str) -> Card:
        return AssessorCards(view).render(request, audience)

    # Nudges ---------------------------------------------------------------------------------

    def nudge_rules(self, community: Community, cutoffs: Cutoffs) -> Iterable[RequestRule]:
        return nudges.rules(community, cutoffs)

    def letters(
        self,
        view: CardView,
        nudge: str,
        request: AssessorRequest,
        occurrence: datetime,
        now: datetime,
    ) -> list[Letter]:
        return nudges.letters(view, nudge, request, occurrence, now)


def _trained_for(community: Community, email: str) -> list[Agency]:
    """The participating agencies whose CE trainer the person is."""
    return [
        a
        for a in community.agencies
        if email in a.holding(CE_TRAINER) and a.status is AgencyStatus.APPROVED
    ]


def _held(machine: Run, email: str) -> Grant | None:
    return next((g for g in machine.ledger.grants_of(email) if g.kind == CE_ASSESSOR), None)


def _audit_grant(
    machine: Run, actor: Actor, action: str, grant: Grant | None, request: AssessorRequest
) -> None:
    subject = Subject(GRANT_SUBJECT, str(grant.id)) if grant else Subject.request(request.id)
    machine.ledger.audit(
        AuditEvent(
            actor,
            action,
            "ok" if grant else "refused",
            subject,
            {"kind": CE_ASSESSOR, "request": str(request.id)},
        )
    )
