"""The reinstatement state machine: filed by a lead or supervisor of the person's agency (or an
HMIS admin), or by the person (then endorsed by a lead or supervisor of their agency first);
only an account disabled for inactivity qualifies. The community's ladder decides, by how long
it has been disabled, whether trainings come first; an HMIS admin confirms "Re-enabled in
HMIS", the account waits for its first login again (chased by the first-login nudges), and the
request is complete when the person logs in (their button, or a login report)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from flows.accounts import HmisAccount
from flows.community import Community
from flows.kinds.reinstatement import nudges
from flows.kinds.reinstatement.cards import (
    REQUESTER,
    STATE_LABELS,
    SUBJECT,
    ReinstatementCards,
    audiences,
)
from flows.kinds.reinstatement.details import (
    ADMIN_OPEN_STATES,
    ADMIN_STATES,
    NAME,
    OPEN_STATES,
    ReinstatementDetails,
    ReinstatementRequest,
    ReinstatementState,
)
from flows.kinds.reinstatement.form import (
    FORM_ID,
    NOTE,
    needs_text,
    not_reinstatable,
    own_reinstatement_form,
    read_account,
    reinstatement_form,
)
from flows.kinds.reinstatement.placement import REINSTATABLE, Placement, days_between, place
from flows.kit import endorsement, trainings
from flows.kit.endorsement import ENDORSER, Endorsement
from flows.kit.forms import Problem, Problems, Reader, check_free_text
from flows.kit.kind import ADMIN, START, CardView, ReasonPrompt, RequestKind, Step
from flows.kit.machine import Machine
from flows.kit.people import PERSON, PERSON_EMAIL, acting_agencies
from flows.ladder import Needs
from flows.model import Actor, AuditEvent, Filing, Subject
from flows.nudges.cutoffs import Cutoffs
from flows.nudges.letters import Letter, Role, audience_for
from flows.nudges.rules import RequestRule
from flows.outcomes import Accepted, FieldErrors, OpenForm, Outcome
from flows.ports import FormValues
from flows.ui import ActionCommand, Button, Card, Notice

Run = Machine[ReinstatementDetails]
NOT_ALLOWED = (
    "Only agency leads, supervisors and HMIS admins can ask for someone's HMIS account to be "
    "reinstated, or the person whose account it is; the bot knows no HMIS account of yours. "
    "Ask your agency lead or the HMIS help desk."
)


class ReinstatementKind(RequestKind[ReinstatementDetails]):
    name = NAME
    command = "reinstate"
    help = (
        "asks HMIS admins to re-enable an account disabled for inactivity: one of your "
        "agency's, or your own once your agency endorses it"
    )
    title = "Reinstatement"
    details_model = ReinstatementDetails
    labels = STATE_LABELS
    open_states = frozenset(OPEN_STATES)
    admin_states = frozenset(ADMIN_STATES)
    forms = frozenset({FORM_ID})
    account_action = "Reinstate"
    withdrawn_state = ReinstatementState.WITHDRAWN
    admin_audience = Role.ADMIN

    def holds(
        self, community: Community, request: ReinstatementRequest, party: str, email: str
    ) -> bool:
        if party == ENDORSER:
            return endorsement.may_endorse(community, request, email)
        return super().holds(community, request, party, email)

    def account_buttons(self, account: HmisAccount) -> tuple[Button, ...]:
        """Only beside accounts disabled for inactivity."""
        if account.status not in REINSTATABLE:
            return ()
        command = ActionCommand(self.name, START, account.id, account.version)
        return (Button(self.account_action, command),)

    # Filing ---------------------------------------------------------------------------------

    def open_form(self, machine: Run, actor: Actor, account: HmisAccount | None = None) -> Outcome:
        community = machine.community
        if acting_agencies(community, actor.email, NAME):
            return OpenForm(reinstatement_form(community, machine.ledger, actor.email, account))
        own = machine.ledger.account_by_email(actor.email)
        if own is None:
            return machine.refuse(actor, "open_form", "not_authorized", None, NOT_ALLOWED)
        why = not_reinstatable(own, "Your", machine.calendar)
        if why is not None:
            return machine.refuse(actor, "open_form", "not_disabled", None, why)
        endorsers = endorsement.endorsers(community, own.agency_id, (actor.email,))
        if not endorsers:
            return endorsement.refuse_no_endorser(machine, actor, "open_form", own.agency_id)
        plan = self._plan(machine, place(community, machine.calendar, own, machine.ledger.now()))
        names = " or ".join(machine.view.name(e) for e in endorsers)
        return OpenForm(own_reinstatement_form(community, plan, names))

    def submit(
        self, machine: Run, actor: Actor, form_id: str, context: str, values: FormValues
    ) -> Outcome:
        reader, problems = Reader(values), dict[str, Problem]()
        year = machine.calendar.local(machine.ledger.now()).year
        note = check_free_text(reader, NOTE, problems, year)
        if not acting_agencies(machine.community, actor.email, NAME):
            return self._submit_own(machine, actor, note, problems)
        account = read_account(reader, machine.community, machine.ledger, actor.email, problems)
        if account is not None:
            own = account.email == actor.email
            why = not_reinstatable(
                account, "Your" if own else f"{account.name}'s", machine.calendar
            )
            if why is not None:
                field = PERSON if reader.text(PERSON) else PERSON_EMAIL
                problems[field] = Problem("not_disabled", why)
        if problems or account is None:
            return _refused(machine, actor, problems)
        if account.email == actor.email:
            return self._file_own(machine, actor, account, note)
        filing = self._filing(machine, actor, account, note, endorsed=None)
        return self._file(machine, actor, filing, account)

    def _submit_own(self, machine: Run, actor: Actor, note: str, problems: Problems) -> Outcome:
        """The form without a person to pick: the filer's own account, re-checked."""
        account = machine.ledger.account_by_email(actor.email)
        if account is None:
            return machine.refuse(actor, "file", "not_authorized", None, NOT_ALLOWED)
        why = not_reinstatable(account, "Your", machine.calendar)
        if why is not None:
            return machine.refuse(actor, "file", "not_disabled", None, why)
        if problems:
            return _refused(machine, actor, problems)
        return self._file_own(machine, actor, account, note)

    def _file_own(self, machine: Run, actor: Actor, account: HmisAccount, note: str) -> Outcome:
        """The person asks for their own account: a lead or supervisor endorses it first."""
        endorsers = endorsement.endorsers(machine.community, account.agency_id, (actor.email,))
        if not endorsers:
            return endorsement.refuse_no_endorser(machine, actor, "file", account.agency_id)
        filing = self._filing(machine, actor, account, note, endorsed=Endorsement())
        parties = {**filing.parties, **endorsement.endorser_parties(endorsers)}
        return self._file(machine, actor, _with(filing, parties), account)

    def _filing(
        self,
        machine: Run,
        actor: Actor,
        account: HmisAccount,
        note: str,
        endorsed: Endorsement | None,
    ) -> Filing:
        placement = place(machine.community, machine.calendar, account, machine.ledger.now())
        details = ReinstatementDetails(
            account_id=account.id,
            access_role_id=account.access_role_id,
            disabled_since=placement.since,
            disabled_confirmed=placement.confirmed,
            needs=placement.step.needs,
            step_after=str(placement.step.after),
            trainings=placement.trainings,
            note=note,
            endorsement=endorsed,
        )
        state, due = ReinstatementState.AWAITING_ENDORSEMENT, None
        if endorsed is None:
            details, state, due = self._next(machine, details)
        return Filing(
            kind=NAME,
            state=state,
            requester_email=actor.email,
            subject_email=account.email,
            subject_name=account.name,
            agency_id=account.agency_id,
            details=details,
            parties={REQUESTER: actor.email, SUBJECT: account.email},
            open_key=account.email,
            due_at=due,
        )

    def _next(
        self, machine: Run, details: ReinstatementDetails
    ) -> tuple[ReinstatementDetails, ReinstatementState, datetime | None]:
        """Trainings first, with their deadline from now, or straight to the admins."""
        if not details.trainings:
            return details, ReinstatementState.AWAITING_ADMIN, None
        now, deadlines = machine.ledger.now(), machine.community.deadlines
        due = machine.calendar.deadline(now, deadlines.training)
        return (
            details.model_copy(update={"training_due": due}),
            ReinstatementState.TRAINING,
            due,
        )

    def _file(self, machine: Run, actor: Actor, filing: Filing, account: HmisAccount) -> Outcome:
        details = filing.details
        assert isinstance(details, ReinstatementDetails)
        audit = {"agency": filing.agency_id, "needs": details.needs.value}
        if details.self_filed:
            audit["endorsement"] = "needed"  # filed by the person: their agency endorses it
        request = machine.file(actor, filing, audit)
        if request is None:
            who = "Your account" if details.self_filed else f"{account.name}'s account"
            message = f"{who} already has an open reinstatement request; nothing new was filed."
            return machine.refuse(actor, "file", "duplicate", None, message)
        return Accepted(Notice(self._filed(machine, request)))

    def _filed(self, machine: Run, request: ReinstatementRequest) -> str:
        if request.state == ReinstatementState.AWAITING_ENDORSEMENT:
            who = endorsement.waiting_for(machine.view, request)
            return (
                f"Request #{request.id} sent: {who} will be asked to endorse it; once endorsed, "
                "it goes to HMIS. You will see each step in your messages from this bot."
            )
        return f"Request #{request.id} filed. {self._next_step(machine, request)}"

    def _next_step(self, machine: Run, request: ReinstatementRequest) -> str:
        details, name = request.details, request.subject_name
        since = machine.calendar.day(details.disabled_since)
        days = days_between(machine.calendar, details.disabled_since, machine.ledger.now())
        first = f"{name}'s account has been disabled since {since} ({days} days)"
        if request.state == ReinstatementState.TRAINING:
            names = ", ".join(t.name for t in ReinstatementCards(machine.view).trainings(request))
            return (
                f"{first}, so {name} takes {names} first (by "
                f"{machine.calendar.when(details.training_due)}); then HMIS admins re-enable it."
            )
        deadlines = machine.community.deadlines
        return (
            f"{first}. HMIS admins re-enable it within {deadlines.approval}; then {name} logs "
            f"in within {deadlines.first_login}."
        )

    def _plan(self, machine: Run, placement: Placement) -> str:
        """What the person's own account needs, for their form."""
        since = machine.calendar.day(placement.since)
        days = days_between(machine.calendar, placement.since, machine.ledger.now())
        needs = Needs.TRAININGS if placement.trainings else Needs.RE_ENABLE
        what = needs_text(machine.community, needs, placement.trainings)
        return f"Your HMIS account has been disabled since {since} ({days} days): {what}."

    # Steps ----------------------------------------------------------------------------------

    def steps(self) -> Mapping[str, Step[ReinstatementDetails]]:
        return {
            "trained": Step(
                SUBJECT,
                frozenset({ReinstatementState.TRAINING}),
                self._trained,
                exact_version=False,
                refusal="Only the person whose account it is can report their own trainings.",
            ),
            "reenable": Step(
                ADMIN,
                frozenset({ReinstatementState.AWAITING_ADMIN}),
                self._reenable,
                refusal="Only HMIS admins can confirm that an account is re-enabled.",
            ),
            "deny": Step(
                ADMIN,
                frozenset(ADMIN_OPEN_STATES),
                self._deny,
                reason=ReasonPrompt(
                    "Deny reinstatement", "Reason (the requester will see it)", "Deny"
                ),
            ),
            "withdraw": Step(
                REQUESTER,
                self.open_states,
                self._withdraw,
                refusal="Only the person who filed the request can withdraw it.",
            ),
            "logged_in": Step(
                SUBJECT,
                frozenset({ReinstatementState.REENABLED}),
                self._logged_in,
                refusal="Only the person whose account it is can confirm their own login.",
            ),
            **endorsement.steps(
                frozenset({ReinstatementState.AWAITING_ENDORSEMENT}), self._endorse, self._decline
            ),
        }

    def _endorse(
        self, machine: Run, actor: Actor, request: ReinstatementRequest, _arg: str, _reason: str
    ) -> Outcome:
        """Endorsed: the ladder is read again as of now, and the request goes on from there."""
        account = self._disabled_account(machine, actor, request, endorsement.ENDORSE)
        if isinstance(account, Notice):
            return account
        placement = place(machine.community, machine.calendar, account, machine.ledger.now())
        details = request.details.model_copy(
            update={
                "disabled_since": placement.since,
                "disabled_confirmed": placement.confirmed,
                "needs": placement.step.needs,
                "step_after": str(placement.step.after),
                "trainings": placement.trainings,
                "endorsement": endorsement.endorsed(
                    request.details.endorsement, actor, machine.ledger.now()
                ),
            }
        )
        details, state, due = self._next(machine, details)
        moved = machine.move(
            request, actor, state, endorsement.ENDORSE, details=details, due_at=due
        )
        if moved is None:
            return machine.lost_race(actor, request, endorsement.ENDORSE)
        return Notice(
            f"Endorsed: request #{request.id} for {request.subject_name}. "
            f"{self._next_step(machine, moved)}"
        )

    def _decline(
        self, machine: Run, actor: Actor, request: ReinstatementRequest, _arg: str, reason: str
    ) -> Outcome:
        return endorsement.decline(machine, actor, request, ReinstatementState.DECLINED, reason)

    def _trained(
        self, machine: Run, actor: Actor, request: ReinstatementRequest, training_id: str, _r: str
    ) -> Outcome:
        account = machine.ledger.account_by_email(request.subject_email)
        role = machine.community.access_role(account.access_role_id) if account else None
        return trainings.report(
            machine,
            actor,
            request,
            training_id,
            needs=trainings.chased(
                role.needs(before=None) if role else (), request.details.trainings
            ),
            next_state=ReinstatementState.AWAITING_ADMIN,
            done="All trainings reported. HMIS will re-enable your account.",
            not_asked="That training is not one this reinstatement asks for.",
        )

    def _reenable(
        self, machine: Run, actor: Actor, request: ReinstatementRequest, _arg: str, _reason: str
    ) -> Outcome:
        """The account is re-enabled in HMIS: it waits for its first login again, with a new
        first-login deadline, which the first-login nudges chase."""
        account = self._disabled_account(machine, actor, request, "reenable")
        if isinstance(account, Notice):
            return account
        now = machine.ledger.now()
        due = machine.calendar.deadline(now, machine.community.deadlines.first_login)
        details = request.details.model_copy(update={"first_login_due": due})
        to_state = ReinstatementState.REENABLED
        moved = machine.move(
            request, actor, to_state, "reenable", decided=True, details=details, due_at=due
        )
        if moved is None:
            return machine.lost_race(actor, request, "reenable")
        reinstated = machine.ledger.reinstate_account(account, due)
        machine.ledger.audit(
            AuditEvent(
                actor,
                "account.reinstated",
                "ok" if reinstated else "refused",
                Subject.account(account.id),
                {"from": account.status, "request": str(request.id)},
            )
        )
        return Notice(
            f"Recorded: {request.subject_name}'s HMIS account is re-enabled; they are asked to "
            f"log in by {machine.calendar.when(due)}."
        )

    def _disabled_account(
        self, machine: Run, actor: Actor, request: ReinstatementRequest, verb: str
    ) -> HmisAccount | Notice:
        """The person's account, still disabled for inactivity; else why not, audited."""
        account = machine.ledger.account_by_email(request.subject_email)
        if account is None:
            message = (
                f"The bot no longer has an HMIS account on record for {request.subject_name}. "
                "Nothing was changed."
            )
            return machine.refuse(actor, verb, "unknown_account", request.id, message)
        why = not_reinstatable(account, f"{request.subject_name}'s", machine.calendar)
        if why is not None:
            advice = " Deny the request with that reason." if verb == "reenable" else ""
            return machine.refuse(actor, verb, "not_disabled", request.id, why + advice)
        return account

    def _deny(
        self, machine: Run, actor: Actor, request: ReinstatementRequest, _arg: str, reason: str
    ) -> Outcome:
        to_state = ReinstatementState.DENIED
        if machine.move(request, actor, to_state, "deny", reason=reason, decided=True) is None:
            return machine.lost_race(actor, request, "deny")
        return Notice(f"Request #{request.id} for {request.subject_name} denied.")

    def _withdraw(
        self, machine: Run, actor: Actor, request: ReinstatementRequest, _arg: str, _reason: str
    ) -> Outcome:
        to_state = ReinstatementState.WITHDRAWN
        if machine.move(request, actor, to_state, "withdraw", decided=True) is None:
            return machine.lost_race(actor, request, "withdraw")
        return Notice(f"Request #{request.id} for {request.subject_name} withdrawn.")

    def _logged_in(
        self, machine: Run, actor: Actor, request: ReinstatementRequest, _arg: str, _reason: str
    ) -> Outcome:
        if machine.move(request, actor, ReinstatementState.REINSTATED, "logged_in") is None:
            return machine.lost_race(actor, request, "logged_in")
        machine.ledger.activate_account(request.subject_email)
        return Notice("Thanks. Your HMIS account is active again.")

    def after_first_login(self, machine: Run, email: str, source: str) -> None:
        """A login report shows the person logged in after the account was re-enabled: the
        request is complete, as if they had pressed "I've logged in"."""
        for stored in machine.ledger.requests_about(email, (NAME,)):
            if stored.state == ReinstatementState.REENABLED:
                machine.move(self.typed(stored), source, ReinstatementState.REINSTATED, "logged_in")

    # Cards ----------------------------------------------------------------------------------

    def audiences(
        self, community: Community, request: ReinstatementRequest
    ) -> list[tuple[str, str | None]]:
        return audiences(community, request)

    def audience_of(self, request: ReinstatementRequest, email: str) -> str:
        if email == request.subject_email:
            return SUBJECT
        if email == request.requester_email:
            return REQUESTER
        return audience_for(Role.LEAD, email)

    def render(self, view: CardView, request: ReinstatementRequest, audience: str) -> Card:
        return ReinstatementCards(view).render(request, audience)

    # Nudges ---------------------------------------------------------------------------------

    def nudge_rules(self, community: Community, cutoffs: Cutoffs) -> Iterable[RequestRule]:
        return nudges.rules(community, cutoffs)

    def letters(
        self,
        view: CardView,
        nudge: str,
        request: ReinstatementRequest,
        occurrence: datetime,
        now: datetime,
    ) -> list[Letter]:
        return nudges.letters(view, nudge, request, occurrence, now)


def _with(filing: Filing, parties: Mapping[str, str]) -> Filing:
    return Filing(
        kind=filing.kind,
        state=filing.state,
        requester_email=filing.requester_email,
        subject_email=filing.subject_email,
        subject_name=filing.subject_name,
        agency_id=filing.agency_id,
        details=filing.details,
        parties=parties,
        open_key=filing.open_key,
        due_at=filing.due_at,
    )


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
