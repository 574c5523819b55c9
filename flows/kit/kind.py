"""What a request kind declares. Subclass ``RequestKind`` and list it in the registry.

Hooks are named by what they do: ``steps`` says who may take which transition from which
states (the kit re-checks the clicker before a step runs), ``render`` draws a card for an
audience, ``after_*`` methods of a kind have effects beyond the request itself.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar, Generic, TypeVar, cast

from pydantic import BaseModel

from flows.accounts import HmisAccount
from flows.calendar import BusinessCalendar
from flows.community import Community
from flows.model import Actor, Request, StoredRequest
from flows.nudges.letters import Letter
from flows.nudges.rules import RequestRule
from flows.outcomes import Outcome
from flows.ports import FormValues, Ledger
from flows.ui import ActionCommand, Button, Card, CardList

if TYPE_CHECKING:
    from flows.kit.machine import Machine
    from flows.nudges.cutoffs import Cutoffs

M = TypeVar("M", bound=BaseModel)

ADMIN = "admin"
"""The party of steps only HMIS admins take, never on a request they filed or are the subject
of."""
REQUESTER = "requester"
SUBJECT = "subject"
START = "start"
"""The verb of a button that opens a kind's form about an account (``deactivation start 12 3``)."""

StepRun = Callable[["Machine[M]", Actor, Request[M], str, str], Outcome]
"""A step's work: (machine, actor, request, argument, reason) -> what the actor sees."""


@dataclass(frozen=True)
class ReasonPrompt:
    """Ask for a reason before the step runs (a denial: the requester will see it)."""

    title: str
    label: str
    submit: str


@dataclass(frozen=True)
class Step(Generic[M]):
    """A button a party may press in some states. ``exact_version`` refuses a click on a card
    older than the request (anything changed since it was drawn); without it only the state
    decides (a trainee's training buttons stay valid while others act)."""

    who: str
    states: frozenset[str]
    run: StepRun[M]
    exact_version: bool = True
    reason: ReasonPrompt | None = None
    refusal: str | Callable[[Request[M]], str] = ""
    """What someone who is not ``who`` is told (admins have a standard message)."""

    def refusal_for(self, request: Request[M]) -> str:
        return self.refusal(request) if callable(self.refusal) else self.refusal


def _no_profile_names(_email: str) -> str | None:
    return None


@dataclass(frozen=True)
class CardView:
    """What rendering needs: the community and its calendar, and the names chat profiles
    showed for people the directory does not name (``Ledger.person_name``; no clock)."""

    community: Community
    calendar: BusinessCalendar
    profile_names: Callable[[str], str | None] = _no_profile_names

    def when(self, moment: datetime | None) -> str:
        return self.calendar.when(moment)

    def name(self, email: str) -> str:
        """The directory's name, else the chat profile's, else the e-mail."""
        listed = self.community.display_name(email)
        return listed if listed != email else (self.profile_names(email) or email)

    def agency_name(self, agency_id: str) -> str:
        agency = self.community.agency(agency_id)
        return agency.name if agency else agency_id

    def role_name(self, role_id: str) -> str:
        role = self.community.access_role(role_id)
        return role.name if role else role_id


class RequestKind(ABC, Generic[M]):
    """One request kind. Class attributes declare it; methods draw and decide."""

    name: ClassVar[str]
    """Stored kind, the button flow name and the audit prefix: ``deactivation``."""
    command: ClassVar[str]
    """The word people type after the command: ``deactivate``."""
    help: ClassVar[str]
    """One line for help, in words for any platform."""
    title: ClassVar[str]
    """What the request is called on cards: ``Deactivation``."""
    details_model: ClassVar[type[BaseModel]]
    labels: ClassVar[Mapping[str, str]]
    """Every state's label as people read it."""
    open_states: ClassVar[frozenset[str]]
    admin_states: ClassVar[frozenset[str]]
    """States in which the request waits for HMIS admins: their queue and their SLA."""
    forms: ClassVar[frozenset[str]]
    """Ids of the forms this kind answers (each form id belongs to one kind)."""
    parties: ClassVar[tuple[str, ...]] = (REQUESTER, SUBJECT)
    """Roles people hold in a request of this kind; ``parties_of`` names who holds each."""
    account_action: ClassVar[str] = ""
    """Label of a button on each account in a lead's home view that opens this kind's form."""
    withdrawn_state: ClassVar[str | None] = None
    """Where an open request goes when the account it is about is deactivated (None: the
    kind's requests are left alone)."""

    def typed(self, request: StoredRequest | Request[M]) -> Request[M]:
        return cast("Request[M]", request.typed(self.details_model))

    def parties_of(self, request: Request[M]) -> Mapping[str, str]:
        """Who holds each role in this request, by role."""
        return {REQUESTER: request.requester_email, SUBJECT: request.subject_email}

    def holds(self, community: Community, request: Request[M], party: str, email: str) -> bool:
        """Whether the person holds ``party`` in the request. Override for a party several
        people hold at once, such as any lead of an agency (``parties_of`` names one each)."""
        return self.parties_of(request).get(party) == email

    # Filing ---------------------------------------------------------------------------------

    @abstractmethod
    def open_form(
        self, machine: Machine[M], actor: Actor, account: HmisAccount | None = None
    ) -> Outcome:
        """The kind's form for this person, or why they may not file; ``account`` when a
        button beside that account opened it."""

    @abstractmethod
    def submit(
        self, machine: Machine[M], actor: Actor, form_id: str, context: str, values: FormValues
    ) -> Outcome:
        """Validate and file, or the field errors."""

    # Transitions ----------------------------------------------------------------------------

    @abstractmethod
    def steps(self) -> Mapping[str, Step[M]]:
        """Every button verb this kind answers, with who may press it in which states."""

    def closes(self, state: str) -> bool:
        return state not in self.open_states

    def due_in(self, machine: Machine[M], request: Request[M], state: str) -> datetime | None:
        """The deadline of ``state`` for a request a sweep moves into it (None: none)."""
        return None

    # Cards ----------------------------------------------------------------------------------

    @abstractmethod
    def audiences(self, community: Community, request: Request[M]) -> list[tuple[str, str | None]]:
        """Everyone with a live card for the request now: (audience, e-mail or None for the
        admin channel)."""

    @abstractmethod
    def render(self, view: CardView, request: Request[M], audience: str) -> Card: ...

    # Hooks ----------------------------------------------------------------------------------

    def after_first_login(self, machine: Machine[M], email: str, source: str) -> None:
        """A login report shows this person's first HMIS login (``source`` names the report)."""

    def after_training_completed(
        self, machine: Machine[M], email: str, training_id: str, completed_at: datetime
    ) -> None:
        """The LMS shows this person completed a training at ``completed_at`` (still valid):
        a request of theirs waiting for it counts it as if they had reported it
        (``flows.kit.trainings.count_completion``)."""

    def audience_of(self, request: Request[M], email: str) -> str:
        """Which of the request's cards a person sees in their status list."""
        return self.admin_audience

    admin_audience: ClassVar[str] = "admins"

    def account_buttons(self, account: HmisAccount) -> tuple[Button, ...]:
        """The button beside an account in a lead's home view that opens this kind's form."""
        if not self.account_action:
            return ()
        command = ActionCommand(self.name, START, account.id, account.version)
        return (Button(self.account_action, command),)

    def home_lists(self, view: CardView, ledger: Ledger, actor: Actor) -> tuple[CardList, ...]:
        """Lists of this kind's own in a person's status and home view, after the rest (such
        as an agency's onboarding checklist for its leads); none by default."""
        return ()

    # Nudges ---------------------------------------------------------------------------------

    def nudge_rules(self, community: Community, cutoffs: Cutoffs) -> Iterable[RequestRule]:
        """The sweep rules that chase this kind's deadlines, state-changing ones first."""
        return ()

    def letters(
        self, view: CardView, nudge: str, request: Request[M], occurrence: datetime, now: datetime
    ) -> list[Letter]:
        """The messages a nudge of this kind sends, at ``now``, about the deadline or moment
        ``occurrence`` it counts from."""
        return []
