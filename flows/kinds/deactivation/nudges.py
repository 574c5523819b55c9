"""A deactivation's clocks: a scheduled one takes effect on its last day, and admins who have
not confirmed it within the community's SLA are escalated with its age. Someone who left the
agency is a security event: those messages go out at once, not at the next business hour."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from flows.calendar import how_long
from flows.community import Community
from flows.kinds.deactivation.cards import DeactivationCards
from flows.kinds.deactivation.details import NAME, DeactivationRequest, DeactivationState
from flows.kit.kind import CardView
from flows.nudges.cutoffs import Cutoffs
from flows.nudges.letters import Letter, Role
from flows.nudges.rules import Move, RequestClock, RequestRule
from flows.ui import Card

TAKE_EFFECT = "take_effect"
SLA_LAPSED = "deactivation_sla"


def rules(community: Community, at: Cutoffs) -> Iterator[RequestRule]:
    take_effect = Move(DeactivationState.AWAITING_ADMIN, TAKE_EFFECT, "the last day has ended")
    yield RequestRule(
        NAME,
        TAKE_EFFECT,
        DeactivationState.SCHEDULED,
        RequestClock.DUE_AT,
        at.due(),
        move=take_effect,
    )
    yield RequestRule(
        NAME, SLA_LAPSED, DeactivationState.AWAITING_ADMIN, RequestClock.DUE_AT, at.due()
    )


def letters(
    view: CardView, nudge: str, request: DeactivationRequest, _due: datetime, now: datetime
) -> list[Letter]:
    """Admins are told when it takes effect and when it is overdue, with how long it has
    waited since it took effect."""
    cards = DeactivationCards(view)
    since = request.details.effective_at
    name = request.subject_name
    target = view.community.deadlines.deactivation
    if nudge == TAKE_EFFECT:
        card = Card(
            title=f"Deactivate now: {name}",
            summary=f"{name}'s last day with HMIS access has ended; please deactivate the account.",
            text="Deactivate the account in HMIS, then press Deactivated in HMIS on the request.",
            facts=cards.facts(request),
        )
    else:
        card = Card(
            title=f"Overdue: deactivate {name}",
            summary=(
                f"{name}'s deactivation has waited {how_long(now - since)}; the target is {target}."
            ),
            text=(
                f"Waiting for HMIS admins since {view.when(since)} ({how_long(now - since)}); the "
                f"community's target is {target}. Deactivate the account in HMIS, then press "
                "Deactivated in HMIS on the request."
            ),
            facts=cards.facts(request),
        )
    immediate = request.details.security_event
    return [Letter(Role.ADMIN, a.email, card, immediate) for a in view.community.admins]
