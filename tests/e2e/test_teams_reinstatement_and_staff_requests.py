"""Reinstatements and staff members' own role changes on Teams, through Bot Framework
activities only: the same kinds, forms and cards as on Slack, as Adaptive Cards with
Action.Execute buttons, each replaced in place for everyone after a decision."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from chatbot.storage.database import Database
from chatbot.web.server import STATE
from flows.accounts import AccountStatus
from flows.community import Community
from flows.kit.buttons import REASON_FIELD
from tests.conftest import Clock
from tests.e2e.records import account_of, refused, seed_account, stored_states
from tests.e2e.teams_testbed import (
    TEAMS_ADMIN_CHANNEL,
    TeamsTestbed,
    form_inputs,
    inputs_of,
    personal,
    running_bots,
)
from tests.fakes.bot_connector import walk
from tests.reinstating import seed_disabled
from tests.requests import ADMIN, LEAD, OTHER_LEAD, OUTSIDER, SECOND_ADMIN, SUPERVISOR, TRAINEE

EVERYONE = (LEAD, SUPERVISOR, TRAINEE, ADMIN, SECOND_ADMIN, OTHER_LEAD, OUTSIDER)
Values = dict[str, str | list[str] | None]


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


async def submit(teams: TeamsTestbed, email: str, words: str, label: str, values: Values) -> Any:
    assert await teams.say(email, f"hmis-access {words}") in (200, 201)
    form = teams.fake.last(personal(email))
    status, body = await teams.click(email, form, label, form_inputs(values))
    assert status == 200, body
    await teams.settle()
    return body


async def sweep_and_deliver(teams: TeamsTestbed, hours_later: float) -> None:
    """A sweep at the testbed's clock, then delivery ``hours_later`` (business hours)."""
    runtime = teams.http.server.app[STATE].runtime
    assert runtime is not None
    await asyncio.to_thread(runtime.sweeper.sweep, teams.clock.now)
    teams.clock.advance(hours=hours_later)
    runtime.dispatcher.wake()
    await teams.settle()


def mentions(teams: TeamsTestbed, email: str, text: str) -> bool:
    return any(text in posted.text() for posted in teams.fake.messages_in(personal(email)))


async def test_the_person_asks_a_lead_endorses_and_an_admin_re_enables(
    teams: TeamsTestbed, database: Database, clock: Clock
) -> None:
    seed_disabled(database, clock, TRAINEE, "Jane Doe", days=20)
    assert await teams.say(TRAINEE, "hmis-access reinstate") in (200, 201)
    form = teams.fake.last(personal(TRAINEE))
    assert list(inputs_of(form.card())) == ["note"], "nothing to pick: her own account"
    status, body = await teams.click(TRAINEE, form, "Ask my agency", {})
    assert status == 200
    assert "will be asked to endorse it" in str(body["value"])
    await teams.settle()
    assert not mentions(teams, ADMIN, "Jane Doe"), "admins see it only once endorsed"
    lead_card = teams.fake.last(personal(LEAD))
    assert buttons(lead_card.card()) == ["Endorse", "Decline"]
    status, answer = await teams.click(TRAINEE, lead_card, "Endorse")
    assert "nobody endorses their own" in answer["value"]
    status, answer = await teams.click(LEAD, lead_card, "Endorse")
    assert "Endorsed" in answer["value"]
    await teams.settle()
    assert buttons(lead_card.card()) == [], "updated in place"

    admin_card = teams.fake.last(personal(ADMIN))
    second_card = teams.fake.last(personal(SECOND_ADMIN))
    assert buttons(admin_card.card()) == ["Re-enabled in HMIS", "Deny"]
    before = second_card.card()
    status, answer = await teams.click(ADMIN, admin_card, "Re-enabled in HMIS")
    assert "re-enabled" in answer["value"]
    await teams.settle()
    for posted in (admin_card, second_card):
        assert buttons(posted.card()) == []
        assert "Re-enabled in HMIS, confirmed by HMIS Help Desk" in posted.text()
    status, answer = await teams.click(SECOND_ADMIN, second_card, "Re-enabled in HMIS", card=before)
    assert "already moved on" in answer["value"]
    assert account_of(database, TRAINEE).status is AccountStatus.PENDING_FIRST_LOGIN

    trainee_card = teams.fake.last(personal(TRAINEE))
    assert buttons(trainee_card.card()) == ["I've logged in"]
    await teams.click(TRAINEE, trainee_card, "I've logged in")
    await teams.settle()
    assert account_of(database, TRAINEE).status is AccountStatus.ACTIVE
    assert stored_states(database) == ["reinstated"]
    assert [(a, d["reason"]) for a, d in refused(database)] == [
        ("reinstatement.endorse", "not_endorser"),
        ("reinstatement.reenable", "stale"),
    ]


async def test_refusals_and_a_supervisors_decline(
    teams: TeamsTestbed, database: Database, clock: Clock
) -> None:
    seed_disabled(database, clock, TRAINEE, "Jane Doe", days=20)
    await teams.say(OUTSIDER, "hmis-access reinstate")
    assert "Ask your agency lead" in teams.fake.last(personal(OUTSIDER)).text()
    body = await submit(teams, OTHER_LEAD, "reinstate", "Ask HMIS", {"person_email": TRAINEE})
    assert "only its leads or supervisors" in str(body["value"]), "next to the field"

    await submit(teams, TRAINEE, "reinstate", "Ask my agency", {})
    sup_card = teams.fake.last(personal(SUPERVISOR))
    status, body = await teams.click(SUPERVISOR, sup_card, "Decline")
    assert (status, body["type"]) == (200, "application/vnd.microsoft.card.adaptive")
    decline_form = body["value"]
    _, empty = await teams.click(SUPERVISOR, sup_card, "Decline", {REASON_FIELD: ""}, decline_form)
    assert "Give the requester a reason" in str(empty["value"])
    _, body = await teams.click(
        SUPERVISOR,
        sup_card,
        "Decline",
        {REASON_FIELD: "Jane moved to the front desk."},
        decline_form,
    )
    await teams.settle()
    assert "Declined by Sam Supervisor" in sup_card.text()
    assert buttons(sup_card.card()) == []
    assert "Jane moved to the front desk." in teams.fake.last(personal(TRAINEE)).text()
    assert stored_states(database) == ["declined"]
    assert [(a, d.get("reason") or d.get("person_email")) for a, d in refused(database)] == [
        ("reinstatement.open_form", "not_authorized"),
        ("reinstatement.file", "not_authorized"),
        ("reinstatement.decline", "missing_reason"),
    ]


async def test_a_reinstatement_waiting_on_admins_escalates_to_each_admin(
    teams: TeamsTestbed, database: Database, clock: Clock
) -> None:
    seed_disabled(database, clock, TRAINEE, "Jane Doe", days=20)
    await submit(teams, LEAD, "reinstate", "Ask HMIS", {"person": TRAINEE})
    teams.clock.advance(days=2, hours=7, minutes=10)  # Wednesday 17:10
    await sweep_and_deliver(teams, hours_later=15)  # held to Thursday 08:00
    for admin in (ADMIN, SECOND_ADMIN):
        assert mentions(teams, admin, "Waiting on HMIS admins: reinstate Jane Doe (#1)")
    assert not teams.fake.messages_in(TEAMS_ADMIN_CHANNEL), "never in a channel"


async def test_staff_ask_for_their_own_role_and_only_an_endorsed_one_reaches_the_admins(
    teams: TeamsTestbed, database: Database
) -> None:
    seed_account(database, TRAINEE, "Jane Doe")
    assert await teams.say(TRAINEE, "hmis-access role") in (200, 201)
    form = teams.fake.last(personal(TRAINEE))
    assert "person" not in inputs_of(form.card())
    values: Values = {"new_role": "supervisory", "reason": "I lead the team now."}
    status, body = await teams.click(TRAINEE, form, "Ask my agency", form_inputs(values))
    assert "will be asked to endorse it" in str(body["value"])
    await teams.settle()
    assert not teams.fake.messages_in(TEAMS_ADMIN_CHANNEL)
    lead_card = teams.fake.last(personal(LEAD))
    await teams.click(LEAD, lead_card, "Endorse")
    await teams.settle()
    trainee_card = teams.fake.last(personal(TRAINEE))
    for training in ("Clarity General Training", "Privacy & Security Training"):
        await teams.click(TRAINEE, trainee_card, f"I've completed {training}")
        await teams.settle()
    admin_card = teams.fake.last(TEAMS_ADMIN_CHANNEL)
    assert "Endorsed by" in admin_card.text()
    status, answer = await teams.click(SECOND_ADMIN, admin_card, "Role changed in HMIS")
    assert status == 200
    assert "now Supervisory Access" in answer["value"]
    await teams.settle()
    assert account_of(database, TRAINEE).access_role_id == "supervisory"
    assert stored_states(database) == ["changed"]
