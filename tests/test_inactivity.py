"""The inactivity announcement: a live card per admin and agency lead whose "Disabled in HMIS"
button only an HMIS admin may use (re-checked server-side, refusals audited)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from chatbot.community_calendar import business_calendar
from chatbot.delivery.live_cards import InactivityCards
from chatbot.storage.database import Database
from chatbot.storage.models import AuditEventRow, OutboxRow
from flows.accounts import AccountStatus
from flows.community import Community
from flows.nudges.inactivity import INACTIVITY_SUBJECT, InactivityCard, InactivityFlow
from flows.ui import ActionCommand, Card, Notice
from tests.conftest import Clock
from tests.nudges import NudgeBed, actor, local
from tests.requests import ADMIN, LEAD, SECOND_ADMIN, TRAINEE


@pytest.fixture
def bed(database: Database, community: Community, clock: Clock) -> NudgeBed:
    return NudgeBed(database, community, clock)


def announcement_cards(bed: NudgeBed) -> dict[str, Card]:
    """Each recipient's announcement card as it renders now."""
    renderer = InactivityCards(
        InactivityCard(bed.community, business_calendar(bed.community)), bed.clock
    )
    cards = {}
    with bed.database.transaction() as session:
        rows = session.scalars(
            select(OutboxRow).where(OutboxRow.subject_kind == INACTIVITY_SUBJECT)
        ).all()
        for row in rows:
            card = renderer.render(session, row.subject_id, row.audience)
            assert card is not None
            assert row.recipient_email is not None
            cards[row.recipient_email] = card
    return cards


def click(bed: NudgeBed, who: str, account_id: int, version: int) -> Notice:
    command = ActionCommand("account", "disabled", account_id, version)
    outcome = bed.service.run_sync(
        lambda ledger: InactivityFlow(bed.community, ledger).click(actor(who), command)
    )
    assert isinstance(outcome, Notice)
    return outcome


def refusals(bed: NudgeBed) -> list[dict[str, str]]:
    with bed.database.transaction() as session:
        rows = session.scalars(select(AuditEventRow).where(AuditEventRow.outcome == "refused"))
        return [
            {"by": r.actor_email or "", "account": r.subject_id or "", **r.details} for r in rows
        ]


def test_only_an_hmis_admin_confirms_the_account_disabled(bed: NudgeBed) -> None:
    account_id = bed.add_account(TRAINEE, local("2026-09-01 12:00"))
    bed.sweep("2026-11-16 10:00")
    version = bed.account(TRAINEE).version
    cards = announcement_cards(bed)
    assert set(cards) == {ADMIN, SECOND_ADMIN, LEAD}
    assert [b.label for b in cards[ADMIN].buttons] == ["Disabled in HMIS"]
    assert cards[LEAD].buttons == ()  # agency leads are told, admins act
    assert "Tue Sep 1, 2026 12:00 PM PDT" in cards[LEAD].summary

    refused = click(bed, LEAD, account_id, version)
    assert refused.text == "Only HMIS admins can confirm that an account is disabled."
    assert bed.account(TRAINEE).status == AccountStatus.DISABLE_DUE

    assert click(bed, ADMIN, account_id, version).text.startswith("Recorded")
    account = bed.account(TRAINEE)
    assert (account.status, account.disabled_by) == (AccountStatus.DISABLED, ADMIN)
    cards = announcement_cards(bed)
    assert all(card.buttons == () for card in cards.values())
    assert cards[SECOND_ADMIN].footer.startswith("Disabled in HMIS, confirmed by HMIS Help Desk")

    stale = click(bed, SECOND_ADMIN, account_id, version)
    assert "already confirmed disabled" in stale.text
    assert refusals(bed) == [
        {"by": LEAD, "account": str(account_id), "reason": "not_admin"},
        {"by": SECOND_ADMIN, "account": str(account_id), "reason": "stale"},
    ]
