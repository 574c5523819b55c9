"""An inactive account on Slack, through HTTP only: the sweep's announcement reaches every admin
and the agency lead by DM, and only an admin's "Disabled in HMIS" click counts."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from chatbot.storage.database import Database
from chatbot.storage.models import Account, AuditEventRow
from flows.community import Community
from tests.conftest import Clock
from tests.e2e.slack_testbed import SlackTestbed, card_text, dm, running_bot
from tests.nudges import NudgeBed, local
from tests.requests import ADMIN, LEAD, SECOND_ADMIN, TRAINEE


async def test_only_an_admin_click_marks_the_inactive_account_disabled(
    database_url: str, database: Database, community: Community, clock: Clock
) -> None:
    bed = NudgeBed(database, community, clock)
    bed.add_account(TRAINEE, local("2026-09-01 12:00"), name="Jane Doe")
    # The server's scheduler sweeps at start-up (catching up), then every 5 minutes.
    async with running_bot(database_url, community, clock, sweep_minutes=5) as slack:
        await arrived(slack, dm(ADMIN))
        await disable_by_admin_only(slack, database)


async def arrived(slack: SlackTestbed, channel: str) -> None:
    for _ in range(500):
        if slack.fake.messages_in(channel):
            await slack.settle()
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"nothing arrived in {channel}")


async def disable_by_admin_only(slack: SlackTestbed, database: Database) -> None:
    _, told = slack.last_card(dm(TRAINEE))
    assert "Your HMIS access is being disabled" in card_text(told)
    admin_ts, admin_card = slack.last_card(dm(ADMIN))
    assert "Inactive HMIS account: Jane Doe" in card_text(admin_card)
    assert "Disabled in HMIS" in card_text(admin_card)
    lead_ts, lead_card = slack.last_card(dm(LEAD))
    assert '"button"' not in card_text(lead_card)  # agency leads are told; admins act

    # The agency lead replays the admin's button: refused server-side, and audited.
    await slack.click(LEAD, dm(ADMIN), admin_ts, "Disabled in HMIS")
    await slack.settle()
    assert "Only HMIS admins" in slack.last_response_text()
    assert account_status(database) == "disable_due"

    await slack.click(ADMIN, dm(ADMIN), admin_ts, "Disabled in HMIS")
    await slack.settle()
    assert "Recorded" in slack.last_response_text()
    assert account_status(database) == "disabled"
    for email in (ADMIN, SECOND_ADMIN, LEAD):
        [message] = slack.fake.messages_in(dm(email))  # one card each, updated in place
        assert "Disabled in HMIS, confirmed by HMIS Help Desk" in card_text(message)
        assert '"button"' not in card_text(message)
    assert slack.fake.updates(dm(LEAD), lead_ts)
    with database.transaction() as session:
        refused = session.scalars(
            select(AuditEventRow).where(AuditEventRow.outcome == "refused")
        ).all()
    assert [(r.actor_email, r.action, r.details["reason"]) for r in refused] == [
        (LEAD, "account.disabled", "not_admin")
    ]


def account_status(database: Database) -> str:
    with database.transaction() as session:
        return session.scalars(select(Account.status)).one()
