"""People the community file does not name are called by the name their chat profile shows
(Slack's real name, Teams' display name), never by their e-mail address, on every card."""

from __future__ import annotations

from flows.community import Community
from tests.conftest import Clock
from tests.e2e.slack_testbed import ADMIN_CHANNEL, USERS, card_text, running_bot
from tests.e2e.teams_testbed import TEAMS_ADMIN_CHANNEL, personal, running_bots, teams_id
from tests.e2e.test_slack_new_user_request import file_request
from tests.e2e.test_teams_new_user_request import file_request as file_on_teams
from tests.requests import ADMIN, LEAD, SUPERVISOR

PROFILE_NAME = "Rosa Riverside"


def unnamed_lead(community: Community) -> Community:
    """The bundled community without a directory name for the River House lead."""
    people = tuple(p for p in community.people if p.email != LEAD)
    return community.model_copy(update={"people": people})


async def test_slack_cards_name_the_requester_as_her_profile_does(
    database_url: str, database: object, community: Community, clock: Clock
) -> None:
    async with running_bot(database_url, unnamed_lead(community), clock) as slack:
        slack.fake.users[USERS[LEAD]]["profile"]["real_name"] = PROFILE_NAME
        await file_request(slack)
        _, admin_card = slack.last_card(ADMIN_CHANNEL)
        text = card_text(admin_card)
        assert f"{PROFILE_NAME} (Agency Lead / Technical Administrator)" in text
        assert LEAD not in text
        _, supervisor_card = slack.last_card("D" + USERS[SUPERVISOR])
        assert f"{PROFILE_NAME} requested HMIS access" in card_text(supervisor_card)


async def test_teams_cards_name_the_requester_as_her_profile_does(
    database_url: str, database: object, community: Community, clock: Clock
) -> None:
    async with running_bots(database_url, unnamed_lead(community), clock, with_slack=False) as bots:
        teams = bots.teams
        teams.fake.members[teams_id(LEAD)].name = PROFILE_NAME
        for email in (LEAD, SUPERVISOR, ADMIN):
            await teams.install(email)
        await teams.install_in_team(ADMIN)
        await file_on_teams(teams)
        admin_card = teams.fake.last(TEAMS_ADMIN_CHANNEL).text()
        assert f"{PROFILE_NAME} (Agency Lead / Technical Administrator)" in admin_card
        assert LEAD not in admin_card
        supervisor_card = teams.fake.last(personal(SUPERVISOR)).text()
        assert f"{PROFILE_NAME} requested HMIS access" in supervisor_card
