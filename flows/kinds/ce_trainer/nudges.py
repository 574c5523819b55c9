"""A CE trainer designation's clock: the admin channel is reminded once when it has waited
longer than the community's approval SLA."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from flows.community import Community
from flows.kinds.ce_trainer.cards import CeTrainerCards
from flows.kinds.ce_trainer.details import NAME, CeTrainerRequest, CeTrainerState
from flows.kit.cards import waiting_on_admins
from flows.kit.kind import CardView
from flows.nudges.cutoffs import Cutoffs
from flows.nudges.letters import Letter
from flows.nudges.rules import RequestClock, RequestRule

SLA_LAPSED = "ce_trainer_sla"


def rules(community: Community, at: Cutoffs) -> Iterator[RequestRule]:
    yield RequestRule(
        NAME,
        SLA_LAPSED,
        CeTrainerState.AWAITING_ADMIN,
        RequestClock.STATE_ENTERED,
        at.since(community.deadlines.approval),
    )


def letters(
    view: CardView, nudge: str, request: CeTrainerRequest, since: datetime, now: datetime
) -> list[Letter]:
    return [
        waiting_on_admins(
            view,
            request,
            what="CE trainer",
            todo="Record the CE trainer, then press Confirm CE trainer on the request's card.",
            target=view.community.deadlines.approval,
            facts=CeTrainerCards(view).facts(request),
            since=since,
            now=now,
        )
    ]
