"""An assessor credential's clocks: the admins' SLA to add it, its lapse when the training's
validity runs out (the request moves to "lapsed" and the admins are asked to remove the
access), and the admins' SLA to remove it. Renewal reminders before the lapse are the
training's own, from the attendance recorded as a training report when the access is added."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from flows.community import Community
from flows.kinds.ce_assessor.cards import AssessorCards
from flows.kinds.ce_assessor.details import NAME, AssessorRequest, AssessorState
from flows.kit.cards import waiting_on_admins
from flows.kit.kind import CardView
from flows.nudges.cutoffs import Cutoffs
from flows.nudges.letters import Letter, Role
from flows.nudges.rules import Move, RequestClock, RequestRule
from flows.ui import Card

SLA_LAPSED = "ce_assessor_sla"
CREDENTIAL_LAPSED = "ce_assessor_lapsed"
REMOVAL_SLA_LAPSED = "ce_assessor_removal_sla"


def rules(community: Community, at: Cutoffs) -> Iterator[RequestRule]:
    approval = community.deadlines.approval
    lapse = Move(AssessorState.LAPSED, "lapse", "the assessor training's validity ran out")
    yield RequestRule(
        NAME,
        CREDENTIAL_LAPSED,
        AssessorState.ACTIVE,
        RequestClock.GRANT_EXPIRES,
        at.due(),
        move=lapse,
    )
    yield RequestRule(
        NAME,
        SLA_LAPSED,
        AssessorState.AWAITING_ADMIN,
        RequestClock.STATE_ENTERED,
        at.since(approval),
    )
    yield RequestRule(
        NAME,
        REMOVAL_SLA_LAPSED,
        AssessorState.LAPSED,
        RequestClock.STATE_ENTERED,
        at.since(approval),
    )


def letters(
    view: CardView, nudge: str, request: AssessorRequest, occurrence: datetime, now: datetime
) -> list[Letter]:
    cards = AssessorCards(view)
    if nudge == CREDENTIAL_LAPSED:
        return lapsed(view, request, occurrence)
    adding = nudge == SLA_LAPSED
    return [
        waiting_on_admins(
            view,
            request,
            what="Coordinated Entry assessor access"
            if adding
            else "removing lapsed assessor access",
            todo=(
                "Add assessor access in HMIS, then press Assessor access added on the request's "
                "card."
                if adding
                else "Remove the assessor access in HMIS, then press Assessor access removed on "
                "the request's card."
            ),
            target=view.community.deadlines.approval,
            facts=cards.facts(request),
            since=occurrence,
            now=now,
        )
    ]


def lapsed(view: CardView, request: AssessorRequest, expired: datetime) -> list[Letter]:
    """The admins are asked to remove the access; the person and their CE trainer are told."""
    cards, name = AssessorCards(view), request.subject_name
    training = request.details.training_name
    admins = Card(
        title=f"Assessor credential lapsed: remove {name}'s Coordinated Entry access",
        summary=f"{name}'s assessor credential lapsed {view.when(expired)}.",
        text=(
            f"The {training} {name} attended on {cards.attended(request)} is no longer valid. "
            "Remove their Coordinated Entry assessor access in HMIS, then press Assessor access "
            "removed."
        ),
        facts=cards.facts(request),
        buttons=(cards.remove_button(request),),
    )
    person = Card(
        title="Your Coordinated Entry assessor access has lapsed",
        summary=f"Your {training} lapsed {view.when(expired)}.",
        text=(
            f"Your {training} is no longer valid, so HMIS admins remove your assessor access. "
            "Attend the training again and ask your agency's CE trainer to request access."
        ),
    )
    trainer = Card(
        title=f"{name}'s assessor credential lapsed",
        summary=f"{name}'s {training} lapsed {view.when(expired)}.",
        text=(
            "HMIS admins remove their Coordinated Entry assessor access. Once they attend the "
            "training again, you can request it again."
        ),
        facts=cards.facts(request),
    )
    return [
        Letter(Role.ADMINS, None, admins),
        Letter(Role.ACCOUNT_HOLDER, request.subject_email, person),
        Letter(Role.REQUESTER, request.requester_email, trainer),
    ]
