"""A staff member's own request to see another agency's clients on Teams, through Bot Framework
activities only: the same form and cards as on Slack, as Adaptive Cards with Action.Execute
buttons; endorsed or declined by their own agency, each wrong actor refused, stale clicks
harmless, no endorser said at once, and the endorsers reminded by a sweep."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from chatbot.policy import bundled_preset_path, load_community
from chatbot.storage.database import Database
from chatbot.web.server import STATE
from flows.community import Agency, AgencyStatus, Community
from flows.kit.buttons import REASON_FIELD
from tests.conftest import Clock
from tests.e2e.records import refused, seed_account, stored_states
from tests.e2e.teams_testbed import (
    TEAMS_ADMIN_CHANNEL,
    TeamsTestbed,
    form_inputs,
    inputs_of,
    personal,
    running_bots,
)
from tests.fakes.bot_connector import walk
from tests.requests import ADMIN, LEAD, OTHER_LEAD, OUTSIDER, SECOND_ADMIN, SUPERVISOR, TRAINEE

EVERYONE = (LEAD, SUPERVISOR, TRAINEE, ADMIN, SECOND_ADMIN, OTHER_LEAD, OUTSIDER)
OWN: dict[str, str | list[str] | None] = {
    "agency": "yolo-food-bank",
    "why": "I run the pantry program we share with them.",
}


@pytest.fixture(scope="session")
def community() -> Community:
    """The bundled community with an approved agency nobody leads or supervises."""
    bundled = load_community(bundled_preset_path())
    lone = Agency(id="lone-pantry", name="Lone Pantry", coc="yolo", status=AgencyStatus.APPROVED)
    return bundled.model_copy(update={"agencies": (*bundled.agencies, lone)})


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


def codes(database: Database) -> list[tuple[str, str]]:
    return [(action, next(iter(details.values()))) for action, details in refused(database)]


async def ask(teams: TeamsTestbed) -> str:
    """Jane asks to see Yolo Food Bank's clients; the bot's answer."""
    assert await teams.say(TRAINEE, "hmis-access agency-access") in (200, 201)
    form = teams.fake.last(personal(TRAINEE))
    assert list(inputs_of(form.card())) == ["agency", "why"], "nobody to name: herself"
    status, body = await teams.click(TRAINEE, form, "Ask my agency", form_inputs(OWN))
    assert status == 200, body
    await teams.settle()
    return str(body["value"])


async def test_staff_ask_their_lead_endorses_and_an_admin_adds_it(
    teams: TeamsTestbed, database: Database
) -> None:
    seed_account(database, TRAINEE, "Jane Doe")
    assert "will be asked to endorse it" in await ask(teams)
    assert not teams.fake.messages_in(TEAMS_ADMIN_CHANNEL), "only an endorsed request"
    assert not any("Jane Doe" in m.text() for m in teams.fake.messages_in(personal(OTHER_LEAD)))
    lead_card = teams.fake.last(personal(LEAD))
    sup_card = teams.fake.last(personal(SUPERVISOR))
    before = sup_card.card()
    assert buttons(lead_card.card()) == ["Endorse", "Decline"]
    for stranger in (TRAINEE, OTHER_LEAD):
        _, answer = await teams.click(stranger, lead_card, "Endorse")
        assert "nobody endorses their own" in answer["value"]
    _, answer = await teams.click(LEAD, lead_card, "Endorse")
    assert "Endorsed: request #1 for Jane Doe" in answer["value"]
    await teams.settle()
    assert buttons(lead_card.card()) == [], "updated in place"
    _, answer = await teams.click(SUPERVISOR, sup_card, "Endorse", card=before)
    assert "already moved on" in answer["value"]

    admin_card = teams.fake.last(TEAMS_ADMIN_CHANNEL)
    assert buttons(admin_card.card()) == ["Added in HMIS", "Deny"]
    assert "Endorsed by" in admin_card.text()
    _, answer = await teams.click(SECOND_ADMIN, admin_card, "Added in HMIS")
    assert "can see Yolo Food Bank's clients" in answer["value"]
    await teams.settle()
    mine = teams.fake.last(personal(TRAINEE))
    assert "Added in HMIS, confirmed by" in mine.text()
    assert stored_states(database) == ["added"]
    assert codes(database) == [
        ("agency_access.endorse", "not_endorser"),
        ("agency_access.endorse", "not_endorser"),
        ("agency_access.endorse", "stale"),
    ]


async def test_their_supervisor_declines_and_nobody_to_endorse_is_said_at_once(
    teams: TeamsTestbed, database: Database
) -> None:
    seed_account(database, TRAINEE, "Jane Doe")
    seed_account(database, OUTSIDER, "Olu Alone", agency_id="lone-pantry")
    await teams.say(OUTSIDER, "hmis-access agency-access")
    assert (
        "Lone Pantry has no agency lead or supervisor" in teams.fake.last(personal(OUTSIDER)).text()
    )

    await ask(teams)
    sup_card = teams.fake.last(personal(SUPERVISOR))
    status, body = await teams.click(SUPERVISOR, sup_card, "Decline")
    assert (status, body["type"]) == (200, "application/vnd.microsoft.card.adaptive")
    decline_form = body["value"]
    _, empty = await teams.click(SUPERVISOR, sup_card, "Decline", {REASON_FIELD: ""}, decline_form)
    assert "Give the requester a reason" in str(empty["value"])
    reason = {REASON_FIELD: "The program ends this month."}
    await teams.click(SUPERVISOR, sup_card, "Decline", reason, decline_form)
    await teams.settle()
    assert "Declined by Sam Supervisor" in sup_card.text()
    assert buttons(sup_card.card()) == []
    assert "The program ends this month." in teams.fake.last(personal(TRAINEE)).text()
    assert not teams.fake.messages_in(TEAMS_ADMIN_CHANNEL)
    assert stored_states(database) == ["declined"]
    assert codes(database) == [
        ("agency_access.open_form", "no_endorser"),
        ("agency_access.decline", "missing_reason"),
    ]


async def test_an_unendorsed_request_reminds_the_endorsers(
    teams: TeamsTestbed, database: Database
) -> None:
    seed_account(database, TRAINEE, "Jane Doe")
    await ask(teams)  # Monday 10:00; five business days end Monday 23, 17:00
    teams.clock.advance(days=7, hours=7, minutes=10)
    runtime = teams.http.server.app[STATE].runtime
    assert runtime is not None
    await asyncio.to_thread(runtime.sweeper.sweep, teams.clock.now)
    teams.clock.advance(hours=15)
    runtime.dispatcher.wake()
    await teams.settle()
    for endorser in (LEAD, SUPERVISOR):
        reminder = teams.fake.last(personal(endorser))
        assert "Waiting for your endorsement: request #1 from Jane Doe" in reminder.text()
    assert not teams.fake.messages_in(TEAMS_ADMIN_CHANNEL)
