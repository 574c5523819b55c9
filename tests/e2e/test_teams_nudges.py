"""A nudge on Teams, through HTTP only: the inactive-account announcement reaches the admin and
agency lead in their personal chats, and only an admin's "Disabled in HMIS" click counts."""

from __future__ import annotations

from sqlalchemy import select

from chatbot.storage.database import Database
from chatbot.storage.models import Account, AuditEventRow
from chatbot.web.server import STATE
from flows.community import Community
from tests.conftest import Clock
from tests.e2e.teams_testbed import personal, running_bots
from tests.nudges import NudgeBed, local
from tests.requests import ADMIN, LEAD, SECOND_ADMIN, TRAINEE


async def test_the_inactivity_announcement_and_its_button_work_on_teams(
    database_url: str, database: Database, community: Community, clock: Clock
) -> None:
    NudgeBed(database, community, clock).add_account(
        TRAINEE, local("2026-09-01 12:00"), name="Jane Doe"
    )
    async with running_bots(database_url, community, clock, with_slack=False) as bots:
        teams = bots.teams
        for email in (ADMIN, SECOND_ADMIN, LEAD, TRAINEE):
            await teams.install(email)
        runtime = teams.http.server.app[STATE].runtime
        assert runtime is not None
        runtime.sweeper.sweep(clock.now)
        runtime.dispatcher.wake()
        await teams.settle()

        assert "Your HMIS access is being disabled" in teams.fake.last(personal(TRAINEE)).text()
        announcement = teams.fake.last(personal(ADMIN))
        assert "Inactive HMIS account: Jane Doe" in announcement.text()
        assert "Disabled in HMIS" not in teams.fake.last(personal(LEAD)).text()

        await teams.click(LEAD, announcement, "Disabled in HMIS")
        await teams.settle()
        assert status(database) == "disable_due"
        assert refused_by(database) == [LEAD]

        await teams.click(ADMIN, announcement, "Disabled in HMIS")
        await teams.settle()
        assert status(database) == "disabled"
        for email in (ADMIN, SECOND_ADMIN, LEAD):
            card = teams.fake.last(personal(email))
            assert "confirmed by HMIS Help Desk" in card.text()
            assert card.updates, "the announcement is updated in place, not posted again"


def refused_by(database: Database) -> list[str | None]:
    query = select(AuditEventRow.actor_email).where(AuditEventRow.outcome == "refused")
    with database.transaction() as session:
        return list(session.scalars(query))


def status(database: Database) -> str:
    with database.transaction() as session:
        return str(session.scalar(select(Account.status).where(Account.email == TRAINEE)))
