"""The New Program Request state machine: filed by a lead of a participating agency, built (or
changed) in HMIS and confirmed by an HMIS admin, or denied with a reason."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from flows.accounts import HmisAccount
from flows.community import Agency, AgencyStatus, Community
from flows.kinds.program import nudges
from flows.kinds.program.cards import ADMINS, REQUESTER, STATE_LABELS, ProgramCards
from flows.kinds.program.details import (
    ADMIN_STATES,
    NAME,
    OPEN_STATES,
    ProgramChange,
    ProgramDetails,
    ProgramRequest,
    ProgramState,
)
from flows.kinds.program.form import (
    CHANGE,
    FORM_ID,
    MAX_PROGRAM_NAME,
    NEEDS,
    PROGRAM,
    program_form,
)
from flows.kit.filing import read_agency, refused
from flows.kit.forms import Problem, Problems, Reader, check_free_text
from flows.kit.kind import ADMIN, CardView, ReasonPrompt, RequestKind, Step
from flows.kit.machine import Machine
from flows.model import Actor, Filing
from flows.nudges.cutoffs import Cutoffs
from flows.nudges.letters import Letter
from flows.nudges.rules import RequestRule
from flows.outcomes import Accepted, FieldErrors, OpenForm, Outcome
from flows.ports import FormValues
from flows.ui import Card, Notice

Run = Machine[ProgramDetails]
NOT_ALLOWED = (
    "Only an agency's lead (its Technical Administrator) can ask for a program to be built or "
    "changed in HMIS, and the HMIS directory does not list you as one. Ask your agency lead."
)
NOT_PARTICIPATING = (
    "Programs are built once HMIS has approved your agency as a participating agency; yours is "
    "not approved yet. Ask HMIS about your agency's onboarding."
)


class ProgramKind(RequestKind[ProgramDetails]):
    name = NAME
    command = "program"
    help = "asks HMIS admins to build a program in HMIS, or change one (agency leads)"
    title = "New Program Request"
    details_model = ProgramDetails
    labels = STATE_LABELS
    open_states = frozenset(OPEN_STATES)
    admin_states = frozenset(ADMIN_STATES)
    forms = frozenset({FORM_ID})
    parties = (REQUESTER,)

    def parties_of(self, request: ProgramRequest) -> Mapping[str, str]:
        return {REQUESTER: request.requester_email}

    # Filing ---------------------------------------------------------------------------------

    def open_form(self, machine: Run, actor: Actor, account: HmisAccount | None = None) -> Outcome:
        led = _led_by(machine.community, actor.email)
        if not led:
            return machine.refuse(actor, "open_form", "not_authorized", None, NOT_ALLOWED)
        participating = [a for a in led if a.status is AgencyStatus.APPROVED]
        if not participating:
            return machine.refuse(
                actor, "open_form", "agency_not_participating", None, NOT_PARTICIPATING
            )
        return OpenForm(program_form(participating))

    def submit(
        self, machine: Run, actor: Actor, form_id: str, context: str, values: FormValues
    ) -> Outcome:
        led = _led_by(machine.community, actor.email)
        if not led:
            return machine.refuse(actor, "file", "not_authorized", None, NOT_ALLOWED)
        reader, problems = Reader(values), dict[str, Problem]()
        year = machine.calendar.local(machine.ledger.now()).year
        agency = read_agency(reader, led, problems)
        program = check_free_text(reader, PROGRAM, problems, year, limit=MAX_PROGRAM_NAME)
        change = _read_change(reader, problems)
        needs = check_free_text(reader, NEEDS, problems, year)
        _required(program, PROGRAM, "Name the program.", problems)
        _required(needs, NEEDS, "Say what needs to be built or changed.", problems)
        if problems or agency is None or change is None:
            return refused(machine, actor, problems)
        filing = Filing(
            kind=NAME,
            state=ProgramState.AWAITING_ADMIN,
            requester_email=actor.email,
            subject_email="",
            subject_name=program,
            agency_id=agency.id,
            details=ProgramDetails(change=change, needs=needs),
            parties={REQUESTER: actor.email},
            open_key=f"{agency.id}:{' '.join(program.casefold().split())}",
        )
        request = machine.file(actor, filing, {"agency": agency.id, "change": change})
        if request is None:
            machine.refuse(actor, "file", "duplicate", None, "")
            return FieldErrors({PROGRAM: f"{program} already has an open request."})
        sla = machine.community.deadlines.approval
        return Accepted(
            Notice(
                f"Request #{request.id} filed: program {program} at {agency.name}. HMIS admins "
                f"build it within {sla}; you will see each step in your messages from this bot."
            )
        )

    # Steps ----------------------------------------------------------------------------------

    def steps(self) -> Mapping[str, Step[ProgramDetails]]:
        waiting = frozenset({ProgramState.AWAITING_ADMIN})
        return {
            "confirm": Step(
                ADMIN,
                waiting,
                self._confirm,
                refusal="Only HMIS admins can confirm that a program is built in HMIS.",
            ),
            "deny": Step(
                ADMIN,
                waiting,
                self._deny,
                reason=ReasonPrompt(
                    "Deny New Program Request", "Reason (the requester will see it)", "Deny"
                ),
            ),
            "withdraw": Step(
                REQUESTER,
                waiting,
                self._withdraw,
                refusal="Only the person who filed the request can withdraw it.",
            ),
        }

    def _confirm(
        self, machine: Run, actor: Actor, request: ProgramRequest, _arg: str, _reason: str
    ) -> Outcome:
        built = ProgramState.BUILT
        if machine.move(request, actor, built, "confirm", decided=True) is None:
            return machine.lost_race(actor, request, "confirm")
        return Notice(f"Recorded: program {request.subject_name} is built in HMIS.")

    def _deny(
        self, machine: Run, actor: Actor, request: ProgramRequest, _arg: str, reason: str
    ) -> Outcome:
        to_state = ProgramState.DENIED
        if machine.move(request, actor, to_state, "deny", reason=reason, decided=True) is None:
            return machine.lost_race(actor, request, "deny")
        return Notice(f"Request #{request.id} for program {request.subject_name} denied.")

    def _withdraw(
        self, machine: Run, actor: Actor, request: ProgramRequest, _arg: str, _reason: str
    ) -> Outcome:
        to_state = ProgramState.WITHDRAWN
        if machine.move(request, actor, to_state, "withdraw", decided=True) is None:
            return machine.lost_race(actor, request, "withdraw")
        return Notice(f"Request #{request.id} for program {request.subject_name} withdrawn.")

    # Cards ----------------------------------------------------------------------------------

    def audiences(
        self, community: Community, request: ProgramRequest
    ) -> list[tuple[str, str | None]]:
        return [(ADMINS, None), (REQUESTER, request.requester_email)]

    def audience_of(self, request: ProgramRequest, email: str) -> str:
        return REQUESTER

    def render(self, view: CardView, request: ProgramRequest, audience: str) -> Card:
        return ProgramCards(view).render(request, audience)

    # Nudges ---------------------------------------------------------------------------------

    def nudge_rules(self, community: Community, cutoffs: Cutoffs) -> Iterable[RequestRule]:
        return nudges.rules(community, cutoffs)

    def letters(
        self,
        view: CardView,
        nudge: str,
        request: ProgramRequest,
        occurrence: datetime,
        now: datetime,
    ) -> list[Letter]:
        return nudges.letters(view, nudge, request, occurrence, now)


def _led_by(community: Community, email: str) -> list[Agency]:
    return [a for a in community.agencies if email in a.leads]


def _read_change(reader: Reader, problems: Problems) -> ProgramChange | None:
    text = reader.text(CHANGE)
    try:
        return ProgramChange(text)
    except ValueError:
        problems[CHANGE] = Problem("missing" if not text else "invalid", "Pick new or changed.")
        return None


def _required(text: str, field: str, message: str, problems: Problems) -> None:
    if not text and field not in problems:
        problems[field] = Problem("missing", message)
