"""A role change's clocks: a reminder to the agency's leads of a staff member's own request
still waiting for their endorsement, the person's training reminders, its expiry when the
training is not finished in time, and the admins' SLA for making the change in HMIS."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from flows.calendar import how_long
from flows.community import Community
from flows.kinds.role_change.cards import RoleChangeCards
from flows.kinds.role_change.details import NAME, RoleChangeRequest, RoleChangeState
from flows.kit import endorsement
from flows.kit.kind import CardView
from flows.nudges.cutoffs import Cutoffs
from flows.nudges.letters import Letter, Role
from flows.nudges.rules import Move, RequestClock, RequestRule
from flows.ui import Card, Fact

TRAINING_REMINDER = "role_training_reminder"
TRAINING_EXPIRED = "role_training_expired"
SLA_LAPSED = "role_change_sla"


def rules(community: Community, at: Cutoffs) -> Iterator[RequestRule]:
    deadlines, training = community.deadlines, RoleChangeState.TRAINING
    expire = Move(
        RoleChangeState.EXPIRED,
        "expire",
        f"training not reported by the deadline or within the {deadlines.training_grace} grace",
    )
    since_grace = at.since(deadlines.training_grace)
    yield RequestRule(
        NAME, TRAINING_EXPIRED, training, RequestClock.DUE_AT, since_grace, move=expire
    )
    for stage, window in at.reminders(deadlines.training_reminders):
        yield RequestRule(NAME, TRAINING_REMINDER, training, RequestClock.DUE_AT, window, stage)
    yield RequestRule(
        NAME,
        SLA_LAPSED,
        RoleChangeState.AWAITING_ADMIN,
        RequestClock.STATE_ENTERED,
        at.since(deadlines.role_change),
    )
    yield endorsement.reminder_rule(NAME, RoleChangeState.AWAITING_ENDORSEMENT, community, at)


def letters(
    view: CardView, nudge: str, request: RoleChangeRequest, occurrence: datetime, now: datetime
) -> list[Letter]:
    cards = RoleChangeCards(view)
    role = view.role_name(request.details.to_role_id)
    if nudge == endorsement.REMINDER:
        asks = f"for the access role {role}"
        return endorsement.reminder_letters(view, request, asks, cards.facts(request), occurrence)
    if nudge == TRAINING_REMINDER:
        card = cards.subject_card(request)
        reminder = Card(
            title=f"Reminder: training for {role}",
            summary=f"Complete your training for {role} by {view.when(occurrence)}.",
            text=card.text,
            facts=card.facts,
            links=card.links,
            buttons=card.buttons,
        )
        return [Letter(Role.TRAINEE, request.subject_email, reminder)]
    if nudge == TRAINING_EXPIRED:
        card = Card(
            title=f"Expired: new access role for {request.subject_name}",
            summary=f"The change to {role} expired: its training was not finished in time.",
            text=(
                f"The training for {role} was due {view.when(occurrence)}. The role stays as it "
                "was; a lead can ask again when the training is done."
            ),
            facts=cards.facts(request),
        )
        return [
            Letter(Role.TRAINEE, request.subject_email, card),
            Letter(Role.REQUESTER, request.requester_email, card),
            Letter(Role.ADMINS, None, card),
        ]
    target = view.community.deadlines.role_change
    card = Card(
        title=f"Waiting on HMIS admins: role change #{request.id} for {request.subject_name}",
        summary=f"Role change #{request.id} has waited {how_long(now - occurrence)}.",
        text=(
            f"Waiting since {view.when(occurrence)} ({how_long(now - occurrence)}); the "
            f"community's target is {target}. Change the role in HMIS, then press Role changed "
            "in HMIS on the request's card."
        ),
        facts=(*cards.facts(request), Fact("Waiting since", view.when(occurrence))),
    )
    return [Letter(Role.ADMINS, None, card)]
