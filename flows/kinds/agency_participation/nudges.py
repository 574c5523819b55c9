"""An onboarding's clock: once every step is done, HMIS admins approve the agency within
``deadlines.approval`` or the admin channel is reminded with how long it has waited. No
published process gives the agency a clock for its steps, so none is kept."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from flows.calendar import how_long
from flows.community import Community
from flows.kinds.agency_participation.cards import ParticipationCards
from flows.kinds.agency_participation.details import (
    NAME,
    ParticipationRequest,
    ParticipationState,
)
from flows.kit.kind import CardView
from flows.nudges.cutoffs import Cutoffs
from flows.nudges.letters import Letter, Role
from flows.nudges.rules import RequestClock, RequestRule
from flows.ui import Card, Fact

SLA_LAPSED = "agency_approval_sla"


def rules(community: Community, at: Cutoffs) -> Iterator[RequestRule]:
    yield RequestRule(
        NAME,
        SLA_LAPSED,
        ParticipationState.READY,
        RequestClock.STATE_ENTERED,
        at.since(community.deadlines.approval),
    )


def letters(
    view: CardView, nudge: str, request: ParticipationRequest, since: datetime, now: datetime
) -> list[Letter]:
    waited = how_long(now - since)
    card = Card(
        title=f"Waiting on HMIS admins: approve {request.subject_name}",
        summary=f"{request.subject_name} has done every onboarding step and waited {waited}.",
        text=(
            f"Every onboarding step was done {view.when(since)} ({waited} ago); the "
            f"community's target is {view.community.deadlines.approval}. Press Approved on "
            "the onboarding card once the agency is set up in HMIS."
        ),
        facts=(*ParticipationCards(view).facts(request), Fact("Waiting since", view.when(since))),
    )
    return [Letter(Role.ADMINS, None, card)]
