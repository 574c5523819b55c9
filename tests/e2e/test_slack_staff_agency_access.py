"""A staff member's own request to see another agency's clients on Slack, through signed HTTP
only: filed with the slash command, endorsed or declined by a lead or supervisor of their own
agency (never by the other agency's lead, nor by themselves), only then in the admin channel,
stale clicks harmless, no endorser said at once, and the endorsers reminded by a sweep."""

from __future__ import annotations

from typing import Any

import pytest

from chatbot.policy import bundled_preset_path, load_community
from chatbot.storage.database import Database
from flows.community import Agency, AgencyStatus, Community
from flows.kit.buttons import REASON_FIELD, REASON_FORM
from tests.e2e.records import refused, seed_account, stored_states
from tests.e2e.slack_testbed import ADMIN_CHANNEL, SlackTestbed, card_text, dm, find_button
from tests.requests import ADMIN, LEAD, OTHER_LEAD, OUTSIDER, SUPERVISOR, TRAINEE

OWN = {"agency": "yolo-food-bank", "why": "I run the pantry program we share with them."}


@pytest.fixture(scope="session")
def community() -> Community:
    """The bundled community with an approved agency nobody leads or supervises."""
    bundled = load_community(bundled_preset_path())
    lone = Agency(id="lone-pantry", name="Lone Pantry", coc="yolo", status=AgencyStatus.APPROVED)
    return bundled.model_copy(update={"agencies": (*bundled.agencies, lone)})


async def own_form(slack: SlackTestbed, email: str) -> dict[str, Any]:
    status, body = await slack.command(email, "agency-access")
    assert (status, body) == (200, "")
    await slack.settle()
    return dict(slack.fake.opened_views[-1])


def codes(database: Database) -> list[tuple[str, str]]:
    return [(action, next(iter(details.values()))) for action, details in refused(database)]


async def test_staff_ask_their_lead_endorses_and_an_admin_adds_it(
    slack: SlackTestbed, database: Database
) -> None:
    seed_account(database, TRAINEE, "Jane Doe")
    view = await own_form(slack, TRAINEE)
    assert view["callback_id"] == "agency_access_request"
    assert "Rosa Lead or Sam Supervisor will be asked to endorse" in card_text(view)
    answer = await slack.submit(TRAINEE, view, OWN)
    assert "will be asked to endorse it" in card_text(answer["view"])
    await slack.settle()
    assert slack.fake.messages_in(ADMIN_CHANNEL) == [], "only an endorsed request"
    assert slack.fake.messages_in(dm(OTHER_LEAD)) == [], "the other agency is not asked"
    lead_ts, lead_card = slack.last_card(dm(LEAD))
    assert "Endorse request #1: Jane Doe asks to see Yolo Food Bank's clients" in card_text(
        lead_card
    )
    seen = find_button(lead_card["blocks"], "Endorse")["value"]
    sup_ts, _ = slack.last_card(dm(SUPERVISOR))
    trainee_ts, trainee_card = slack.last_card(dm(TRAINEE))
    assert "Your request #1 to see Yolo Food Bank's clients" in card_text(trainee_card)

    for stranger in (TRAINEE, OTHER_LEAD, ADMIN):
        await slack.click(stranger, dm(LEAD), lead_ts, "x", seen, label_check=False)
        await slack.settle()
        assert "nobody endorses their own" in slack.last_response_text()
    await slack.click(LEAD, dm(LEAD), lead_ts, "Endorse")
    await slack.settle()
    assert "Endorsed: request #1 for Jane Doe" in slack.last_response_text()
    await slack.click(SUPERVISOR, dm(SUPERVISOR), sup_ts, "x", seen, label_check=False)
    await slack.settle()
    assert "already moved on" in slack.last_response_text()
    assert '"button"' not in card_text(slack.fake.message(dm(SUPERVISOR), sup_ts))

    admin_ts, admin_card = slack.last_card(ADMIN_CHANNEL)
    assert "Endorsed by" in card_text(admin_card)
    assert "Check with Yolo Food Bank's lead" in card_text(admin_card)
    await slack.click(ADMIN, ADMIN_CHANNEL, admin_ts, "Added in HMIS")
    await slack.settle()
    assert "can see Yolo Food Bank's clients" in slack.last_response_text()
    mine = card_text(slack.fake.message(dm(TRAINEE), trainee_ts))
    assert "Added in HMIS, confirmed by HMIS Help Desk" in mine, "her card, updated in place"
    assert stored_states(database) == ["added"]
    assert codes(database) == [
        ("agency_access.endorse", "not_endorser"),
        ("agency_access.endorse", "not_endorser"),
        ("agency_access.endorse", "not_endorser"),
        ("agency_access.endorse", "stale"),
    ]


async def test_their_supervisor_declines_and_admins_never_see_it(
    slack: SlackTestbed, database: Database
) -> None:
    seed_account(database, TRAINEE, "Jane Doe")
    await slack.submit(TRAINEE, await own_form(slack, TRAINEE), OWN)
    await slack.settle()
    lead_ts, lead_card = slack.last_card(dm(LEAD))
    endorse = find_button(lead_card["blocks"], "Endorse")["value"]
    sup_ts, _ = slack.last_card(dm(SUPERVISOR))
    trainee_ts, _ = slack.last_card(dm(TRAINEE))
    await slack.click(SUPERVISOR, dm(SUPERVISOR), sup_ts, "Decline")
    await slack.settle()
    reason_view = slack.fake.opened_views[-1]
    assert reason_view["callback_id"] == REASON_FORM
    empty = await slack.submit(SUPERVISOR, reason_view, {REASON_FIELD: ""})
    assert empty["response_action"] == "errors"
    await slack.submit(SUPERVISOR, reason_view, {REASON_FIELD: "The program ends this month."})
    await slack.settle()
    declined = card_text(slack.fake.message(dm(TRAINEE), trainee_ts))
    assert "Declined by Sam Supervisor" in declined, "her card, updated in place"
    assert "The program ends this month." in declined
    assert '"button"' not in card_text(slack.fake.message(dm(LEAD), lead_ts))
    await slack.click(LEAD, dm(LEAD), lead_ts, "x", endorse, label_check=False)
    await slack.settle()
    assert "already moved on" in slack.last_response_text()
    assert stored_states(database) == ["declined"]
    assert slack.fake.messages_in(ADMIN_CHANNEL) == []
    assert codes(database) == [
        ("agency_access.decline", "missing_reason"),
        ("agency_access.endorse", "stale"),
    ]


async def test_staff_with_nobody_to_endorse_and_new_access_for_oneself_are_refused(
    slack: SlackTestbed, database: Database
) -> None:
    seed_account(database, OUTSIDER, "Olu Alone", agency_id="lone-pantry")
    seed_account(database, TRAINEE, "Jane Doe")
    await slack.command(OUTSIDER, "agency-access")
    await slack.settle()
    assert "Lone Pantry has no agency lead or supervisor" in slack.last_response_text()
    await slack.command(TRAINEE)
    await slack.settle()
    assert "Only supervisors or agency leadership" in slack.last_response_text()
    assert stored_states(database) == []
    assert codes(database) == [
        ("agency_access.open_form", "no_endorser"),
        ("new_user.open_form", "not_authorized"),
    ]


async def test_an_unendorsed_request_reminds_the_endorsers(
    slack: SlackTestbed, database: Database
) -> None:
    seed_account(database, TRAINEE, "Jane Doe")
    await slack.submit(TRAINEE, await own_form(slack, TRAINEE), OWN)
    await slack.settle()  # Monday 10:00; five business days end Monday 23, 17:00
    slack.clock.advance(days=7, hours=7, minutes=10)
    await slack.sweep()
    slack.clock.advance(hours=15)
    await slack.deliver()
    for endorser in (LEAD, SUPERVISOR):
        _, reminder = slack.last_card(dm(endorser))
        assert "Waiting for your endorsement: request #1 from Jane Doe" in card_text(reminder)
    assert slack.fake.messages_in(ADMIN_CHANNEL) == []
    assert slack.fake.messages_in(dm(OTHER_LEAD)) == []
