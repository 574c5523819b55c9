"""Agency lead and security officer designations and agency onboarding on Teams, through Bot
Framework activities only: the same kinds, forms and cards as on Slack, as Adaptive Cards with
Action.Execute buttons, updated in place; refusals, a stale click and the SLA escalation."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from chatbot.storage.database import Database
from chatbot.web.server import STATE
from flows.community import Community
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
from tests.onboarding import DELTA, DUTIES, king_county_style
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
LEAD_TRAINING = "Technical Administrator/Agency Lead Training"
ANSWERS: dict[str, str | list[str] | None] = {"role_update": "no", "meeting_invite": "yes"}
STEPS = (
    "Partner Agency Privacy Agreement (MOU) signed",
    "Technical Administrator and Security Officer named, trainings done",
    "Onboarding welcome call held",
    "Programs requested",
)


@pytest.fixture
async def teams(
    database_url: str, database: Database, community: Community, clock: Clock
) -> AsyncIterator[TeamsTestbed]:
    kc = king_county_style(community)
    async with running_bots(database_url, kc, clock, with_slack=False) as bots:
        for email in EVERYONE:
            await bots.teams.install(email)
        await bots.teams.install_in_team(ADMIN)
        await bots.teams.settle()
        yield bots.teams


def buttons(card: dict[str, Any]) -> list[str]:
    return [e["title"] for e in walk(card) if e.get("type") == "Action.Execute"]


async def submit(
    teams: TeamsTestbed,
    email: str,
    words: str,
    values: dict[str, str | list[str] | None],
    label: str = "Ask HMIS",
) -> Any:
    assert await teams.say(email, f"hmis-access {words}") in (200, 201)
    form = teams.fake.last(personal(email))
    status, body = await teams.click(email, form, label, form_inputs(values))
    assert status == 200, body
    await teams.settle()
    return body


async def sweep(teams: TeamsTestbed) -> None:
    runtime = teams.http.server.app[STATE].runtime
    assert runtime is not None
    await asyncio.to_thread(runtime.sweeper.sweep, teams.clock.now)
    runtime.dispatcher.wake()
    await teams.settle()


async def test_a_lead_designation_approved_trained_and_set_updates_every_card(
    teams: TeamsTestbed, database: Database
) -> None:
    seed_account(database, TRAINEE, "Jane Doe")
    other = await submit(
        teams, OTHER_LEAD, "lead", {"agency": "river-house", "person_email": TRAINEE, **ANSWERS}
    )
    assert "Pick the agency from the list." in str(other["value"]), "next to the field"
    body = await submit(
        teams, TRAINEE, "lead", {"agency": "river-house", "person": TRAINEE, **ANSWERS}
    )
    assert "Rosa Lead will be asked to approve it" in str(body["value"])
    approver_card = teams.fake.last(personal(LEAD))
    assert buttons(approver_card.card()) == ["Approve", "Decline"]
    status, answer = await teams.click(TRAINEE, approver_card, "Approve")
    assert status == 200
    assert "Only the agency's current leads" in answer["value"]
    status, answer = await teams.click(LEAD, approver_card, "Approve")
    assert status == 200
    assert "does the training first" in answer["value"]
    await teams.settle()
    assert buttons(approver_card.card()) == [], "updated in place"

    trainee_card = teams.fake.last(personal(TRAINEE))
    status, _ = await teams.click(TRAINEE, trainee_card, f"I've completed {LEAD_TRAINING}")
    assert status == 200
    await teams.settle()
    admin_card = teams.fake.last(TEAMS_ADMIN_CHANNEL)
    before = admin_card.card()
    assert "Lead set in HMIS" in buttons(before)
    status, answer = await teams.click(SECOND_ADMIN, admin_card, "Lead set in HMIS")
    assert status == 200
    assert "Jane Doe is now an agency lead" in answer["value"]
    await teams.settle()
    assert "You are now an agency lead (Technical Administrator)" in trainee_card.text()
    assert "Set in HMIS, confirmed by Second HMIS Admin" in admin_card.text()
    status, answer = await teams.click(ADMIN, admin_card, "Lead set in HMIS", card=before)
    assert status == 200
    assert "already moved on" in answer["value"]
    assert stored_states(database) == ["designated"]
    assert [(a, d.get("reason") or d.get("agency")) for a, d in refused(database)] == [
        ("lead_designation.file", "not_authorized"),
        ("lead_designation.approve", "not_approver"),
        ("lead_designation.confirm", "stale"),
    ]


async def test_a_security_officer_named_by_the_lead_reads_the_duties(
    teams: TeamsTestbed, database: Database
) -> None:
    seed_account(database, SUPERVISOR, "Sam Supervisor")
    await teams.say(LEAD, "hmis-access security-officer")
    assert DUTIES in teams.fake.last(personal(LEAD)).text()
    body = await submit(
        teams, LEAD, "security-officer", {"agency": "river-house", "person": SUPERVISOR}
    )
    assert "Security Officer Training first" in str(body["value"])
    sup_card = teams.fake.last(personal(SUPERVISOR))
    await teams.click(SUPERVISOR, sup_card, "I've completed Security Officer Training")
    await teams.settle()
    admin_card = teams.fake.last(TEAMS_ADMIN_CHANNEL)
    status, answer = await teams.click(LEAD, admin_card, "Security officer set in HMIS")
    assert status == 200
    assert "Only HMIS admins" in answer["value"]
    await teams.click(ADMIN, admin_card, "Security officer set in HMIS")
    await teams.settle()
    assert "You are now a security officer of River House Shelter" in sup_card.text()
    assert DUTIES in sup_card.text()


async def test_an_agency_onboarded_step_by_step_then_approved(
    teams: TeamsTestbed, database: Database
) -> None:
    body = await submit(teams, ADMIN, "agency", {"agency": DELTA}, label="Start onboarding")
    assert "Onboarding #1 started for Delta Outreach" in str(body["value"])
    admin_card = teams.fake.last(TEAMS_ADMIN_CHANNEL)
    assert buttons(admin_card.card()) == [*(f"Done: {s}" for s in STEPS), "Decline"]
    lead_card = teams.fake.last(personal(APPLYING_LEAD))
    assert "0 of 4 steps done" in lead_card.text()

    status, answer = await teams.click(APPLYING_LEAD, admin_card, f"Done: {STEPS[0]}")
    assert status == 200
    assert "Only HMIS admins tick" in answer["value"]
    for step in STEPS[:2]:
        status, answer = await teams.click(ADMIN, admin_card, f"Done: {step}")
        assert status == 200
        assert "Recorded" in answer["value"]
        await teams.settle()
    assert "2 of 4 steps done" in lead_card.text(), "the lead's card updated in place"
    await teams.say(APPLYING_LEAD, "hmis-access")
    assert "still onboarding: 2 of 4 steps done" in teams.fake.last(personal(APPLYING_LEAD)).text()
    await teams.say(APPLYING_LEAD, "hmis-access agency")
    assert "Still to do: Onboarding welcome call held; Programs requested" in (
        teams.fake.last(personal(APPLYING_LEAD)).text()
    )
    for step in STEPS[2:]:
        await teams.click(ADMIN, admin_card, f"Done: {step}")
        await teams.settle()
    before = admin_card.card()
    assert buttons(before) == ["Approved", "Decline"]
    status, answer = await teams.click(SECOND_ADMIN, admin_card, "Approved")
    assert status == 200
    assert "Delta Outreach is approved to use HMIS" in answer["value"]
    await teams.settle()
    assert "requests for its staff can be filed now" in lead_card.text()
    status, answer = await teams.click(SECOND_ADMIN, admin_card, "Approved", card=before)
    assert status == 200
    assert "already moved on" in answer["value"]
    assert stored_states(database) == ["approved"]
    assert [(a, d.get("reason")) for a, d in refused(database)] == [
        ("agency_participation.tick", "not_any_admin"),
        ("new_user.open_form", "agency_not_participating"),
        ("agency_participation.approve", "stale"),
    ]


async def test_a_designation_waiting_on_admins_escalates_in_the_admin_channel(
    teams: TeamsTestbed, database: Database
) -> None:
    seed_account(database, TRAINEE, "Jane Doe")
    await submit(teams, LEAD, "lead", {"agency": "river-house", "person": TRAINEE, **ANSWERS})
    trainee_card = teams.fake.last(personal(TRAINEE))
    await teams.click(TRAINEE, trainee_card, f"I've completed {LEAD_TRAINING}")
    await teams.settle()
    teams.clock.advance(days=3)  # Thursday 10:00: two business days ended Wednesday 17:00
    await sweep(teams)
    escalation = teams.fake.last(TEAMS_ADMIN_CHANNEL)
    assert "Waiting on HMIS admins: agency lead #1 for Jane Doe" in escalation.text()
