"""Requests staff file about themselves wait for a lead or supervisor of their agency to
endorse them, before any HMIS admin sees them (San Francisco brings the agency lead into staff
requests). A kind with such requests keeps an ``Endorsement`` in its details, adds the
``ENDORSER`` party (any of the agency's leads and supervisors but the person asking), its
endorsers' cards and the two steps here; what endorsing leads to is the kind's own.

Staff are the people whose HMIS account the bot holds at an agency where they neither lead nor
supervise. Nobody endorses their own request; every endorsement and decline is audited.

The endorsers are those of the request's agency, unless the ``Endorsement`` names another: a
staff member asking to see another agency's clients is endorsed by their own agency.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TypeVar

from pydantic import BaseModel, ConfigDict

from flows.accounts import HmisAccount
from flows.community import Community
from flows.kit.kind import CardView, ReasonPrompt, Step, StepRun
from flows.kit.machine import Machine
from flows.model import Actor, Request
from flows.nudges.cutoffs import Cutoffs
from flows.nudges.letters import Letter, Role, audience_for
from flows.nudges.rules import RequestClock, RequestRule
from flows.outcomes import Outcome
from flows.ports import Ledger
from flows.ui import ActionCommand, Button, ButtonStyle, Card, Fact, Notice

M = TypeVar("M", bound=BaseModel)

ENDORSER = "endorser"
"""The party of the endorsement steps: any lead or supervisor of the request's agency other
than the person who asked or whom it is about."""
ENDORSE = "endorse"
DECLINE = "decline"
REMINDER = "endorsement_reminder"
"""The nudge that reminds endorsers of a request still waiting for them."""
MAX_ENDORSER_PARTIES = 20  # whose status list shows the request; the rest still get its card

REFUSAL = (
    "Only a lead or supervisor of the person's agency can endorse or decline this request, "
    "and nobody endorses their own."
)
DECLINE_PROMPT = ReasonPrompt(
    "Decline request", "Reason (the person asking will see it)", "Decline"
)


class Endorsement(BaseModel):
    """A request waiting for, or given, a lead's endorsement (who and when, once given)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    endorsed_by: str | None = None
    endorsed_at: datetime | None = None
    agency_id: str = ""
    """The agency whose leads and supervisors endorse it, when not the request's own."""

    @property
    def given(self) -> bool:
        return self.endorsed_by is not None


class Endorsable(BaseModel):
    """The details of a kind whose staff may file for themselves: an ``Endorsement`` once they
    did (absent when a lead, supervisor or admin filed it)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    endorsement: Endorsement | None = None

    @property
    def self_filed(self) -> bool:
        return self.endorsement is not None

    @property
    def reached_admins(self) -> bool:
        """Filed by a lead (or admin), or endorsed by one: HMIS admins see it."""
        return self.endorsement is None or self.endorsement.given


E = TypeVar("E", bound=Endorsable)


def staff_account(community: Community, ledger: Ledger, email: str) -> HmisAccount | None:
    """The account of a staff member: held at an agency where they neither lead nor supervise
    (HMIS admins are never staff: they file for anyone)."""
    if community.is_admin(email):
        return None
    account = ledger.account_by_email(email)
    if account is None or not account.is_held:
        return None
    agency = community.agency(account.agency_id)
    if agency is None or agency.may_file_requests(email):
        return None
    return account


def endorsers(community: Community, agency_id: str, asking: Sequence[str] = ()) -> list[str]:
    """The agency's leads, then its supervisors, once each, leaving out the people asking."""
    agency = community.agency(agency_id)
    if agency is None:
        return []
    found = dict.fromkeys((*agency.leads, *agency.supervisors))
    return [email for email in found if email not in asking]


def endorsing_agency(request: Request[E]) -> str:
    """The agency whose leads and supervisors endorse the request."""
    endorsement = request.details.endorsement
    return (endorsement.agency_id if endorsement else "") or request.agency_id


def request_endorsers(community: Community, request: Request[E]) -> list[str]:
    asking = (request.requester_email, request.subject_email)
    return endorsers(community, endorsing_agency(request), asking)


def may_endorse(community: Community, request: Request[E], email: str) -> bool:
    return email in request_endorsers(community, request)


def endorser_parties(emails: Sequence[str]) -> dict[str, str]:
    """Filing parties naming each endorser, so the request is in their status list."""
    return {f"{ENDORSER}.{i}": email for i, email in enumerate(emails[:MAX_ENDORSER_PARTIES])}


def no_endorser(agency_name: str) -> str:
    return (
        f"{agency_name} has no agency lead or supervisor in the HMIS directory who could "
        "endorse your request. Ask the HMIS help desk to name one."
    )


def refuse_no_endorser(machine: Machine[M], actor: Actor, verb: str, agency_id: str) -> Notice:
    """Refuse (and audit) a staff member's own request their agency has nobody to endorse."""
    message = no_endorser(machine.view.agency_name(agency_id))
    return machine.refuse(actor, verb, "no_endorser", None, message)


def waiting_for(view: CardView, request: Request[E]) -> str:
    """Who the request waits for, by name: ``Rosa Lead or Sam Supervisor``."""
    names = [view.name(email) for email in request_endorsers(view.community, request)]
    if len(names) > 1:
        return f"{', '.join(names[:-1])} or {names[-1]}"
    return names[0] if names else "a lead or supervisor of the agency"


# Steps ----------------------------------------------------------------------------------------


def steps(states: frozenset[str], endorse: StepRun[M], decline: StepRun[M]) -> dict[str, Step[M]]:
    """The Endorse and Decline buttons of the endorsers' cards; Decline asks for a reason."""
    return {
        ENDORSE: Step(ENDORSER, states, endorse, refusal=REFUSAL),
        DECLINE: Step(ENDORSER, states, decline, reason=DECLINE_PROMPT, refusal=REFUSAL),
    }


def endorsed(waiting: Endorsement | None, actor: Actor, now: datetime) -> Endorsement:
    """The request's endorsement, given by ``actor`` now (keeping whose agency it names)."""
    return (waiting or Endorsement()).model_copy(
        update={"endorsed_by": actor.email, "endorsed_at": now}
    )


def decline(
    machine: Machine[M], actor: Actor, request: Request[M], to_state: str, reason: str
) -> Outcome:
    """Close the request with the endorser's reason, which the person asking sees."""
    if machine.move(request, actor, to_state, DECLINE, reason=reason, decided=True) is None:
        return machine.lost_race(actor, request, DECLINE)
    return Notice(
        f"Request #{request.id} from {request.subject_name} declined; they will see your reason."
    )


# Cards ----------------------------------------------------------------------------------------


def audiences(community: Community, request: Request[E]) -> list[tuple[str, str | None]]:
    """Each endorser's own card, by direct message."""
    return [
        (audience_for(Role.LEAD, email), email) for email in request_endorsers(community, request)
    ]


def is_endorser_audience(audience: str) -> bool:
    return audience.startswith(f"{Role.LEAD}.")


def endorser_card(
    view: CardView,
    request: Request[E],
    *,
    asks: str,
    waiting: bool,
    facts: Sequence[Fact],
    footer: str,
) -> Card:
    """An endorser's card: what the person asks for, with Endorse and Decline while it waits."""
    agency = view.agency_name(endorsing_agency(request))
    text = (
        f"{request.subject_name} asked for this themselves. As a lead or supervisor at "
        f"{agency}, endorse it to send it on to HMIS, or decline it with a reason they will see."
        if waiting
        else ""
    )
    return Card(
        title=f"{'Endorse request' if waiting else 'Request'} #{request.id}: "
        f"{request.subject_name} asks {asks}",
        summary=f"{request.subject_name} asks {asks}; "
        + ("waiting for your endorsement." if waiting else "no longer waiting for you."),
        text=text,
        facts=tuple(facts),
        buttons=(
            Button(
                "Endorse",
                ActionCommand(request.kind, ENDORSE, request.id, request.version),
                ButtonStyle.PRIMARY,
            ),
            Button(
                "Decline",
                ActionCommand(request.kind, DECLINE, request.id, request.version),
                ButtonStyle.DANGER,
            ),
        )
        if waiting
        else (),
        footer=footer,
    )


def endorsed_fact(view: CardView, endorsement: Endorsement | None) -> tuple[Fact, ...]:
    """``Endorsed by``, once someone endorsed the request."""
    if endorsement is None or endorsement.endorsed_by is None:
        return ()
    who = view.name(endorsement.endorsed_by)
    return (Fact("Endorsed by", f"{who}, {view.when(endorsement.endorsed_at)}"),)


def declined_line(view: CardView, request: Request[M]) -> str:
    who = view.name(request.decided_by) if request.decided_by else ""
    return (
        f"Declined by {who} on {view.when(request.decided_at)}. Reason: {request.decision_reason}"
    )


# Nudges ---------------------------------------------------------------------------------------


def reminder_rule(kind: str, state: str, community: Community, at: Cutoffs) -> RequestRule:
    """Endorsers are reminded once when a request has waited the community's staff
    verification window for them (a lead vouching for their own staff, like a verification)."""
    window = at.since(community.deadlines.staff_verification)
    return RequestRule(kind, REMINDER, state, RequestClock.STATE_ENTERED, window)


def reminder_letters(
    view: CardView,
    request: Request[E],
    asks: str,
    facts: Sequence[Fact],
    since: datetime,
) -> list[Letter]:
    card = Card(
        title=f"Waiting for your endorsement: request #{request.id} from {request.subject_name}",
        summary=f"{request.subject_name} asks {asks}; it has waited for an endorsement since "
        f"{view.when(since)}.",
        text=(
            "HMIS admins see it only once a lead or supervisor of the agency endorses it. "
            "Endorse or decline it on the request's card."
        ),
        facts=tuple(facts),
    )
    return [Letter(Role.LEAD, email, card) for email in request_endorsers(view.community, request)]
