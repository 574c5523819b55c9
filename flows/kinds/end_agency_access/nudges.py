"""Ending additional agency access is clocked like a deactivation: the admin channel is
reminded once when it has waited longer than the community's ``deadlines.deactivation``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from flows.community import Community
from flows.kinds.end_agency_access.cards import EndAccessCards
from flows.kinds.end_agency_access.details import NAME, EndAccessRequest, EndAccessState
from flows.kit.cards import waiting_on_admins
from flows.kit.kind import CardView
from flows.nudges.cutoffs import Cutoffs
from flows.nudges.letters import Letter
from flows.nudges.rules import RequestClock, RequestRule

SLA_LAPSED = "end_agency_access_sla"


def rules(community: Community, at: Cutoffs) -> Iterator[RequestRule]:
    yield RequestRule(
        NAME,
        SLA_LAPSED,
        EndAccessState.AWAITING_ADMIN,
        RequestClock.STATE_ENTERED,
        at.since(community.deadlines.deactivation),
    )


def letters(
    view: CardView, nudge: str, request: EndAccessRequest, since: datetime, now: datetime
) -> list[Letter]:
    return [
        waiting_on_admins(
            view,
            request,
            what="ending additional agency access",
            todo="Remove the access in HMIS, then press Removed in HMIS on the request's card.",
            target=view.community.deadlines.deactivation,
            facts=EndAccessCards(view).facts(request),
            since=since,
            now=now,
        )
    ]
