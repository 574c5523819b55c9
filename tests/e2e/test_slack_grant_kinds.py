"""Additional agency access and its ending, New Program Requests, CE trainers and assessor
access on Slack, through signed HTTP only (in the bundled community with King County's assessor
training added): filed from the slash command, refused for each wrong actor with the reason
next to the field, decided by an admin with every card updated in place, stale clicks
harmless, each SLA escalated by a sweep, and a lapsed assessor credential sent to the admins."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from chatbot.policy import bundled_preset_path, load_community
from chatbot.storage.database import Database
from chatbot.storage.ledger import SqlLedger
from flows.community import Community
from flows.grants import AGENCY_ACCESS, Grant
from flows.kit.buttons import REASON_FIELD, REASON_FORM
from tests.communities import with_coordinated_entry
from tests.e2e.records import refused, seed_account, stored_states
from tests.e2e.slack_testbed import ADMIN_CHANNEL, USERS, SlackTestbed, card_text, dm, find_button
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

YAN = "yan@yolofoodbank.example.org"
Values = dict[str, str | list[str] | None]


@pytest.fixture(scope="session")
def community() -> Community:
    return with_coordinated_entry(load_community(bundled_preset_path()))


def grants_of(database: Database, email: str) -> list[Grant]:
    with database.transaction() as session:
        return SqlLedger(session, lambda: datetime.now(UTC), ()).grants_of(email)


def add_grant(database: Database, email: str, agency: str) -> None:
    with database.transaction() as session:
        SqlLedger(session, lambda: datetime.now(UTC), ()).add_grant(
            email, AGENCY_ACCESS, agency, None
        )


def codes(database: Database) -> list[tuple[str, str]]:
    """Each refused attempt: its action and its reason, or the code of its refused field."""
    return [(action, next(iter(details.values()))) for action, details in refused(database)]


async def form(slack: SlackTestbed, email: str, word: str) -> dict[str, Any]:
    status, body = await slack.command(email, word)
    assert (status, body) == (200, "")
    await slack.settle()
    return dict(slack.fake.opened_views[-1])


async def refused_at_command(slack: SlackTestbed, email: str, word: str) -> str:
    await slack.command(email, word)
    await slack.settle()
    return slack.last_response_text()


async def file(slack: SlackTestbed, email: str, word: str, values: Values) -> dict[str, Any]:
    answer = await slack.submit(email, await form(slack, email, word), values)
    await slack.settle()
    return answer


async def give_reason(slack: SlackTestbed, email: str, text: str) -> None:
    view = slack.fake.opened_views[-1]
    assert view["callback_id"] == REASON_FORM
    await slack.submit(email, view, {REASON_FIELD: text})
    await slack.settle()


async def test_agency_access_objected_to_then_added(
    slack: SlackTestbed, database: Database
) -> None:
    seed_account(database, TRAINEE, "Jane Doe")
    seed_account(database, YAN, "Yan Pantry", agency_id="yolo-food-bank")
    text = await refused_at_command(slack, OUTSIDER, "agency-access")
    assert "Only leads and supervisors of the agency whose clients" in text
    own = await file(slack, OTHER_LEAD, "agency-access", {"person_email": YAN, "why": "Pantry"})
    assert "they see its clients already" in own["errors"]["person_email"]
    answer = await file(
        slack, OTHER_LEAD, "agency-access", {"person_email": TRAINEE, "why": "Shared pantry."}
    )
    assert "Request #1 filed" in card_text(answer["view"])

    admin_ts, admin_card = slack.last_card(ADMIN_CHANNEL)
    assert "Additional agency access #1: Jane Doe" in card_text(admin_card)
    seen = find_button(admin_card["blocks"], "Added in HMIS")["value"]
    lead_ts, lead_card = slack.last_card(dm(LEAD))
    assert "Yolo Food Bank asks for Jane Doe to see its clients" in card_text(lead_card)
    await slack.click(OTHER_LEAD, dm(LEAD), lead_ts, "Object")
    await slack.settle()
    assert "Only the leads of the person's own agency" in slack.last_response_text()
    await slack.click(LEAD, dm(LEAD), lead_ts, "Object")
    await slack.settle()
    await give_reason(slack, LEAD, "Jane moved to our shelter team.")
    updated = slack.fake.message(ADMIN_CHANNEL, admin_ts)
    assert "Jane moved to our shelter team." in card_text(updated), "updated in place"

    await slack.click(LEAD, ADMIN_CHANNEL, admin_ts, "Added in HMIS")
    await slack.settle()
    assert "Only HMIS admins" in slack.last_response_text()
    await slack.click(ADMIN, ADMIN_CHANNEL, admin_ts, "Added in HMIS")
    await slack.settle()
    assert "can see Yolo Food Bank's clients" in slack.last_response_text()
    assert "Added in HMIS, confirmed by HMIS Help Desk" in card_text(
        slack.fake.message(ADMIN_CHANNEL, admin_ts)
    )
    assert "Added in HMIS, confirmed by" in card_text(slack.fake.message(dm(LEAD), lead_ts))
    _, told = slack.last_card(dm(TRAINEE))
    assert "You can now see Yolo Food Bank's clients in HMIS" in card_text(told)
    await slack.click(SECOND_ADMIN, ADMIN_CHANNEL, admin_ts, "x", value=seen, label_check=False)
    await slack.settle()
    assert "already moved on" in slack.last_response_text()

    await slack.open_home(TRAINEE)
    home = json.dumps(slack.fake.home_view(USERS[TRAINEE]))
    assert "Your HMIS access beyond your role" in home
    assert "Access to Yolo Food Bank" in home
    assert [g.value for g in grants_of(database, TRAINEE)] == ["yolo-food-bank"]
    assert stored_states(database) == ["added"]
    assert codes(database) == [
        ("agency_access.open_form", "not_authorized"),
        ("agency_access.file", "own_agency"),
        ("agency_access.object", "not_home_lead"),
        ("agency_access.confirm", "not_admin"),
        ("agency_access.confirm", "stale"),
    ]


async def test_ending_agency_access(slack: SlackTestbed, database: Database) -> None:
    seed_account(database, TRAINEE, "Jane Doe")
    add_grant(database, TRAINEE, "yolo-food-bank")
    text = await refused_at_command(slack, TRAINEE, "end-agency-access")
    assert "Only agency leads, supervisors and HMIS admins" in text
    values: Values = {"person_email": TRAINEE, "agency": "yolo-food-bank", "why": "Ended."}
    wrong = await file(slack, APPLYING_LEAD, "end-agency-access", values)
    assert "Only leads and supervisors of Yolo Food Bank or of" in wrong["errors"]["person_email"]
    none = await file(slack, LEAD, "end-agency-access", values | {"agency": "delta-outreach"})
    assert "no access to Delta Outreach's clients" in none["errors"]["agency"]
    answer = await file(slack, LEAD, "end-agency-access", values)
    assert "Request #1 filed" in card_text(answer["view"])
    admin_ts, _ = slack.last_card(ADMIN_CHANNEL)
    await slack.click(ADMIN, ADMIN_CHANNEL, admin_ts, "Removed in HMIS")
    await slack.settle()
    assert "no longer sees Yolo Food Bank's clients" in slack.last_response_text()
    assert "Removed in HMIS, confirmed by" in card_text(slack.fake.message(ADMIN_CHANNEL, admin_ts))
    _, told = slack.last_card(dm(TRAINEE))
    assert "Your access to Yolo Food Bank's clients has ended" in card_text(told)
    assert grants_of(database, TRAINEE) == []
    assert codes(database) == [
        ("end_agency_access.open_form", "not_authorized"),
        ("end_agency_access.file", "not_authorized"),
        ("end_agency_access.file", "no_grant"),
    ]


async def test_a_new_program_request_built(slack: SlackTestbed, database: Database) -> None:
    text = await refused_at_command(slack, SUPERVISOR, "program")
    assert "Only an agency's lead (its Technical Administrator)" in text
    values: Values = {"program": "Street Outreach", "change": "new", "needs": "SSN 123-45-6789"}
    bad = await file(slack, LEAD, "program", values)
    assert "client or personal information" in bad["errors"]["needs"]
    answer = await file(slack, LEAD, "program", values | {"needs": "Outreach, ESG funded."})
    assert "program Street Outreach at River House Shelter" in card_text(answer["view"])
    admin_ts, _ = slack.last_card(ADMIN_CHANNEL)
    await slack.click(ADMIN, ADMIN_CHANNEL, admin_ts, "Built in HMIS")
    await slack.settle()
    assert "Built in HMIS, confirmed by HMIS Help Desk" in card_text(
        slack.fake.message(ADMIN_CHANNEL, admin_ts)
    )
    _, lead_card = slack.last_card(dm(LEAD))
    assert "Built in HMIS, confirmed by" in card_text(lead_card)
    assert stored_states(database) == ["built"]


async def test_a_ce_trainer_then_assessor_access_that_lapses(
    slack: SlackTestbed, database: Database
) -> None:
    seed_account(database, TRAINEE, "Jane Doe")
    seed_account(database, SUPERVISOR, "Sam Supervisor")
    text = await refused_at_command(slack, SUPERVISOR, "ce-trainer")
    assert "Only an agency's lead names its Coordinated Entry trainer" in text
    other = await file(slack, OTHER_LEAD, "ce-trainer", {"person_email": SUPERVISOR})
    assert (
        "works for River House Shelter, not for Yolo Food Bank" in other["errors"]["person_email"]
    )
    await file(slack, LEAD, "ce-trainer", {"person": SUPERVISOR})
    admin_ts, admin_card = slack.last_card(ADMIN_CHANNEL)
    assert "has no Coordinated Entry trainer yet" in card_text(admin_card)
    await slack.click(ADMIN, ADMIN_CHANNEL, admin_ts, "Confirm CE trainer")
    await slack.settle()
    _, trainer_card = slack.last_card(dm(SUPERVISOR))
    assert "You are a Coordinated Entry trainer for River House Shelter" in card_text(trainer_card)

    text = await refused_at_command(slack, LEAD, "assessor")
    assert "Only your agency's Coordinated Entry trainer" in text
    future = {"person": TRAINEE, "attended": "2026-11-20", "attested": ["yes"]}
    early = await file(slack, SUPERVISOR, "assessor", future)
    assert "That day has not come yet" in early["errors"]["attended"]
    await file(slack, SUPERVISOR, "assessor", future | {"attended": "2026-11-10"})
    admin_ts, _ = slack.last_card(ADMIN_CHANNEL)
    await slack.click(SUPERVISOR, ADMIN_CHANNEL, admin_ts, "Assessor access added")
    await slack.settle()
    await slack.click(ADMIN, ADMIN_CHANNEL, admin_ts, "Assessor access added")
    await slack.settle()
    _, jane = slack.last_card(dm(TRAINEE))
    assert "You are a Coordinated Entry assessor in HMIS" in card_text(jane)
    assert "Wed Nov 10, 2027" in card_text(jane)

    slack.clock.now = datetime(2027, 11, 11, 17, 0, tzinfo=UTC)  # Thursday 09:00 Pacific
    await slack.sweep()
    slack.clock.now = datetime(2027, 11, 12, 16, 5, tzinfo=UTC)  # the holiday has passed
    await slack.deliver()
    [lapse_ts] = [
        m["ts"]
        for m in slack.fake.messages_in(ADMIN_CHANNEL)
        if "Assessor credential lapsed: remove Jane Doe's" in card_text(m)
    ]
    told = json.dumps(slack.fake.messages_in(dm(TRAINEE)))
    assert "Your Coordinated Entry assessor access has lapsed" in told
    await slack.click(ADMIN, ADMIN_CHANNEL, lapse_ts, "Assessor access removed")
    await slack.settle()
    assert "assessor access is removed" in slack.last_response_text()
    assert "Assessor access removed, confirmed by" in card_text(
        slack.fake.message(ADMIN_CHANNEL, admin_ts)
    ), "the request's own card, updated in place"
    assert grants_of(database, TRAINEE) == []
    assert stored_states(database) == ["designated", "removed"]
    assert codes(database) == [
        ("ce_trainer.open_form", "not_authorized"),
        ("ce_trainer.file", "not_authorized"),
        ("ce_assessor.open_form", "not_authorized"),
        ("ce_assessor.file", "invalid"),
        ("ce_assessor.confirm", "not_admin"),
    ]


async def test_each_kinds_sla_escalates_in_the_admin_channel(
    slack: SlackTestbed, database: Database
) -> None:
    seed_account(database, TRAINEE, "Jane Doe")
    add_grant(database, TRAINEE, "delta-outreach")
    await file(slack, OTHER_LEAD, "agency-access", {"person_email": TRAINEE, "why": "Pantry."})
    ending = {"person_email": TRAINEE, "agency": "delta-outreach", "why": "Program ended."}
    await file(slack, LEAD, "end-agency-access", ending)
    program = {"program": "Street Outreach", "change": "new", "needs": "A new ESG program."}
    await file(slack, LEAD, "program", program)
    await file(slack, LEAD, "ce-trainer", {"person": TRAINEE})

    def waiting() -> str:
        return json.dumps(slack.fake.messages_in(ADMIN_CHANNEL))

    slack.clock.advance(hours=48, minutes=5)  # Wednesday 10:05: 48 hours to remove access
    await slack.sweep()
    assert "Waiting on HMIS admins: ending additional agency access #2 for Jane Doe" in waiting()
    assert "Waiting on HMIS admins: additional agency access" not in waiting()
    slack.clock.advance(hours=7)  # 17:05: two business days have ended, held to the morning
    await slack.sweep()
    slack.clock.advance(hours=15)
    await slack.deliver()
    for title in (
        "additional agency access #1 for Jane Doe",
        "New Program Request #3 for Street Outreach",
        "CE trainer #4 for Jane Doe",
    ):
        assert f"Waiting on HMIS admins: {title}" in waiting()
