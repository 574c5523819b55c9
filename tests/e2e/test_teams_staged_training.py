"""Staged training on Teams, through HTTP only: the stage steps the kind declares get their
buttons on Adaptive Cards with no Teams code of their own, and the written request for more
time is asked in place, like a denial's reason."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from chatbot.storage.database import Database
from flows.community import Community
from flows.kinds.new_user.form import question_field
from flows.kit.buttons import REASON_FIELD
from tests.communities import with_staged_training
from tests.conftest import Clock
from tests.e2e.records import refused, stored_states
from tests.e2e.teams_testbed import (
    TEAMS_ADMIN_CHANNEL,
    TeamsTestbed,
    form_inputs,
    personal,
    running_bots,
)
from tests.fakes.bot_connector import walk
from tests.requests import ADMIN, LEAD, SECOND_ADMIN, SUPERVISOR, TRAINEE, request_values

EVERYONE = (LEAD, SUPERVISOR, TRAINEE, ADMIN, SECOND_ADMIN)


@pytest.fixture(scope="module")
def community() -> Community:
    return with_staged_training()


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


async def test_stages_extension_and_review_on_teams(
    teams: TeamsTestbed, database: Database
) -> None:
    assert await teams.say(LEAD, "hmis-access") in (200, 201)
    form = teams.fake.last(personal(LEAD))
    answers = request_values(**{question_field("ce-staff"): "no"})
    status, _ = await teams.click(LEAD, form, "Submit request", form_inputs(answers))
    assert status == 200
    await teams.settle()
    await teams.click(
        SUPERVISOR, teams.fake.last(personal(SUPERVISOR)), "Confirm background check passed"
    )
    await teams.settle()

    trainee = teams.fake.last(personal(TRAINEE))
    assert buttons(trainee.card()) == [
        "I've completed Initial training steps",
        "Ask for more time",
    ]
    status, body = await teams.click(TRAINEE, trainee, "Ask for more time")
    assert status == 200
    written = "I am on leave until next month."
    await teams.click(TRAINEE, trainee, "Send", {REASON_FIELD: written}, body["value"])
    await teams.settle()
    admin = teams.fake.last(TEAMS_ADMIN_CHANNEL)
    assert written in admin.text()
    await teams.click(ADMIN, admin, "Grant more time")
    await teams.settle()
    assert "Granted by HMIS Help Desk" in admin.text()

    for label in (
        "I've completed Initial training steps",
        "I've completed Workflow training (Emergency Shelter)",
        "Submit Practice case (Emergency Shelter) for review",
    ):
        await teams.click(TRAINEE, trainee, label)
        await teams.settle()
    await teams.click(ADMIN, admin, "Corrections needed")
    await teams.settle()
    await teams.click(TRAINEE, trainee, "Submit Practice case (Emergency Shelter) for review")
    await teams.settle()
    await teams.click(SECOND_ADMIN, admin, "Accept")
    await teams.settle()
    assert stored_states(database) == ["awaiting_approval"]
    assert "Approve" in buttons(admin.card())
    assert refused(database) == []
