"""Additional agency access and its ending, New Program Requests, CE trainers and assessor
access on Teams, through Bot Framework activities only: the same kinds, forms and cards as on
Slack, as Adaptive Cards with Action.Execute buttons, updated in place for everyone."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest

from chatbot.policy import bundled_preset_path, load_community
from chatbot.storage.database import Database
from chatbot.storage.ledger import SqlLedger
from chatbot.web.server import STATE
from flows.community import Community
from flows.grants import AGENCY_ACCESS, Grant
from flows.kit.buttons import REASON_FIELD
from tests.communities import with_coordinated_entry
from tests.conftest import Clock
from tests.e2e.records import refused, seed_account, stored_states
from tests.e2e.teams_testbed import (
    TEAMS_ADMIN_CHANNEL,
    TeamsTestbed,
    form_inputs,
    personal,
    running_bots,
)
from tests.fakes.bot_connector import walk
from tests.requests import (
    ADMIN,
    APPLYING_LEAD,
    LEAD,
    OTHER_LEAD,
    SECOND_ADMIN,
    SUPERVISOR,
    TRAINEE,
)

EVERYONE = (LEAD, SUPERVISOR, TRAINEE, ADMIN, SECOND_ADMIN, OTHER_LEAD, APPLYING_LEAD)
Values = dict[str, str | list[str] | None]


@pytest.fixture(scope="session")
def community() -> Community:
    return with_coordinated_entry(load_community(bundled_preset_path()))


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


def grants_of(database: Database, email: str) -> list[Grant]:
    with database.transaction() as session:
        return SqlLedger(session, lambda: datetime.now(UTC), ()).grants_of(email)


def codes(database: Database) -> list[tuple[str, str]]:
    return [(action, next(iter(details.values()))) for action, details in refused(database)]


async def said(teams: TeamsTestbed, email: str, words: str) -> str:
    assert await teams.say(email, f"hmis-access {words}") in (200, 201)
    return str(teams.fake.last(personal(email)).text())


async def submit(teams: TeamsTestbed, email: str, words: str, values: Values) -> str:
    assert await teams.say(email, f"hmis-access {words}") in (200, 201)
    form = teams.fake.last(personal(email))
    status, body = await teams.click(email, form, "Ask HMIS", form_inputs(values))
    assert status == 200, body
    await teams.settle()
    return str(body["value"])


async def sweep(teams: TeamsTestbed) -> None:
    runtime = teams.http.server.app[STATE].runtime
    assert runtime is not None
    await asyncio.to_thread(runtime.sweeper.sweep, teams.clock.now)
    runtime.dispatcher.wake()
    await teams.settle()


async def test_agency_access_objected_to_then_added(
    teams: TeamsTestbed, database: Database
) -> None:
    seed_account(database, TRAINEE, "Jane Doe")
    assert "Your request goes to your agency first" in await said(teams, TRAINEE, "agency-access")
    answer = await submit(
        teams, OTHER_LEAD, "agency-access", {"person_email": "nobody@riverhouse.example.org"}
    )
    assert "knows no open HMIS account" in answer, "next to the field"
    answer = await submit(
        teams, OTHER_LEAD, "agency-access", {"person_email": TRAINEE, "why": "Shared pantry."}
    )
    assert "Request #1 filed" in answer
    admin_card = teams.fake.last(TEAMS_ADMIN_CHANNEL)
    assert buttons(admin_card.card()) == ["Added in HMIS", "Deny"]
    before = admin_card.card()
    lead_card = teams.fake.last(personal(LEAD))
    assert buttons(lead_card.card()) == ["Object"]

    _, asked = await teams.click(LEAD, lead_card, "Object")
    _, body = await teams.click(
        LEAD, lead_card, "Object", {REASON_FIELD: "Jane moved teams."}, asked["value"]
    )
    assert "objection" in str(body["value"])
    await teams.settle()
    assert "Jane moved teams." in admin_card.text(), "the admins' card, updated in place"

    _, body = await teams.click(LEAD, admin_card, "Added in HMIS")
    assert body["value"] == "Only HMIS admins can confirm that access was added in HMIS."
    _, body = await teams.click(ADMIN, admin_card, "Added in HMIS")
    assert "can see Yolo Food Bank's clients" in body["value"]
    await teams.settle()
    for posted in (admin_card, lead_card):
        assert buttons(posted.card()) == []
        assert "Added in HMIS, confirmed by HMIS Help Desk" in posted.text()
    assert "You can now see Yolo Food Bank's clients" in teams.fake.last(personal(TRAINEE)).text()
    _, body = await teams.click(SECOND_ADMIN, admin_card, "Added in HMIS", card=before)
    assert "already moved on" in body["value"]
    assert [g.value for g in grants_of(database, TRAINEE)] == ["yolo-food-bank"]
    assert "Your HMIS access beyond your role" in await said(teams, TRAINEE, "status")
    assert codes(database) == [
        ("agency_access.file", "unknown_person"),
        ("agency_access.confirm", "not_admin"),
        ("agency_access.confirm", "stale"),
    ]


async def test_ending_access_and_a_new_program(teams: TeamsTestbed, database: Database) -> None:
    seed_account(database, TRAINEE, "Jane Doe")
    with database.transaction() as session:
        ledger = SqlLedger(session, lambda: datetime.now(UTC), ())
        ledger.add_grant(TRAINEE, AGENCY_ACCESS, "yolo-food-bank", None)
    values: Values = {"person_email": TRAINEE, "agency": "yolo-food-bank", "why": "Ended."}
    answer = await submit(teams, APPLYING_LEAD, "end-agency-access", values)
    assert "Only leads and supervisors of Yolo Food Bank or of River House" in answer
    assert "Request #1 filed" in await submit(teams, OTHER_LEAD, "end-agency-access", values)
    admin_card = teams.fake.last(TEAMS_ADMIN_CHANNEL)
    _, body = await teams.click(ADMIN, admin_card, "Removed in HMIS")
    assert "no longer sees Yolo Food Bank's clients" in body["value"]
    assert grants_of(database, TRAINEE) == []

    assert "Only an agency's lead" in await said(teams, SUPERVISOR, "program")
    program = {"program": "Street Outreach", "change": "new", "needs": "ESG street outreach."}
    assert "program Street Outreach at River House Shelter" in await submit(
        teams, LEAD, "program", program
    )
    admin_card = teams.fake.last(TEAMS_ADMIN_CHANNEL)
    assert buttons(admin_card.card()) == ["Built in HMIS", "Deny"]
    await teams.click(SECOND_ADMIN, admin_card, "Built in HMIS")
    await teams.settle()
    assert "Built in HMIS, confirmed by Second HMIS Admin" in admin_card.text()
    assert stored_states(database) == ["removed", "built"]
    assert codes(database) == [
        ("end_agency_access.file", "not_authorized"),
        ("program.open_form", "not_authorized"),
    ]


async def test_a_ce_trainer_then_assessor_access_that_lapses(
    teams: TeamsTestbed, database: Database
) -> None:
    seed_account(database, TRAINEE, "Jane Doe")
    seed_account(database, SUPERVISOR, "Sam Supervisor")
    assert "Only an agency's lead names" in await said(teams, SUPERVISOR, "ce-trainer")
    await submit(teams, LEAD, "ce-trainer", {"person": SUPERVISOR})
    admin_card = teams.fake.last(TEAMS_ADMIN_CHANNEL)
    assert "has no Coordinated Entry trainer yet" in admin_card.text()
    await teams.click(ADMIN, admin_card, "Confirm CE trainer")
    await teams.settle()
    assert "You are a Coordinated Entry trainer" in teams.fake.last(personal(SUPERVISOR)).text()

    values: Values = {"person": TRAINEE, "attended": "2024-01-05", "attested": ["yes"]}
    assert "they need to attend again" in await submit(teams, SUPERVISOR, "assessor", values)
    values["attended"] = "2026-11-10"
    assert "Request #2 filed" in await submit(teams, SUPERVISOR, "assessor", values)
    admin_card = teams.fake.last(TEAMS_ADMIN_CHANNEL)
    _, body = await teams.click(ADMIN, admin_card, "Assessor access added")
    assert "Coordinated Entry assessor until Wed Nov 10, 2027" in body["value"]
    await teams.settle()

    teams.clock.now = datetime(2027, 11, 12, 17, 0, tzinfo=UTC)  # Friday 09:00 Pacific
    await sweep(teams)
    lapse = next(
        m for m in teams.fake.messages_in(TEAMS_ADMIN_CHANNEL) if "credential lapsed" in m.text()
    )
    assert "Remove their Coordinated Entry assessor access in HMIS" in lapse.text()
    assert "Assessor access removed" in buttons(admin_card.card()), "its own card, too"
    _, body = await teams.click(SECOND_ADMIN, lapse, "Assessor access removed")
    assert "assessor access is removed" in body["value"]
    await teams.settle()
    assert "Assessor access removed, confirmed by Second HMIS Admin" in admin_card.text()
    assert grants_of(database, TRAINEE) == []
    assert stored_states(database) == ["designated", "removed"]
    assert codes(database) == [
        ("ce_trainer.open_form", "not_authorized"),
        ("ce_assessor.file", "lapsed"),
    ]


async def test_waiting_requests_escalate_in_the_admin_channel(
    teams: TeamsTestbed, database: Database
) -> None:
    seed_account(database, TRAINEE, "Jane Doe")
    await submit(teams, OTHER_LEAD, "agency-access", {"person_email": TRAINEE, "why": "Pantry."})
    program = {"program": "Street Outreach", "change": "new", "needs": "ESG street outreach."}
    await submit(teams, LEAD, "program", program)
    teams.clock.now = datetime(2026, 11, 19, 16, 30, tzinfo=UTC)  # Thursday 08:30 Pacific
    await sweep(teams)
    texts = [m.text() for m in teams.fake.messages_in(TEAMS_ADMIN_CHANNEL)]
    assert any("Waiting on HMIS admins: additional agency access #1" in t for t in texts)
    assert any("Waiting on HMIS admins: New Program Request #2" in t for t in texts)
