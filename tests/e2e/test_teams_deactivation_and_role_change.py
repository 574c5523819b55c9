"""Deactivations and access-role changes on Teams, through Bot Framework activities only: the
same kinds, forms and cards as on Slack, as Adaptive Cards with Action.Execute buttons."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from chatbot.storage.database import Database
from chatbot.web.server import STATE
from flows.accounts import AccountStatus
from flows.community import Community
from tests.conftest import Clock
from tests.e2e.records import account_of, refused, seed_account, stored_states
from tests.e2e.teams_testbed import (
    TEAMS_ADMIN_CHANNEL,
    TeamsTestbed,
    form_inputs,
    personal,
    running_bots,
)
from tests.fakes.bot_connector import walk
from tests.requests import ADMIN, LEAD, OTHER_LEAD, SECOND_ADMIN, SUPERVISOR, TRAINEE

LEAVER = "leaver@riverhouse.example.org"
EVERYONE = (LEAD, SUPERVISOR, TRAINEE, ADMIN, SECOND_ADMIN, OTHER_LEAD)


@pytest.fixture
async def teams(
    database_url: str, database: Database, community: Community, clock: Clock
) -> AsyncIterator[TeamsTestbed]:
    async with running_bots(database_url, community, clock, with_slack=False) as bots:
        for email in EVERYONE:
            await bots.teams.install(email)
        await bots.teams.install_in_team(ADMIN)
        await bots.teams.settle()
        yield bots.teams


def buttons(card: dict[str, Any]) -> list[str]:
    return [e["title"] for e in walk(card) if e.get("type") == "Action.Execute"]


async def submit(
    teams: TeamsTestbed, email: str, words: str, values: dict[str, str | list[str] | None]
) -> Any:
    assert await teams.say(email, f"hmis-access {words}") in (200, 201)
    form = teams.fake.last(personal(email))
    status, body = await teams.click(email, form, "Ask HMIS", form_inputs(values))
    assert status == 200, body
    await teams.settle()
    return body


async def sweep(teams: TeamsTestbed) -> None:
    runtime = teams.http.server.app[STATE].runtime
    assert runtime is not None
    await asyncio.to_thread(runtime.sweeper.sweep, teams.clock.now)
    runtime.dispatcher.wake()
    await teams.settle()


async def test_a_deactivation_confirmed_by_an_admin_updates_every_card(
    teams: TeamsTestbed, database: Database
) -> None:
    seed_account(database, LEAVER, "Lee Leaver")
    refused_body = await submit(
        teams, OTHER_LEAD, "deactivate", {"person_email": LEAVER, "reason": "left_agency"}
    )
    assert "only its leads or supervisors" in str(refused_body["value"]), "next to the field"
    body = await submit(teams, LEAD, "deactivate", {"person": LEAVER, "reason": "left_agency"})
    assert "Request #1 filed" in str(body["value"])
    assert not teams.fake.messages_in(TEAMS_ADMIN_CHANNEL), "never in a channel"

    admin_card = teams.fake.last(personal(ADMIN))
    second_card = teams.fake.last(personal(SECOND_ADMIN))
    assert buttons(admin_card.card()) == ["Deactivated in HMIS"]
    before = second_card.card()
    status, answer = await teams.click(LEAD, admin_card, "Deactivated in HMIS")
    assert status == 200
    assert "Only HMIS admins" in answer["value"]
    status, answer = await teams.click(ADMIN, admin_card, "Deactivated in HMIS")
    assert "deactivated" in answer["value"]
    await teams.settle()
    for posted in (admin_card, second_card):
        assert posted.updates, "updated in place"
        assert buttons(posted.card()) == []
        assert "confirmed by HMIS Help Desk" in posted.text()

    status, answer = await teams.click(
        SECOND_ADMIN, second_card, "Deactivated in HMIS", card=before
    )
    assert "already moved on" in answer["value"]
    assert account_of(database, LEAVER).status is AccountStatus.DEACTIVATED
    assert stored_states(database) == ["deactivated"]
    assert [(a, d.get("reason") or d.get("person_email")) for a, d in refused(database)] == [
        ("deactivation.file", "not_authorized"),
        ("deactivation.confirm", "not_admin"),
        ("deactivation.confirm", "stale"),
    ]


async def test_an_unconfirmed_deactivation_escalates_to_each_admin(
    teams: TeamsTestbed, database: Database
) -> None:
    seed_account(database, LEAVER, "Lee Leaver")
    await submit(teams, LEAD, "deactivate", {"person": LEAVER, "reason": "left_agency"})
    teams.clock.advance(hours=49)
    await sweep(teams)
    for admin in (ADMIN, SECOND_ADMIN):
        assert "Overdue: deactivate Lee Leaver" in teams.fake.last(personal(admin)).text()


async def test_a_role_change_after_training_is_confirmed_in_the_admin_channel(
    teams: TeamsTestbed, database: Database
) -> None:
    seed_account(database, TRAINEE, "Jane Doe")
    values: dict[str, str | list[str] | None] = {
        "person": TRAINEE,
        "new_role": "supervisory",
        "reason": "Leads the team.",
    }
    body = await submit(teams, LEAD, "role", values)
    assert "training it needs first" in str(body["value"])
    trainee_card = teams.fake.last(personal(TRAINEE))
    for training in ("Clarity General Training", "Privacy & Security Training"):
        status, _ = await teams.click(TRAINEE, trainee_card, f"I've completed {training}")
        assert status == 200
        await teams.settle()
    admin_card = teams.fake.last(TEAMS_ADMIN_CHANNEL)
    assert "Role changed in HMIS" in buttons(admin_card.card())
    status, answer = await teams.click(SECOND_ADMIN, admin_card, "Role changed in HMIS")
    assert "now Supervisory Access" in answer["value"]
    await teams.settle()
    assert account_of(database, TRAINEE).access_role_id == "supervisory"
    assert "Your HMIS access role is now Supervisory Access" in trainee_card.text()
    assert stored_states(database) == ["changed"]
