"""Additional agency access's clocks: the admin channel is reminded once when a request has
waited longer than the community's approval SLA, and the endorsers of a staff member's own
request once it has waited for them the community's staff verification window."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from flows.community import Community
from flows.kinds.agency_access.cards import AgencyAccessCards
from flows.kinds.agency_access.details import NAME, AgencyAccessRequest, AgencyAccessState
from flows.kit import endorsement
from flows.kit.cards import waiting_on_admins
from flows.kit.kind import CardView
from flows.nudges.cutoffs import Cutoffs
from flows.nudges.letters import Letter
from flows.nudges.rules import RequestClock, RequestRule

SLA_LAPSED = "agency_access_sla"


def rules(community: Community, at: Cutoffs) -> Iterator[RequestRule]:
    yield RequestRule(
        NAME,
        SLA_LAPSED,
        AgencyAccessState.AWAITING_ADMIN,
        RequestClock.STATE_ENTERED,
        at.since(community.deadlines.approval),
    )
    yield endorsement.reminder_rule(NAME, AgencyAccessState.AWAITING_ENDORSEMENT, community, at)


def letters(
    view: CardView, nudge: str, request: AgencyAccessRequest, since: datetime, now: datetime
) -> list[Letter]:
    facts = AgencyAccessCards(view).facts(request)
    if nudge == endorsement.REMINDER:
        asks = f"to see {view.agency_name(request.agency_id)}'s clients"
        return endorsement.reminder_letters(view, request, asks, facts, since)
    return [
        waiting_on_admins(
            view,
            request,
            what="additional agency access",
            todo="Add the access in HMIS, then press Added in HMIS on the request's card.",
            target=view.community.deadlines.approval,
            facts=facts,
            since=since,
            now=now,
        )
    ]
