"""Deactivations and access-role changes on Slack, through signed HTTP only: filed from the
slash command or the Home tab, refused for each wrong actor, confirmed by an admin with the
cards updated in place, stale clicks harmless, and each SLA escalated by a sweep on time."""

from __future__ import annotations

import json
from typing import Any

from chatbot.storage.database import Database
from flows.accounts import AccountStatus
from tests.e2e.records import account_of, refused, seed_account, stored_states
from tests.e2e.slack_testbed import ADMIN_CHANNEL, USERS, SlackTestbed, card_text, dm, find_button
from tests.requests import ADMIN, LEAD, OTHER_LEAD, OUTSIDER, SECOND_ADMIN, SUPERVISOR, TRAINEE

LEAVER = "leaver@riverhouse.example.org"


async def command_form(slack: SlackTestbed, email: str, word: str) -> dict[str, Any]:
    status, body = await slack.command(email, word)
    assert (status, body) == (200, "")
    await slack.settle()
    return dict(slack.fake.opened_views[-1])


def initial_person(view: dict[str, Any]) -> str | None:
    [block] = [b for b in view["blocks"] if b.get("block_id") == "person"]
    initial = block["element"].get("initial_option")
    return initial["value"] if initial else None


async def test_a_lead_deactivates_from_the_home_tab_and_an_admin_confirms(
    slack: SlackTestbed, database: Database
) -> None:
    seed_account(database, LEAVER, "Lee Leaver")
    await slack.open_home(LEAD)
    home = slack.fake.home_view(USERS[LEAD])
    assert home is not None
    assert "HMIS accounts at River House Shelter" in json.dumps(home)
    await slack.click_in_home(LEAD, "Deactivate")
    await slack.settle()
    view = slack.fake.opened_views[-1]
    assert view["callback_id"] == "deactivation_request"
    assert initial_person(view) == LEAVER

    answer = await slack.submit(LEAD, view, {"person": LEAVER, "reason": "left_agency"})
    assert "Request #1 filed" in card_text(answer["view"])
    await slack.settle()
    assert slack.fake.messages_in(ADMIN_CHANNEL) == [], "never in a channel"
    admin_ts, admin_card = slack.last_card(dm(ADMIN))
    assert "Lee Leaver" in card_text(admin_card)
    second_ts, _ = slack.last_card(dm(SECOND_ADMIN))

    await slack.click(LEAD, dm(ADMIN), admin_ts, "Deactivated in HMIS")
    await slack.settle()
    assert "Only HMIS admins" in slack.last_response_text()
    await slack.click(ADMIN, dm(ADMIN), admin_ts, "Deactivated in HMIS")
    await slack.settle()
    assert "deactivated" in slack.last_response_text()
    for channel, ts in ((dm(ADMIN), admin_ts), (dm(SECOND_ADMIN), second_ts)):
        updated = slack.fake.message(channel, ts)
        assert "confirmed by HMIS Help Desk" in card_text(updated), "updated in place"
        assert 'Deactivated in HMIS", "type": "plain_text' not in card_text(updated)
    _, lead_card = slack.last_card(dm(LEAD))
    assert "Deactivated in HMIS, confirmed by" in card_text(lead_card)

    stale = slack.fake.message(dm(ADMIN), admin_ts)
    await slack.click(
        SECOND_ADMIN, dm(ADMIN), admin_ts, "x", value="deactivation confirm 1 1", label_check=False
    )
    await slack.settle()
    assert "already moved on" in slack.last_response_text()
    assert stale == slack.fake.message(dm(ADMIN), admin_ts)
    assert stored_states(database) == ["deactivated"]
    assert account_of(database, LEAVER).status is AccountStatus.DEACTIVATED
    assert [(a, d["reason"]) for a, d in refused(database)] == [
        ("deactivation.confirm", "not_admin"),
        ("deactivation.confirm", "stale"),
    ]


async def test_wrong_actors_are_refused_with_reasons(
    slack: SlackTestbed, database: Database
) -> None:
    seed_account(database, LEAVER, "Lee Leaver")
    for email in (TRAINEE, OUTSIDER):
        await slack.command(email, "deactivate")
        await slack.settle()
        assert "Only agency leads, supervisors and HMIS admins" in slack.last_response_text()
    view = await command_form(slack, OTHER_LEAD, "deactivate")
    answer = await slack.submit(OTHER_LEAD, view, {"person_email": LEAVER, "reason": "left_agency"})
    assert answer["response_action"] == "errors"
    assert "only its leads or supervisors" in answer["errors"]["person_email"]
    view = await command_form(slack, SUPERVISOR, "deactivate")
    answer = await slack.submit(
        SUPERVISOR, view, {"person_email": SUPERVISOR, "reason": "no_longer_needed"}
    )
    assert "Nobody files this for themselves" in answer["errors"]["person_email"]
    assert stored_states(database) == []
    assert [(a, d.get("reason") or d.get("person_email")) for a, d in refused(database)] == [
        ("deactivation.open_form", "not_authorized"),
        ("deactivation.open_form", "not_authorized"),
        ("deactivation.file", "not_authorized"),
        ("deactivation.file", "self_request"),
    ]


async def test_an_unconfirmed_deactivation_is_escalated_when_its_sla_lapses(
    slack: SlackTestbed, database: Database
) -> None:
    seed_account(database, LEAVER, "Lee Leaver")
    view = await command_form(slack, LEAD, "deactivate")
    await slack.submit(LEAD, view, {"person": LEAVER, "reason": "left_agency"})
    await slack.settle()
    slack.clock.advance(hours=47, minutes=50)
    await slack.sweep()
    assert "Overdue" not in card_text(slack.last_card(dm(ADMIN))[1])
    slack.clock.advance(minutes=15)
    await slack.sweep()
    _, escalation = slack.last_card(dm(ADMIN))
    assert "Overdue: deactivate Lee Leaver" in card_text(escalation)
    assert "48 hours" in card_text(escalation)


async def test_a_role_change_with_training_first_then_an_admin_changes_it(
    slack: SlackTestbed, database: Database
) -> None:
    seed_account(database, TRAINEE, "Jane Doe")
    view = await command_form(slack, LEAD, "role")
    assert view["callback_id"] == "role_change_request"
    other = await command_form(slack, OTHER_LEAD, "role")
    answer = await slack.submit(
        OTHER_LEAD, other, {"person_email": TRAINEE, "new_role": "supervisory", "reason": "Why"}
    )
    assert "only its leads or supervisors" in answer["errors"]["person_email"]
    answer = await slack.submit(LEAD, view, {"person": TRAINEE, "new_role": "dss", "reason": "x"})
    assert "already have Direct Service Staff" in answer["errors"]["new_role"]
    answer = await slack.submit(
        LEAD, view, {"person": TRAINEE, "new_role": "supervisory", "reason": "Leads the team."}
    )
    assert "will get the training it needs first" in card_text(answer["view"])
    await slack.settle()

    trainee_ts, trainee_card = slack.last_card(dm(TRAINEE))
    assert "Training for your new HMIS role" in card_text(trainee_card)
    for training in ("Clarity General Training", "Privacy & Security Training"):
        await slack.click(TRAINEE, dm(TRAINEE), trainee_ts, f"I've completed {training}")
        await slack.settle()
    admin_ts, admin_card = slack.last_card(ADMIN_CHANNEL)
    seen = find_button(admin_card["blocks"], "Role changed in HMIS")["value"]
    await slack.click(ADMIN, ADMIN_CHANNEL, admin_ts, "Role changed in HMIS")
    await slack.settle()
    assert account_of(database, TRAINEE).access_role_id == "supervisory"
    assert "Your HMIS access role is now Supervisory Access" in card_text(
        slack.fake.message(dm(TRAINEE), trainee_ts)
    ), "the trainee's card is updated in place"
    await slack.click(SECOND_ADMIN, ADMIN_CHANNEL, admin_ts, "x", value=seen, label_check=False)
    await slack.settle()
    assert "already moved on" in slack.last_response_text()
    assert stored_states(database) == ["changed"]


async def test_a_role_change_waiting_on_admins_is_escalated_after_one_business_day(
    slack: SlackTestbed, database: Database
) -> None:
    seed_account(database, TRAINEE, "Jane Doe", role="supervisory")
    view = await command_form(slack, LEAD, "role")
    await slack.submit(LEAD, view, {"person": TRAINEE, "new_role": "dss", "reason": "Steps back."})
    await slack.settle()
    trainee_ts, _ = slack.last_card(dm(TRAINEE))
    for training in ("Clarity General Training", "Privacy & Security Training"):
        await slack.click(TRAINEE, dm(TRAINEE), trainee_ts, f"I've completed {training}")
        await slack.settle()
    assert stored_states(database) == ["awaiting_admin"]  # Monday 10:00
    slack.clock.advance(days=1, hours=6, minutes=50)  # Tuesday 16:50, before the close
    await slack.sweep()
    assert "Waiting on HMIS admins" not in json.dumps(slack.fake.messages_in(ADMIN_CHANNEL))
    slack.clock.advance(minutes=20)  # one business day has ended: held to Wednesday 08:00
    await slack.sweep()
    assert "Waiting on HMIS admins" not in json.dumps(slack.fake.messages_in(ADMIN_CHANNEL))
    slack.clock.advance(hours=15)
    await slack.deliver()
    _, escalation = slack.last_card(ADMIN_CHANNEL)
    assert "Waiting on HMIS admins: role change #1 for Jane Doe" in card_text(escalation)
