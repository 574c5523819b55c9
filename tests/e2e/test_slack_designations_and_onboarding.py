"""Agency lead and security officer designations and agency onboarding on Slack, through
signed HTTP only: filed from the slash command, approved by the current lead, trained,
confirmed by an admin with every card updated in place, refused for each wrong actor, stale
clicks harmless, and the admins' SLA escalated by a sweep on time."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from chatbot.storage.database import Database
from flows.community import Community
from tests.conftest import Clock
from tests.e2e.records import refused, seed_account, stored_states
from tests.e2e.slack_testbed import (
    ADMIN_CHANNEL,
    USERS,
    SlackTestbed,
    card_text,
    dm,
    find_button,
    running_bot,
)
from tests.onboarding import DELTA, DUTIES, king_county_style
from tests.requests import (
    ADMIN,
    APPLYING_LEAD,
    LEAD,
    OTHER_LEAD,
    OUTSIDER,
    SECOND_ADMIN,
    SUPERVISOR,
    TRAINEE,
)

YURI = "yuri@yolofoodbank.example.org"
LEAD_TRAINING = "Technical Administrator/Agency Lead Training"
ANSWERS = {"role_update": "no", "meeting_invite": "yes"}


@pytest.fixture
async def slack(
    database_url: str, database: Database, community: Community, clock: Clock
) -> AsyncIterator[SlackTestbed]:
    async with running_bot(database_url, king_county_style(community), clock) as testbed:
        yield testbed


async def command_form(slack: SlackTestbed, email: str, word: str) -> dict[str, Any]:
    status, body = await slack.command(email, word)
    assert (status, body) == (200, "")
    await slack.settle()
    return dict(slack.fake.opened_views[-1])


async def test_put_forward_approved_by_the_lead_trained_and_set_in_hmis(
    slack: SlackTestbed, database: Database
) -> None:
    seed_account(database, TRAINEE, "Jane Doe")
    view = await command_form(slack, TRAINEE, "lead")
    assert view["callback_id"] == "lead_designation_request"
    values = {"agency": "river-house", "person": TRAINEE, **ANSWERS}
    answer = await slack.submit(TRAINEE, view, values)
    assert "Rosa Lead will be asked to approve it" in card_text(answer["view"])
    await slack.settle()

    approver_ts, approver_card = slack.last_card(dm(LEAD))
    assert "Jane Doe asked to become an agency lead" in card_text(approver_card)
    await slack.click(OTHER_LEAD, dm(LEAD), approver_ts, "Approve")
    await slack.settle()
    assert "Only the agency's current leads" in slack.last_response_text()
    await slack.click(LEAD, dm(LEAD), approver_ts, "Approve")
    await slack.settle()
    assert "does the training first" in slack.last_response_text()
    assert "Approved by Rosa Lead" in card_text(slack.fake.message(dm(LEAD), approver_ts))

    trainee_ts, trainee_card = slack.last_card(dm(TRAINEE))
    assert "https://training.example.org/agency-lead" in card_text(trainee_card)
    await slack.click(TRAINEE, dm(TRAINEE), trainee_ts, f"I've completed {LEAD_TRAINING}")
    await slack.settle()

    admin_ts, admin_card = slack.last_card(ADMIN_CHANNEL)
    seen = find_button(admin_card["blocks"], "Lead set in HMIS")["value"]
    await slack.click(LEAD, ADMIN_CHANNEL, admin_ts, "Lead set in HMIS")
    await slack.settle()
    assert "Only HMIS admins" in slack.last_response_text()
    await slack.click(ADMIN, ADMIN_CHANNEL, admin_ts, "Lead set in HMIS")
    await slack.settle()
    assert "Jane Doe is now an agency lead of River House Shelter" in slack.last_response_text()
    assert "confirmed by HMIS Help Desk" in card_text(slack.fake.message(ADMIN_CHANNEL, admin_ts))
    assert "You are now an agency lead (Technical Administrator)" in card_text(
        slack.fake.message(dm(TRAINEE), trainee_ts)
    ), "the candidate's card is updated in place"

    await slack.click(SECOND_ADMIN, ADMIN_CHANNEL, admin_ts, "x", value=seen, label_check=False)
    await slack.settle()
    assert "already moved on" in slack.last_response_text()
    assert stored_states(database) == ["designated"]
    new_user = await command_form(slack, TRAINEE, "")
    assert new_user["callback_id"] == "new_user_request", "the new lead files requests"
    assert [(a, d.get("reason")) for a, d in refused(database)] == [
        ("lead_designation.approve", "not_approver"),
        ("lead_designation.confirm", "not_admin"),
        ("lead_designation.confirm", "stale"),
    ]


async def test_wrong_actors_and_a_lapsed_mou_are_refused_with_reasons(
    slack: SlackTestbed, database: Database
) -> None:
    seed_account(database, TRAINEE, "Jane Doe")
    seed_account(database, SUPERVISOR, "Sam Supervisor")
    seed_account(database, YURI, "Yuri Yolo", agency_id="yolo-food-bank")
    await slack.command(OUTSIDER, "lead")
    await slack.settle()
    assert "Only an agency's current leads" in slack.last_response_text()

    view = await command_form(slack, TRAINEE, "lead")
    answer = await slack.submit(
        TRAINEE, view, {"agency": "river-house", "person": SUPERVISOR, **ANSWERS}
    )
    assert "you may put yourself forward" in answer["errors"]["person"]
    view = await command_form(slack, OTHER_LEAD, "lead")
    answer = await slack.submit(
        OTHER_LEAD, view, {"agency": "river-house", "person_email": TRAINEE, **ANSWERS}
    )
    assert answer["errors"]["agency"] == "Pick the agency from the list."
    answer = await slack.submit(
        OTHER_LEAD, view, {"agency": "yolo-food-bank", "person": YURI, **ANSWERS}
    )
    assert "MOU on record was signed Mar 1, 2025 and lapsed" in answer["errors"]["agency"]
    view = await command_form(slack, LEAD, "lead")
    answer = await slack.submit(
        LEAD, view, {"agency": "river-house", "person_email": LEAD, **ANSWERS}
    )
    assert "already an agency lead of River House Shelter" in answer["errors"]["person_email"]
    assert stored_states(database) == []
    assert [(a, d.get("reason") or next(iter(d.values()))) for a, d in refused(database)] == [
        ("lead_designation.open_form", "not_authorized"),
        ("lead_designation.file", "not_authorized"),
        ("lead_designation.file", "not_authorized"),
        ("lead_designation.file", "mou_not_current"),
        ("lead_designation.file", "already"),
    ]


async def test_a_designation_waiting_on_admins_is_escalated_after_two_business_days(
    slack: SlackTestbed, database: Database
) -> None:
    seed_account(database, TRAINEE, "Jane Doe")
    view = await command_form(slack, LEAD, "lead")
    await slack.submit(LEAD, view, {"agency": "river-house", "person": TRAINEE, **ANSWERS})
    await slack.settle()
    trainee_ts, _ = slack.last_card(dm(TRAINEE))
    await slack.click(TRAINEE, dm(TRAINEE), trainee_ts, f"I've completed {LEAD_TRAINING}")
    await slack.settle()
    assert stored_states(database) == ["awaiting_admin"]  # Monday 10:00
    slack.clock.advance(days=2, hours=6, minutes=50)  # Wednesday 16:50
    await slack.sweep()
    assert "Waiting on HMIS admins" not in json.dumps(slack.fake.messages_in(ADMIN_CHANNEL))
    slack.clock.advance(minutes=20)  # two business days have ended: held to Thursday 08:00
    await slack.sweep()
    slack.clock.advance(hours=15)
    await slack.deliver()
    _, escalation = slack.last_card(ADMIN_CHANNEL)
    assert "Waiting on HMIS admins: agency lead #1 for Jane Doe" in card_text(escalation)


async def test_a_security_officer_named_by_the_lead_sees_the_duties(
    slack: SlackTestbed, database: Database
) -> None:
    seed_account(database, SUPERVISOR, "Sam Supervisor")
    view = await command_form(slack, LEAD, "security-officer")
    assert DUTIES in json.dumps(view)
    answer = await slack.submit(LEAD, view, {"agency": "river-house", "person": SUPERVISOR})
    assert "Sam Supervisor will get Security Officer Training first" in card_text(answer["view"])
    await slack.settle()
    sup_ts, _ = slack.last_card(dm(SUPERVISOR))
    await slack.click(
        SUPERVISOR, dm(SUPERVISOR), sup_ts, "I've completed Security Officer Training"
    )
    await slack.settle()
    admin_ts, _ = slack.last_card(ADMIN_CHANNEL)
    await slack.click(SECOND_ADMIN, ADMIN_CHANNEL, admin_ts, "Security officer set in HMIS")
    await slack.settle()
    done = card_text(slack.fake.message(dm(SUPERVISOR), sup_ts))
    assert "You are now a security officer of River House Shelter" in done
    assert DUTIES in done
    assert stored_states(database) == ["designated"]


async def test_an_agency_is_onboarded_step_by_step_then_approved(
    slack: SlackTestbed, database: Database
) -> None:
    view = await command_form(slack, ADMIN, "agency")
    assert view["callback_id"] == "agency_participation_request"
    answer = await slack.submit(ADMIN, view, {"agency": DELTA})
    assert "Onboarding #1 started for Delta Outreach" in card_text(answer["view"])
    await slack.settle()
    admin_ts, admin_card = slack.last_card(ADMIN_CHANNEL)
    assert card_text(admin_card).count('"Done: ') == 4
    lead_ts, lead_card = slack.last_card(dm(APPLYING_LEAD))
    assert "0 of 4 steps done" in card_text(lead_card)

    await slack.command(APPLYING_LEAD)
    await slack.settle()
    assert "still onboarding: 0 of 4 steps done" in slack.last_response_text()
    await slack.click(APPLYING_LEAD, ADMIN_CHANNEL, admin_ts, "Done: Onboarding welcome call held")
    await slack.settle()
    assert "Only HMIS admins tick" in slack.last_response_text()
    for step in (
        "Partner Agency Privacy Agreement (MOU) signed",
        "Technical Administrator and Security Officer named, trainings done",
        "Onboarding welcome call held",
    ):
        await slack.click(ADMIN, ADMIN_CHANNEL, admin_ts, f"Done: {step}")
        await slack.settle()
    assert "3 of 4 steps done" in card_text(slack.fake.message(dm(APPLYING_LEAD), lead_ts))
    await slack.command(APPLYING_LEAD, "agency")
    await slack.settle()
    shown = json.dumps(slack.fake.responses[-1])
    assert "Still to do: Programs requested" in shown
    await slack.open_home(APPLYING_LEAD)
    home = slack.fake.home_view(USERS[APPLYING_LEAD])
    assert "Your agency's HMIS onboarding" in json.dumps(home)

    await slack.click(ADMIN, ADMIN_CHANNEL, admin_ts, "Done: Programs requested")
    await slack.settle()
    await slack.click(ADMIN, ADMIN_CHANNEL, admin_ts, "Approved")
    await slack.settle()
    assert "another HMIS admin" in slack.last_response_text()
    seen = find_button(slack.fake.message(ADMIN_CHANNEL, admin_ts)["blocks"], "Approved")["value"]
    await slack.click(SECOND_ADMIN, ADMIN_CHANNEL, admin_ts, "Approved")
    await slack.settle()
    assert "Delta Outreach is approved to use HMIS" in slack.last_response_text()
    assert "requests for its staff can be filed now" in card_text(
        slack.fake.message(dm(APPLYING_LEAD), lead_ts)
    )
    await slack.click(ADMIN, ADMIN_CHANNEL, admin_ts, "x", value=seen, label_check=False)
    await slack.settle()
    assert "already moved on" in slack.last_response_text()
    new_user = await command_form(slack, APPLYING_LEAD, "")
    assert new_user["callback_id"] == "new_user_request"
    assert stored_states(database) == ["approved"]
    assert [(a, d.get("reason")) for a, d in refused(database)] == [
        ("new_user.open_form", "agency_not_participating"),
        ("agency_participation.tick", "not_any_admin"),
        ("agency_participation.approve", "own_request"),
        ("agency_participation.approve", "stale"),
    ]


async def test_an_onboarding_with_every_step_done_is_escalated(
    slack: SlackTestbed, database: Database
) -> None:
    view = await command_form(slack, ADMIN, "agency")
    await slack.submit(ADMIN, view, {"agency": DELTA})
    await slack.settle()
    admin_ts, admin_card = slack.last_card(ADMIN_CHANNEL)
    for block in admin_card["blocks"]:
        for element in block.get("elements", []):
            if element.get("type") == "button" and element["text"]["text"].startswith("Done"):
                await slack.click(SECOND_ADMIN, ADMIN_CHANNEL, admin_ts, element["text"]["text"])
                await slack.settle()
    assert stored_states(database) == ["ready"]
    slack.clock.advance(days=2, hours=7, minutes=10)  # Wednesday 17:10
    await slack.sweep()
    slack.clock.advance(hours=15)
    await slack.deliver()
    _, escalation = slack.last_card(ADMIN_CHANNEL)
    assert "Waiting on HMIS admins: approve Delta Outreach" in card_text(escalation)
