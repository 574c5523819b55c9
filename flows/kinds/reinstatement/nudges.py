"""A reinstatement's clocks: a reminder to the agency's leads of a person's own request still
waiting for their endorsement, the person's training reminders and the request's expiry when
the training is not finished in time, and the admins' SLA (``deadlines.approval``) for
re-enabling the account, escalated to each admin by direct message."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from flows.calendar import how_long
from flows.community import Community
from flows.kinds.reinstatement.cards import ASKS, ReinstatementCards
from flows.kinds.reinstatement.details import NAME, ReinstatementRequest, ReinstatementState
from flows.kit import endorsement
from flows.kit.kind import CardView
from flows.nudges.cutoffs import Cutoffs
from flows.nudges.letters import Letter, Role
from flows.nudges.rules import Move, RequestClock, RequestRule
from flows.ui import Card, Fact

TRAINING_REMINDER = "reinstatement_training_reminder"
TRAINING_EXPIRED = "reinstatement_training_expired"
SLA_LAPSED = "reinstatement_sla"


def rules(community: Community, at: Cutoffs) -> Iterator[RequestRule]:
    deadlines, training = community.deadlines, ReinstatementState.TRAINING
    expire = Move(
        ReinstatementState.EXPIRED,
        "expire",
        f"training not reported by the deadline or within the {deadlines.training_grace} grace",
    )
    yield RequestRule(
        NAME,
        TRAINING_EXPIRED,
        training,
        RequestClock.DUE_AT,
        at.since(deadlines.training_grace),
        move=expire,
    )
    for stage, window in at.reminders(deadlines.training_reminders):
        yield RequestRule(NAME, TRAINING_REMINDER, training, RequestClock.DUE_AT, window, stage)
    yield RequestRule(
        NAME,
        SLA_LAPSED,
        ReinstatementState.AWAITING_ADMIN,
        RequestClock.STATE_ENTERED,
        at.since(deadlines.approval),
    )
    yield endorsement.reminder_rule(NAME, ReinstatementState.AWAITING_ENDORSEMENT, community, at)


def letters(
    view: CardView, nudge: str, request: ReinstatementRequest, occurrence: datetime, now: datetime
) -> list[Letter]:
    cards = ReinstatementCards(view)
    if nudge == endorsement.REMINDER:
        return endorsement.reminder_letters(view, request, ASKS, cards.facts(request), occurrence)
    if nudge == TRAINING_REMINDER:
        card = cards.training_card(request, ())
        reminder = Card(
            title="Reminder: training before your HMIS account is re-enabled",
            summary=f"Complete your training by {view.when(occurrence)}; then HMIS re-enables "
            "your account.",
            text=card.text,
            facts=card.facts,
            links=card.links,
            buttons=card.buttons,
        )
        return [Letter(Role.TRAINEE, request.subject_email, reminder)]
    if nudge == TRAINING_EXPIRED:
        card = Card(
            title=f"Expired: reinstating {request.subject_name}'s HMIS account",
            summary="The request to reinstate the account expired: its training was not "
            "finished in time.",
            text=(
                f"The training was due {view.when(occurrence)}. The account stays disabled; "
                "ask again once the training is done."
            ),
            facts=cards.facts(request),
        )
        return [
            Letter(Role.TRAINEE, request.subject_email, card),
            Letter(Role.REQUESTER, request.requester_email, card),
        ]
    return _waiting_on_admins(view, cards, request, occurrence, now)


def _waiting_on_admins(
    view: CardView,
    cards: ReinstatementCards,
    request: ReinstatementRequest,
    since: datetime,
    now: datetime,
) -> list[Letter]:
    target = view.community.deadlines.approval
    waited = how_long(now - since)
    card = Card(
        title=f"Waiting on HMIS admins: reinstate {request.subject_name} (#{request.id})",
        summary=f"Reinstating {request.subject_name} has waited {waited}; the target is {target}.",
        text=(
            f"Waiting since {view.when(since)} ({waited}); the community's target is {target}. "
            "Re-enable the account in HMIS, then press Re-enabled in HMIS on the request."
        ),
        facts=(*cards.facts(request), Fact("Waiting since", view.when(since))),
    )
    return [
        Letter(Role.ADMIN, admin.email, card)
        for admin in view.community.admins
        if admin.email not in (request.requester_email, request.subject_email)
    ]
