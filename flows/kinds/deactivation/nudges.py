"""A deactivation's clocks: a scheduled one takes effect on its last day, and admins who have
not confirmed it within the community's SLA are escalated with its age. Someone who left the
agency is a security event: those messages go out at once, not at the next business hour."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

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
        NAME,
        SLA_LAPSED,
        DeactivationState.AWAITING_ADMIN,
        RequestClock.STATE_ENTERED,
        at.since(community.deadlines.deactivation),
    )


def letters(
    view: CardView, nudge: str, request: DeactivationRequest, since: datetime, now: datetime
) -> list[Letter]:
    cards = DeactivationCards(view)
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
            summary=f"{name}'s deactivation has waited {age(now - since)}; the target is {target}.",
            text=(
                f"Waiting for HMIS admins since {view.when(since)} ({age(now - since)}); the "
                f"community's target is {target}. Deactivate the account in HMIS, then press "
                "Deactivated in HMIS on the request."
            ),
            facts=cards.facts(request),
        )
    immediate = request.details.security_event
    return [Letter(Role.ADMIN, a.email, card, immediate) for a in view.community.admins]


def age(span: timedelta) -> str:
    """How long, as people say it: ``2 days 3 hours``, ``5 hours``, ``40 minutes``."""
    minutes = max(int(span.total_seconds() // 60), 0)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = [(days, "day"), (hours, "hour")] if days else [(hours, "hour"), (minutes, "minute")]
    words = [f"{n} {unit}{'s' if n != 1 else ''}" for n, unit in parts if n]
    return " ".join(words) or "less than a minute"
