"""Slack and Teams on one server: one person by e-mail on both, each message routed to where
its recipient can be reached, and the admins told only when nobody could be."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import select

from chatbot.storage.database import Database
from chatbot.storage.models import OutboxRow, RequestRow
from flows.community import Community
from tests.conftest import Clock
from tests.e2e.slack_testbed import ADMIN_CHANNEL, card_text, dm
from tests.e2e.teams_testbed import TEAMS_ADMIN_CHANNEL, Bots, personal, running_bots
from tests.e2e.test_slack_new_user_request import file_request, reach_approval
from tests.requests import ADMIN, LEAD, SECOND_ADMIN, SUPERVISOR, request_values


def admin_lead_community(community: Community) -> Community:
    """The help-desk admin also leads River House, so could file (never decide) its requests."""
    agencies = tuple(
        a.model_copy(update={"leads": (*a.leads, ADMIN)}) if a.id == "river-house" else a
        for a in community.agencies
    )
    return community.model_copy(update={"agencies": agencies})


@pytest.fixture
async def bots(
    database_url: str, database: Database, community: Community, clock: Clock
) -> AsyncIterator[Bots]:
    async with running_bots(
        database_url, admin_lead_community(community), clock, with_slack=True
    ) as both:
        await both.teams.install_in_team(SECOND_ADMIN)
        for email in (ADMIN, SECOND_ADMIN):
            await both.teams.install(email)
        yield both


async def settle(bots: Bots) -> None:
    assert bots.slack is not None
    await bots.slack.settle()
    await bots.teams.settle()


def buttons(card: dict[str, Any]) -> list[str]:
    return [a["title"] for a in card.get("actions", [])]


async def test_a_request_filed_on_slack_is_approved_from_teams(
    bots: Bots, database: Database
) -> None:
    assert bots.slack is not None
    await reach_approval(bots.slack)
    await settle(bots)
    teams_card = bots.teams.fake.last(TEAMS_ADMIN_CHANNEL)
    assert buttons(teams_card.card()) == ["Approve", "Deny"]

    await bots.teams.click(ADMIN, teams_card, "Approve")
    await settle(bots)
    assert "Approved by HMIS Help Desk" in teams_card.text()
    # The Slack admin card followed: one decision, both channels re-rendered from the database.
    assert "Approved by HMIS Help Desk" in card_text(bots.slack.last_card(ADMIN_CHANNEL)[1])
    assert buttons(teams_card.card()) == ["Account created in HMIS"]
    with database.transaction() as session:
        assert session.scalar(select(RequestRow.decided_by)) == ADMIN


async def test_no_self_approval_across_platforms(bots: Bots, database: Database) -> None:
    """Filed on Slack as helpdesk@; the same e-mail on Teams may not approve it."""
    assert bots.slack is not None
    view = await _open_form_as(bots, ADMIN)
    await bots.slack.submit(ADMIN, view, request_values())
    await settle(bots)
    teams_card = bots.teams.fake.last(TEAMS_ADMIN_CHANNEL)
    status, body = await bots.teams.click(ADMIN, teams_card, "Deny")
    assert status == 200
    assert "another HMIS admin has to decide it" in body["value"]
    status, body = await bots.teams.click(SECOND_ADMIN, teams_card, "Deny")
    assert body["type"] == "application/vnd.microsoft.card.adaptive"  # the reason form


async def _open_form_as(bots: Bots, email: str) -> dict[str, Any]:
    assert bots.slack is not None
    await bots.slack.command(email)
    await bots.slack.settle()
    return bots.slack.fake.opened_views[-1]


async def test_people_get_messages_where_they_can_be_reached(
    bots: Bots, database: Database
) -> None:
    """The lead and the supervisor are on Slack only, the admins on both: nobody is reported
    unreachable, and no Teams message is even attempted for someone Teams cannot reach."""
    assert bots.slack is not None
    await file_request(bots.slack)
    await settle(bots)
    assert bots.slack.fake.messages_in(dm(SUPERVISOR))
    assert bots.slack.fake.messages_in(dm(LEAD))
    with database.transaction() as session:
        rows = session.execute(select(OutboxRow.platform, OutboxRow.recipient_email)).all()
    assert ("teams", SUPERVISOR) not in rows
    assert ("teams", None) in rows
    assert ("slack", None) in rows
    everything = [card_text(m) for m in bots.slack.fake.messages_in(ADMIN_CHANNEL)]
    everything += [p.text() for p in bots.teams.fake.messages_in(TEAMS_ADMIN_CHANNEL)]
    assert not any("Could not reach" in text for text in everything)


async def test_someone_on_neither_platform_is_reported_once_on_each(bots: Bots) -> None:
    assert bots.slack is not None
    await file_request(bots.slack, supervisor_email="new.boss@riverhouse.example.org")
    await settle(bots)
    slack_reports = [
        m for m in bots.slack.fake.messages_in(ADMIN_CHANNEL) if "Could not reach" in card_text(m)
    ]
    teams_reports = [
        p for p in bots.teams.fake.messages_in(TEAMS_ADMIN_CHANNEL) if "Could not reach" in p.text()
    ]
    assert len(slack_reports) == len(teams_reports) == 1
    assert "new.boss@riverhouse.example.org" in teams_reports[0].text()


async def test_a_teams_only_person_is_not_reported_for_slack(
    bots: Bots, database: Database
) -> None:
    """The supervisor has the Teams app and no Slack account: Slack fails, Teams delivers."""
    assert bots.slack is not None
    await bots.teams.install(SUPERVISOR)
    bots.slack.fake.users.pop("USUP", None)
    await file_request(bots.slack)
    await settle(bots)
    assert bots.teams.fake.last(personal(SUPERVISOR)).card()
    everything = [card_text(m) for m in bots.slack.fake.messages_in(ADMIN_CHANNEL)]
    assert not any("Could not reach" in text for text in everything)
