"""The New User Access Request on Teams, through HTTP only: Bot Framework activities in, the
fake connector recording every message the bot sends and updates."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from chatbot.storage.database import Database
from flows.community import Community
from flows.kinds.new_user.form import F, request_form
from flows.kit.buttons import REASON_FIELD
from tests.conftest import Clock
from tests.e2e.records import refused, stored_states
from tests.e2e.teams_testbed import (
    NO_EMAIL_MEMBER,
    TEAMS_ADMIN_CHANNEL,
    TeamsTestbed,
    form_inputs,
    inputs_of,
    personal,
    running_bots,
)
from tests.fakes.bot_connector import walk
from tests.requests import ADMIN, APPLYING_LEAD, LEAD, OUTSIDER, SECOND_ADMIN, SUPERVISOR, TRAINEE
from tests.requests import request_values as values

EVERYONE = (LEAD, SUPERVISOR, TRAINEE, ADMIN, SECOND_ADMIN)
MESSAGE = "application/vnd.microsoft.activity.message"
CARD = "application/vnd.microsoft.card.adaptive"


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


async def open_form(teams: TeamsTestbed, email: str = LEAD) -> Any:
    assert await teams.say(email, "hmis-access") in (200, 201)
    return teams.fake.last(personal(email))


async def file_request(teams: TeamsTestbed, **overrides: Any) -> Any:
    form = await open_form(teams)
    status, body = await teams.click(LEAD, form, "Submit request", form_inputs(values(**overrides)))
    assert status == 200, body
    await teams.settle()
    return body


async def test_from_command_to_account_created(
    teams: TeamsTestbed, database: Database, community: Community
) -> None:
    form = await open_form(teams)
    fields = inputs_of(form.card())
    expected = request_form(community, LEAD).fields()
    assert list(fields) == [f.id for f in expected]
    assert all(fields[f.id]["isRequired"] is f.required for f in expected)
    assert fields[F.TRAINEE_EMAIL]["label"] == "New user's work e-mail"

    status, body = await teams.click(LEAD, form, "Submit request", form_inputs(values()))
    assert (status, body["statusCode"], body["type"]) == (200, 200, CARD)
    assert "Request #1 filed" in str(body["value"])
    await teams.settle()

    admin_card = teams.fake.last(TEAMS_ADMIN_CHANNEL)
    assert "Waiting for staff verification" in admin_card.text()
    assert buttons(admin_card.card()) == ["Deny"]
    assert "Withdraw request" in buttons(teams.fake.last(personal(LEAD)).card())

    verification = teams.fake.last(personal(SUPERVISOR))
    status, body = await teams.click(SUPERVISOR, verification, "Confirm background check passed")
    assert (status, body["type"]) == (200, MESSAGE)
    assert "Staff verification confirmed" in body["value"]
    await teams.settle()
    assert buttons(verification.card()) == []  # updated in place: nothing left to click

    training = teams.fake.last(personal(TRAINEE))
    assert "https://training.example.org/general" in training.text()
    for name in ("Clarity General Training", "Privacy & Security Training"):
        await teams.click(TRAINEE, training, f"I've completed {name}")
        await teams.settle()

    assert buttons(admin_card.card()) == ["Approve", "Deny"]
    await teams.click(ADMIN, admin_card, "Approve")
    await teams.settle()
    assert "Approved by HMIS Help Desk" in admin_card.text()

    await teams.click(SECOND_ADMIN, admin_card, "Account created in HMIS")
    await teams.settle()
    ready = teams.fake.last(personal(TRAINEE))
    assert ready.id != training.id
    assert "HMIS will send your login details directly" in ready.text()
    assert "Account created by Second HMIS Admin" in admin_card.text()
    assert buttons(admin_card.card()) == []
    # One admin card, posted once and replaced in place at every step.
    assert len(teams.fake.messages_in(TEAMS_ADMIN_CHANNEL)) == 1
    assert len(admin_card.updates) >= 5

    await teams.click(TRAINEE, ready, "I've logged in")
    await teams.settle()
    assert stored_states(database) == ["active"]
    assert refused(database) == []


async def test_field_errors_come_back_next_to_the_fields(
    teams: TeamsTestbed, database: Database
) -> None:
    form = await open_form(teams)
    bad = values(**{F.TRAINEE_EMAIL: "jane@gmail.com", F.SUPERVISOR_EMAIL: None})
    status, body = await teams.click(LEAD, form, "Submit request", form_inputs(bad))
    assert (status, body["type"]) == (200, CARD)
    card = body["value"]
    items = card["body"]
    email_at = next(i for i, e in enumerate(items) if e.get("id") == F.TRAINEE_EMAIL)
    assert items[email_at]["value"] == "jane@gmail.com"  # what was typed is kept
    assert items[email_at + 2]["color"] == "Attention"  # after the hint: the error
    assert "personal mail service" in items[email_at + 2]["text"]
    assert any("supervisor's work e-mail" in str(e.get("text")) for e in items)
    assert stored_states(database) == []
    assert refused(database)[0][0] == "new_user.file"

    status, body = await teams.click(LEAD, form, "Submit request", form_inputs(values()), card=card)
    assert "Request #1 filed" in str(body["value"])


async def test_in_a_channel_the_form_opens_in_a_dialog(
    teams: TeamsTestbed, database: Database
) -> None:
    assert await teams.say(LEAD, "hmis-access", TEAMS_ADMIN_CHANNEL) in (200, 201)
    launcher = teams.fake.last(TEAMS_ADMIN_CHANNEL)
    status, body = await teams.open_dialog(LEAD, launcher, "Open the hmis access request form")
    assert status == 200, body
    form = body["task"]["value"]["card"]["content"]
    assert body["task"]["type"] == "continue"
    assert F.ACCESS_ROLE in inputs_of(form)
    assert form["actions"][0]["type"] == "Action.Submit"

    status, body = await teams.submit_dialog(
        LEAD, TEAMS_ADMIN_CHANNEL, form, form_inputs(values(**{F.ACCESS_ROLE: "root"}))
    )
    assert (status, body["task"]["type"]) == (200, "continue")
    errored = body["task"]["value"]["card"]["content"]
    assert "not in this community's catalog" in str(errored)

    status, body = await teams.submit_dialog(
        LEAD, TEAMS_ADMIN_CHANNEL, errored, form_inputs(values())
    )
    assert (status, body["task"]["type"]) == (200, "message")
    assert "Request #1 filed" in body["task"]["value"]
    assert stored_states(database) == ["awaiting_verification"]


async def test_deny_asks_for_a_reason_in_place(teams: TeamsTestbed, database: Database) -> None:
    await file_request(teams)
    admin_card = teams.fake.last(TEAMS_ADMIN_CHANNEL)
    status, body = await teams.click(ADMIN, admin_card, "Deny")
    assert (status, body["type"]) == (200, CARD)
    deny_form = body["value"]
    status, body = await teams.click(ADMIN, admin_card, "Deny", {REASON_FIELD: ""}, deny_form)
    assert body["type"] == CARD
    assert "Give the requester a reason" in str(body["value"])
    await teams.click(
        ADMIN, admin_card, "Deny", {REASON_FIELD: "Agency MOU has lapsed"}, body["value"]
    )
    await teams.settle()
    assert "Denied by HMIS Help Desk" in admin_card.text()
    assert "Agency MOU has lapsed" in admin_card.text()
    assert buttons(admin_card.card()) == []
    assert "Agency MOU has lapsed" in teams.fake.last(personal(LEAD)).text()
    assert stored_states(database) == ["denied"]


async def test_each_refusal_says_why_and_changes_nothing(
    teams: TeamsTestbed, database: Database
) -> None:
    for email, message in (
        (OUTSIDER, "Only supervisors or agency leadership"),
        (APPLYING_LEAD, "Delta Outreach is not yet approved to use HMIS"),
    ):
        await teams.install(email)
        await teams.say(email, "hmis-access")
        assert message in teams.fake.last(personal(email)).text()
    await teams.install(NO_EMAIL_MEMBER)
    await teams.say(NO_EMAIL_MEMBER, "hmis-access")
    assert "could not find a work e-mail" in teams.fake.last(personal(NO_EMAIL_MEMBER)).text()
    await file_request(teams)
    admin_card = teams.fake.last(TEAMS_ADMIN_CHANNEL)
    verification = teams.fake.last(personal(SUPERVISOR))

    _, body = await teams.click(LEAD, verification, "Confirm background check passed")
    assert "Only Sam Supervisor" in body["value"]
    _, body = await teams.click(LEAD, admin_card, "Deny")
    assert (body["type"], body["value"]) == (MESSAGE, "Only HMIS admins can do that.")

    stale = verification.card()
    await teams.click(SUPERVISOR, verification, "Confirm background check passed")
    await teams.settle()
    _status, body = await teams.click(
        SUPERVISOR, verification, "Confirm background check passed", card=stale
    )
    assert "already moved on" in body["value"]  # a decided card changes nothing, and says so
    assert stored_states(database) == ["training"]
    assert [d["reason"] for _, d in refused(database)] == [
        "not_authorized",
        "agency_not_participating",
        "no_email_in_profile",
        "not_supervisor",
        "not_admin",
        "stale",
    ]


async def test_status_and_help(teams: TeamsTestbed) -> None:
    await file_request(teams)
    await teams.say(LEAD, "hmis-access status")
    assert "Your HMIS requests" in teams.fake.last(personal(LEAD)).text()
    await teams.say(ADMIN, "status")
    queue = teams.fake.last(personal(ADMIN))
    assert "HMIS admin queue" in queue.text()
    assert "Jane Doe" in queue.text()
    await teams.say(LEAD, "help")
    assert "hmis-access status" in teams.fake.last(personal(LEAD)).text()
