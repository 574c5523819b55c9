"""The New User Access Request on Slack, through HTTP only, from /hmis-access to account created."""

from __future__ import annotations

import json
import time
from typing import Any

from chatbot.storage.database import Database
from flows.kinds.new_user.form import F
from flows.kit.buttons import REASON_FIELD, REASON_FORM
from tests.e2e.records import refused, stored_states
from tests.e2e.slack_testbed import (
    ADMIN_CHANNEL,
    NO_EMAIL_USER,
    USERS,
    SlackTestbed,
    card_text,
    dm,
)
from tests.requests import (
    ADMIN,
    APPLYING_LEAD,
    LEAD,
    OUTSIDER,
    SECOND_ADMIN,
    SUPERVISOR,
    TRAINEE,
    request_values,
)


async def open_form(slack: SlackTestbed, email: str = LEAD) -> dict[str, Any]:
    status, body = await slack.command(email)
    assert (status, body) == (200, "")
    await slack.settle()
    view: dict[str, Any] = slack.fake.opened_views[-1]
    assert view["callback_id"] == "new_user_request"
    return view


async def file_request(slack: SlackTestbed, **overrides: Any) -> dict[str, Any]:
    view = await open_form(slack)
    answer = await slack.submit(LEAD, view, request_values(**overrides))
    await slack.settle()
    return answer


async def test_from_slash_command_to_account_created(
    slack: SlackTestbed, database: Database
) -> None:
    view = await open_form(slack)
    labels = [b.get("label", {}).get("text") for b in view["blocks"]]
    assert "Access role" in labels
    assert "Additional agency access" in labels

    answer = await slack.submit(LEAD, view, request_values())
    assert answer["response_action"] == "update"
    assert "Request #1 filed" in card_text(answer["view"])
    await slack.settle()

    admin_ts, admin_card = slack.last_card(ADMIN_CHANNEL)
    assert "Jane Doe" in card_text(admin_card)
    assert "waiting for Sam Supervisor to confirm the staff verification" in admin_card["text"]
    assert "Withdraw request" in card_text(slack.last_card(dm(LEAD))[1])

    sup_ts, _ = slack.last_card(dm(SUPERVISOR))
    await slack.click(SUPERVISOR, dm(SUPERVISOR), sup_ts, "Confirm background check passed")
    await slack.settle()
    assert "Staff verification confirmed" in slack.last_response_text()

    trainee_ts, trainee_card = slack.last_card(dm(TRAINEE))
    assert "https://training.example.org/general" in card_text(trainee_card)
    for training in ("Clarity General Training", "Privacy & Security Training"):
        await slack.click(TRAINEE, dm(TRAINEE), trainee_ts, f"I've completed {training}")
        await slack.settle()

    _, admin_card = slack.last_card(ADMIN_CHANNEL)
    assert "Reported complete" in card_text(admin_card)
    await slack.click(ADMIN, ADMIN_CHANNEL, admin_ts, "Approve")
    await slack.settle()
    _, admin_card = slack.last_card(ADMIN_CHANNEL)
    assert "Approved by HMIS Help Desk" in card_text(admin_card)

    await slack.click(SECOND_ADMIN, ADMIN_CHANNEL, admin_ts, "Account created in HMIS")
    await slack.settle()
    ready_ts, ready = slack.last_card(dm(TRAINEE))
    assert ready_ts != trainee_ts
    assert "HMIS will send your login details directly" in card_text(ready)

    _, admin_card = slack.last_card(ADMIN_CHANNEL)
    assert "Account created by Second HMIS Admin" in card_text(admin_card)
    assert '"button"' not in card_text(admin_card)
    # The admin card was posted once and updated in place at every step.
    assert len(slack.fake.messages_in(ADMIN_CHANNEL)) == 1
    assert len(slack.fake.updates(ADMIN_CHANNEL, admin_ts)) >= 5

    await slack.click(TRAINEE, dm(TRAINEE), ready_ts, "I've logged in")
    await slack.settle()
    assert stored_states(database) == ["active"]
    assert refused(database) == []


async def test_field_errors_come_back_inline_and_store_nothing(
    slack: SlackTestbed, database: Database
) -> None:
    view = await open_form(slack)
    answer = await slack.submit(
        LEAD, view, request_values(**{F.TRAINEE_EMAIL: "jane@gmail.com", F.SUPERVISOR_EMAIL: None})
    )
    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == {F.TRAINEE_EMAIL, F.SUPERVISOR_EMAIL}
    assert "personal mail service" in answer["errors"][F.TRAINEE_EMAIL]
    assert stored_states(database) == []
    assert refused(database)[0][0] == "new_user.file"


async def test_refused_requests_say_why(slack: SlackTestbed, database: Database) -> None:
    view = await open_form(slack)
    cases = {
        F.TRAINEE_EMAIL: ({F.TRAINEE_EMAIL: LEAD}, "may not request their own"),
        F.ACCESS_ROLE: ({F.ACCESS_ROLE: "root"}, "not in this community's catalog"),
        F.ADDITIONAL_AGENCIES: ({F.ADDITIONAL_AGENCIES: ["atlantis"]}, "participating agencies"),
        F.AGENCY: ({F.AGENCY: "delta-outreach", F.COC: "yolo"}, "may request access for its staff"),
    }
    for field, (overrides, message) in cases.items():
        answer = await slack.submit(LEAD, view, request_values(**overrides))
        assert message in answer["errors"][field], field
    await slack.submit(LEAD, view, request_values())
    duplicate = await slack.submit(LEAD, view, request_values())
    assert "already has an open request" in duplicate["errors"][F.TRAINEE_EMAIL]
    assert stored_states(database) == ["awaiting_verification"]
    assert len(refused(database)) == len(cases) + 1


async def test_who_may_not_file_is_told_at_the_command(
    slack: SlackTestbed, database: Database
) -> None:
    for email, message in (
        (OUTSIDER, "Only supervisors or agency leadership"),
        (APPLYING_LEAD, "Delta Outreach is not yet approved to use HMIS"),
        (NO_EMAIL_USER, "could not find a work e-mail"),
    ):
        status, _ = await slack.command(email)
        assert status == 200
        await slack.settle()
        assert message in slack.last_response_text()
    assert slack.fake.opened_views == []
    assert [action for action, _ in refused(database)] == ["new_user.open_form"] * 2 + [
        "chat.command"
    ]


async def test_decisions_are_admin_only_once_and_never_on_ones_own(
    slack: SlackTestbed, database: Database
) -> None:
    await reach_approval(slack)
    admin_ts, card = slack.last_card(ADMIN_CHANNEL)
    stale_approve = find_value(card, "Approve")

    await slack.click(LEAD, ADMIN_CHANNEL, admin_ts, "Approve")
    await slack.settle()
    assert "Only HMIS admins" in slack.last_response_text()
    assert stored_states(database) == ["awaiting_approval"]

    await slack.click(ADMIN, ADMIN_CHANNEL, admin_ts, "Approve")
    await slack.settle()
    await slack.click(
        SECOND_ADMIN, ADMIN_CHANNEL, admin_ts, "Account created in HMIS", value=stale_approve
    )
    await slack.settle()
    assert "already moved on" in slack.last_response_text()
    assert stored_states(database) == ["approved"]
    assert [d["reason"] for _, d in refused(database)] == ["not_admin", "stale"]


async def test_deny_asks_for_a_reason_in_a_modal(slack: SlackTestbed, database: Database) -> None:
    await file_request(slack)
    admin_ts, _ = slack.last_card(ADMIN_CHANNEL)
    await slack.click(ADMIN, ADMIN_CHANNEL, admin_ts, "Deny")
    await slack.settle()
    deny_view = slack.fake.opened_views[-1]
    assert deny_view["callback_id"] == REASON_FORM
    empty = await slack.submit(ADMIN, deny_view, {REASON_FIELD: ""})
    assert empty["response_action"] == "errors"
    await slack.submit(ADMIN, deny_view, {REASON_FIELD: "Agency MOU has lapsed"})
    await slack.settle()
    _, card = slack.last_card(ADMIN_CHANNEL)
    assert "Denied by HMIS Help Desk" in card_text(card)
    assert "Agency MOU has lapsed" in card_text(card)
    assert '"button"' not in card_text(card)
    assert "Agency MOU has lapsed" in card_text(slack.last_card(dm(LEAD))[1])
    assert stored_states(database) == ["denied"]


async def test_status_and_app_home(slack: SlackTestbed) -> None:
    await file_request(slack)
    await slack.command(LEAD, "status")
    await slack.settle()
    status = slack.fake.responses[-1]
    assert "Your HMIS requests" in status["text"]
    assert "Jane Doe" in json.dumps(status["blocks"])

    await slack.open_home(ADMIN)
    home = json.dumps(slack.fake.home_view(USERS[ADMIN]))
    assert "HMIS admin queue" in home
    assert "Jane Doe" in home

    await slack.open_home(LEAD)
    assert "HMIS admin queue" not in json.dumps(slack.fake.home_view(USERS[LEAD]))

    status_code, body = await slack.command(LEAD, "help")
    assert status_code == 200
    assert "/hmis-access status" in body


async def test_unsigned_stale_and_malformed_requests_touch_nothing(
    slack: SlackTestbed, database: Database
) -> None:
    body = "command=%2Fhmis-access&user_id=ULEAD&text="
    assert (await slack.post(body, headers={}))[0] == 401
    stale = slack.signed(body, timestamp=int(time.time()) - 600)
    assert (await slack.post(body, stale))[0] == 401
    wrong = slack.signed(body) | {"X-Slack-Signature": "v0=" + "0" * 64}
    assert (await slack.post(body, wrong))[0] == 401
    assert (await slack.post("payload=%7Bnot-json"))[0] == 400
    assert (await slack.post("payload=%5B%5D"))[0] in (400, 404)
    await slack.settle()
    assert slack.fake.calls_to("views.open") == []
    assert stored_states(database) == []


async def reach_approval(slack: SlackTestbed) -> None:
    await file_request(slack)
    sup_ts, _ = slack.last_card(dm(SUPERVISOR))
    await slack.click(SUPERVISOR, dm(SUPERVISOR), sup_ts, "Confirm background check passed")
    await slack.settle()
    trainee_ts, _ = slack.last_card(dm(TRAINEE))
    for training in ("Clarity General Training", "Privacy & Security Training"):
        await slack.click(TRAINEE, dm(TRAINEE), trainee_ts, f"I've completed {training}")
        await slack.settle()


def find_value(message: dict[str, Any], label: str) -> str:
    for block in message["blocks"]:
        for element in block.get("elements", []):
            if element.get("type") == "button" and element["text"]["text"] == label:
                return str(element["value"])
    raise AssertionError(label)


async def test_admins_approve_from_the_app_home_queue(
    slack: SlackTestbed, database: Database
) -> None:
    await reach_approval(slack)
    await slack.open_home(ADMIN)
    await slack.click_in_home(ADMIN, "Approve")
    await slack.settle()
    assert stored_states(database) == ["approved"]
    assert "approved" in slack.fake.dm_messages(USERS[ADMIN])[-1]["text"]
    home = json.dumps(slack.fake.home_view(USERS[ADMIN]))
    assert "Account created in HMIS" in home, "the Home tab is republished after the click"
    _, card = slack.last_card(ADMIN_CHANNEL)
    assert "Approved by HMIS Help Desk" in card_text(card)
