"""A designation's clocks: the candidate's training reminders, its expiry when the training is
not finished in time, and the HMIS admins' SLA (``deadlines.approval``) for setting it in
HMIS once everything else is done."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from flows.calendar import how_long
from flows.community import Community
from flows.kit.designation.cards import DesignationCards
from flows.kit.designation.details import DesignationRequest, DesignationState
from flows.nudges.cutoffs import Cutoffs
from flows.nudges.letters import Letter, Role, one_per_person
from flows.nudges.rules import Move, RequestClock, RequestRule
from flows.ui import Card, Fact

TRAINING_REMINDER = "designation_training_reminder"
TRAINING_EXPIRED = "designation_training_expired"
SLA_LAPSED = "designation_sla"


def rules(kind_name: str, community: Community, at: Cutoffs) -> Iterator[RequestRule]:
    deadlines, training = community.deadlines, DesignationState.TRAINING
    expire = Move(
        DesignationState.EXPIRED,
        "expire",
        f"training not reported by the deadline or within the {deadlines.training_grace} grace",
    )
    since_grace = at.since(deadlines.training_grace)
    yield RequestRule(
        kind_name, TRAINING_EXPIRED, training, RequestClock.DUE_AT, since_grace, move=expire
    )
    for stage, window in at.reminders(deadlines.training_reminders):
        yield RequestRule(
            kind_name, TRAINING_REMINDER, training, RequestClock.DUE_AT, window, stage
        )
    yield RequestRule(
        kind_name,
        SLA_LAPSED,
        DesignationState.AWAITING_ADMIN,
        RequestClock.STATE_ENTERED,
        at.since(deadlines.approval),
    )


def letters(
    cards: DesignationCards,
    nudge: str,
    request: DesignationRequest,
    occurrence: datetime,
    now: datetime,
) -> list[Letter]:
    view, title = cards.view, cards.position.title
    if nudge == TRAINING_REMINDER:
        card = cards.training_card(request)
        reminder = Card(
            title=f"Reminder: training for the {title} role",
            summary=f"Complete your {title} training by {view.when(occurrence)}.",
            text=card.text,
            facts=card.facts,
            links=card.links,
            buttons=card.buttons,
        )
        return [Letter(Role.TRAINEE, request.subject_email, reminder)]
    if nudge == TRAINING_EXPIRED:
        card = Card(
            title=f"Expired: {request.subject_name} as {title}",
            summary=f"The {title} designation expired: its training was not finished in time.",
            text=(
                f"The training was due {view.when(occurrence)}. Nothing changed in HMIS; ask "
                "again once the training is done."
            ),
            facts=cards.facts(request),
        )
        return one_per_person(
            [
                Letter(Role.TRAINEE, request.subject_email, card),
                Letter(Role.REQUESTER, request.requester_email, card),
                Letter(Role.ADMINS, None, card),
            ]
        )
    target = view.community.deadlines.approval
    waited = how_long(now - occurrence)
    card = Card(
        title=f"Waiting on HMIS admins: {title} #{request.id} for {request.subject_name}",
        summary=f"{title[:1].upper()}{title[1:]} designation #{request.id} has waited {waited}.",
        text=(
            f"Waiting since {view.when(occurrence)} ({waited}); the community's target is "
            f"{target}. Set it in HMIS, then press {cards.position.set_label} on the request's "
            "card."
        ),
        facts=(*cards.facts(request), Fact("Waiting since", view.when(occurrence))),
    )
    return [Letter(Role.ADMINS, None, card)]
