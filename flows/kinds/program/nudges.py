"""A New Program Request's clock: the admin channel is reminded once when it has waited
longer than the community's approval SLA."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from flows.community import Community
from flows.kinds.program.cards import ProgramCards
from flows.kinds.program.details import NAME, ProgramRequest, ProgramState
from flows.kit.cards import waiting_on_admins
from flows.kit.kind import CardView
from flows.nudges.cutoffs import Cutoffs
from flows.nudges.letters import Letter
from flows.nudges.rules import RequestClock, RequestRule

SLA_LAPSED = "program_sla"


def rules(community: Community, at: Cutoffs) -> Iterator[RequestRule]:
    yield RequestRule(
        NAME,
        SLA_LAPSED,
        ProgramState.AWAITING_ADMIN,
        RequestClock.STATE_ENTERED,
        at.since(community.deadlines.approval),
    )


def letters(
    view: CardView, nudge: str, request: ProgramRequest, since: datetime, now: datetime
) -> list[Letter]:
    return [
        waiting_on_admins(
            view,
            request,
            what="New Program Request",
            todo="Build the program in HMIS, then press Built in HMIS on the request's card.",
            target=view.community.deadlines.approval,
            facts=ProgramCards(view).facts(request),
            since=since,
            now=now,
        )
    ]
