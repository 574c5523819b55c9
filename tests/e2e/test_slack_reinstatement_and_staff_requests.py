"""Reinstatements and staff members' own role changes on Slack, through signed HTTP only: filed
from the Home tab, the slash command or by the person, endorsed or declined by their agency,
re-enabled by an admin with every card updated in place, each wrong actor refused, stale clicks
harmless, and each clock escalated by a sweep on time."""

from __future__ import annotations

import json
from typing import Any

import pytest

from chatbot.storage.database import Database
from flows.accounts import AccountStatus
from flows.community import Community
from flows.kit.buttons import REASON_FIELD, REASON_FORM
from tests.conftest import Clock
from tests.e2e.records import account_of, refused, seed_account, stored_states
from tests.e2e.slack_testbed import ADMIN_CHANNEL, USERS, SlackTestbed, card_text, dm, find_button
from tests.reinstating import seed_disabled, with_ladder
from tests.requests import ADMIN, LEAD, OTHER_LEAD, OUTSIDER, SECOND_ADMIN, SUPERVISOR, TRAINEE

SLEEPER = "sleeper@riverhouse.example.org"


@pytest.fixture
def community(community: Community) -> Community:
    """The bundled community with a ladder: 90 days a refresher, 6 months every training."""
    return with_ladder(community)


async def command_form(slack: SlackTestbed, email: str, word: str) -> dict[str, Any]:
    status, body = await slack.command(email, word)
    assert (status, body) == (200, "")
    await slack.settle()
    return dict(slack.fake.opened_views[-1])


def block_ids(view: dict[str, Any]) -> list[str]:
    return [b["block_id"] for b in view["blocks"] if "block_id" in b]


async def test_a_lead_reinstates_from_the_home_tab_and_an_admin_re_enables(
    slack: SlackTestbed, database: Database, clock: Clock
) -> None:
    seed_disabled(database, clock, TRAINEE, "Jane Doe", days=20)
    await slack.open_home(LEAD)
    await slack.click_in_home(LEAD, "Reinstate")
    await slack.settle()
    view = slack.fake.opened_views[-1]
    assert view["callback_id"] == "reinstatement_request"
    [person] = [b for b in view["blocks"] if b.get("block_id") == "person"]
    assert person["element"]["initial_option"]["value"] == TRAINEE
    answer = await slack.submit(LEAD, view, {"person": TRAINEE, "note": "Back from leave."})
    assert "Request #1 filed" in card_text(answer["view"])
    assert "(20 days)" in card_text(answer["view"])
    await slack.settle()
    assert slack.fake.messages_in(ADMIN_CHANNEL) == [], "an account event, never in a channel"
    admin_ts, admin_card = slack.last_card(dm(ADMIN))
    assert "Reinstate HMIS access #1: Jane Doe" in card_text(admin_card)
    seen = find_button(admin_card["blocks"], "Re-enabled in HMIS")["value"]
    second_ts, _ = slack.last_card(dm(SECOND_ADMIN))
    trainee_ts, _ = slack.last_card(dm(TRAINEE))

    await slack.click(LEAD, dm(ADMIN), admin_ts, "Re-enabled in HMIS")
    await slack.settle()
    assert "Only HMIS admins" in slack.last_response_text()
    await slack.click(ADMIN, dm(ADMIN), admin_ts, "Re-enabled in HMIS")
    await slack.settle()
    assert "re-enabled" in slack.last_response_text()
    for channel, ts in ((dm(ADMIN), admin_ts), (dm(SECOND_ADMIN), second_ts)):
        updated = card_text(slack.fake.message(channel, ts))
        assert "Re-enabled in HMIS, confirmed by HMIS Help Desk" in updated, "in place"
        assert '"Re-enabled in HMIS", "type": "plain_text"' not in updated
    trainee_card = slack.fake.message(dm(TRAINEE), trainee_ts)
    assert "Your HMIS account is re-enabled" in card_text(trainee_card), "in place"
    assert account_of(database, TRAINEE).status is AccountStatus.PENDING_FIRST_LOGIN

    await slack.click(SECOND_ADMIN, dm(SECOND_ADMIN), second_ts, "x", seen, label_check=False)
    await slack.settle()
    assert "already moved on" in slack.last_response_text()
    await slack.click(TRAINEE, dm(TRAINEE), trainee_ts, "I've logged in")
    await slack.settle()
    assert account_of(database, TRAINEE).status is AccountStatus.ACTIVE
    assert "active again" in card_text(slack.fake.message(dm(TRAINEE), trainee_ts))
    assert stored_states(database) == ["reinstated"]
    assert [(a, d["reason"]) for a, d in refused(database)] == [
        ("reinstatement.reenable", "not_admin"),
        ("reinstatement.reenable", "stale"),
    ]


async def test_the_person_asks_and_their_supervisor_declines(
    slack: SlackTestbed, database: Database, clock: Clock
) -> None:
    seed_disabled(database, clock, TRAINEE, "Jane Doe", days=100)
    view = await command_form(slack, TRAINEE, "reinstate")
    assert block_ids(view) == ["note"], "nothing to pick: her own account"
    assert "Security Training again first" in json.dumps(view)
    answer = await slack.submit(TRAINEE, view, {"note": ""})
    assert "Rosa Lead or Sam Supervisor will be asked to endorse it" in card_text(answer["view"])
    await slack.settle()
    assert slack.fake.messages_in(dm(ADMIN)) == [], "admins see it only once endorsed"
    lead_ts, lead_card = slack.last_card(dm(LEAD))
    assert "Endorse request #1: Jane Doe asks" in card_text(lead_card)
    sup_ts, _ = slack.last_card(dm(SUPERVISOR))
    trainee_ts, _ = slack.last_card(dm(TRAINEE))
    endorse = find_button(lead_card["blocks"], "Endorse")["value"]

    await slack.click(TRAINEE, dm(TRAINEE), trainee_ts, "x", endorse, label_check=False)
    await slack.settle()
    assert "nobody endorses their own" in slack.last_response_text()
    await slack.click(SUPERVISOR, dm(SUPERVISOR), sup_ts, "Decline")
    await slack.settle()
    reason_view = slack.fake.opened_views[-1]
    assert reason_view["callback_id"] == REASON_FORM
    empty = await slack.submit(SUPERVISOR, reason_view, {REASON_FIELD: ""})
    assert empty["response_action"] == "errors"
    await slack.submit(SUPERVISOR, reason_view, {REASON_FIELD: "Jane moved to the front desk."})
    await slack.settle()
    declined = card_text(slack.fake.message(dm(TRAINEE), trainee_ts))
    assert "Declined by Sam Supervisor" in declined, "her card, updated in place"
    assert "Jane moved to the front desk." in declined
    assert '"button"' not in card_text(slack.fake.message(dm(LEAD), lead_ts))
    await slack.click(LEAD, dm(LEAD), lead_ts, "x", endorse, label_check=False)
    await slack.settle()
    assert "already moved on" in slack.last_response_text()
    assert stored_states(database) == ["declined"]
    assert slack.fake.messages_in(dm(ADMIN)) == []
    assert [(a, d["reason"]) for a, d in refused(database)] == [
        ("reinstatement.endorse", "not_endorser"),
        ("reinstatement.decline", "missing_reason"),
        ("reinstatement.endorse", "stale"),
    ]


async def test_an_endorsed_request_takes_its_refresher_then_reaches_the_admins(
    slack: SlackTestbed, database: Database, clock: Clock
) -> None:
    seed_disabled(database, clock, TRAINEE, "Jane Doe", days=100)
    view = await command_form(slack, TRAINEE, "reinstate")
    await slack.submit(TRAINEE, view, {})
    await slack.settle()
    lead_ts, _ = slack.last_card(dm(LEAD))
    await slack.click(LEAD, dm(LEAD), lead_ts, "Endorse")
    await slack.settle()
    assert "Security Training first" in slack.last_response_text()
    trainee_ts, trainee_card = slack.last_card(dm(TRAINEE))
    assert "Training before your HMIS account is re-enabled" in card_text(trainee_card)
    await slack.click(
        TRAINEE, dm(TRAINEE), trainee_ts, "I've completed Privacy & Security Training"
    )
    await slack.settle()
    _, admin_card = slack.last_card(dm(SECOND_ADMIN))
    assert find_button(admin_card["blocks"], "Re-enabled in HMIS")
    assert "Endorsed by" in card_text(admin_card)
    assert stored_states(database) == ["awaiting_admin"]


async def test_wrong_actors_are_refused_with_reasons(
    slack: SlackTestbed, database: Database, clock: Clock
) -> None:
    seed_account(database, TRAINEE, "Jane Doe")
    seed_disabled(database, clock, SLEEPER, "Sid Sleeper", days=20)
    for email, message in (
        (OUTSIDER, "Ask your agency lead or the HMIS help desk"),
        (TRAINEE, "Your HMIS account is active"),
    ):
        await slack.command(email, "reinstate")
        await slack.settle()
        assert message in slack.last_response_text()
    view = await command_form(slack, OTHER_LEAD, "reinstate")
    answer = await slack.submit(OTHER_LEAD, view, {"person_email": SLEEPER})
    assert "only its leads or supervisors" in answer["errors"]["person_email"]
    view = await command_form(slack, LEAD, "reinstate")
    answer = await slack.submit(LEAD, view, {"person_email": TRAINEE})
    assert "Jane Doe's HMIS account is active" in answer["errors"]["person_email"]
    assert stored_states(database) == []
    assert [(a, d.get("reason") or d.get("person_email")) for a, d in refused(database)] == [
        ("reinstatement.open_form", "not_authorized"),
        ("reinstatement.open_form", "not_disabled"),
        ("reinstatement.file", "not_authorized"),
        ("reinstatement.file", "not_disabled"),
    ]


async def test_a_reinstatement_waiting_on_admins_is_escalated_to_each_admin(
    slack: SlackTestbed, database: Database, clock: Clock
) -> None:
    seed_disabled(database, clock, TRAINEE, "Jane Doe", days=20)
    view = await command_form(slack, LEAD, "reinstate")
    await slack.submit(LEAD, view, {"person": TRAINEE})
    await slack.settle()  # Monday 10:00; two business days end Wednesday 17:00
    slack.clock.advance(days=2, hours=6, minutes=50)
    await slack.sweep()
    assert "Waiting on HMIS admins" not in json.dumps(slack.fake.messages_in(dm(ADMIN)))
    slack.clock.advance(minutes=20)
    await slack.sweep()
    slack.clock.advance(hours=15)  # held to Thursday 08:00
    await slack.deliver()
    for admin in (ADMIN, SECOND_ADMIN):
        _, escalation = slack.last_card(dm(admin))
        assert "Waiting on HMIS admins: reinstate Jane Doe (#1)" in card_text(escalation)
        assert "2 business days" in card_text(escalation)
    assert slack.fake.messages_in(ADMIN_CHANNEL) == []


async def test_staff_ask_for_their_own_role_and_a_lead_endorses(
    slack: SlackTestbed, database: Database
) -> None:
    seed_account(database, TRAINEE, "Jane Doe")
    view = await command_form(slack, TRAINEE, "role")
    assert view["callback_id"] == "role_change_request"
    assert "person" not in block_ids(view)
    answer = await slack.submit(TRAINEE, view, {"new_role": "dss", "reason": "x"})
    assert "You already have Direct Service Staff" in answer["errors"]["new_role"]
    answer = await slack.submit(
        TRAINEE, view, {"new_role": "supervisory", "reason": "I lead the team now."}
    )
    assert "will be asked to endorse it" in card_text(answer["view"])
    await slack.settle()
    assert slack.fake.messages_in(ADMIN_CHANNEL) == [], "only an endorsed request"
    lead_ts, lead_card = slack.last_card(dm(LEAD))
    seen = find_button(lead_card["blocks"], "Endorse")["value"]
    sup_ts, _ = slack.last_card(dm(SUPERVISOR))
    await slack.click(LEAD, dm(LEAD), lead_ts, "Endorse")
    await slack.settle()
    assert "Endorsed" in slack.last_response_text()
    await slack.click(SUPERVISOR, dm(SUPERVISOR), sup_ts, "x", seen, label_check=False)
    await slack.settle()
    assert "already moved on" in slack.last_response_text()

    trainee_ts, trainee_card = slack.last_card(dm(TRAINEE))
    assert "Training for your new HMIS role" in card_text(trainee_card)
    for training in ("Clarity General Training", "Privacy & Security Training"):
        await slack.click(TRAINEE, dm(TRAINEE), trainee_ts, f"I've completed {training}")
        await slack.settle()
    admin_ts, admin_card = slack.last_card(ADMIN_CHANNEL)
    assert "Endorsed by" in card_text(admin_card)
    await slack.click(ADMIN, ADMIN_CHANNEL, admin_ts, "Role changed in HMIS")
    await slack.settle()
    assert account_of(database, TRAINEE).access_role_id == "supervisory"
    assert stored_states(database) == ["changed"]
    assert [(a, d.get("reason") or d.get("new_role")) for a, d in refused(database)] == [
        ("role_change.file", "invalid"),
        ("role_change.endorse", "stale"),
    ]


async def test_an_unendorsed_staff_request_reminds_the_leads(
    slack: SlackTestbed, database: Database
) -> None:
    seed_account(database, TRAINEE, "Jane Doe")
    view = await command_form(slack, TRAINEE, "role")
    await slack.submit(TRAINEE, view, {"new_role": "supervisory", "reason": "I lead the team."})
    await slack.settle()  # Monday 10:00; five business days end Monday 23, 17:00
    slack.clock.advance(days=7, hours=7, minutes=10)
    await slack.sweep()
    slack.clock.advance(hours=15)
    await slack.deliver()
    for endorser in (LEAD, SUPERVISOR):
        _, reminder = slack.last_card(dm(endorser))
        assert "Waiting for your endorsement: request #1 from Jane Doe" in card_text(reminder)
    assert USERS[TRAINEE]
    assert slack.fake.messages_in(ADMIN_CHANNEL) == []
