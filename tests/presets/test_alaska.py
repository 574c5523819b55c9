"""The Alaska preset's own path, end to end through signed Slack requests against the fake Web
API, on SQLite and PostgreSQL, with an injected clock: a supervisor files after the background
check; the new user goes through the initial steps, books and attends the workflow training and
submits a practice case that ICA sends back for corrections and then accepts; the sweep reminds
and escalates an overdue stage; the new user asks in writing for more time and ICA grants it;
then the account, one deactivation and one role change."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from chatbot.policy import bundled_preset_path, load_community
from chatbot.storage.database import Database
from flows.community import Community
from flows.kinds.new_user.form import F, question_field
from flows.kit.buttons import REASON_FIELD, REASON_FORM
from tests.conftest import Clock
from tests.e2e.records import refused, stored_states
from tests.e2e.slack_testbed import SlackTestbed, card_text, running_bot

ALASKA = ZoneInfo("America/Anchorage")
ICA_CHANNEL = "C0ICAADMIN"
SUPERVISOR = "supervisor@northernlights.example.org"
DIRECTOR = "director@northernlights.example.org"
TRAINEE = "ana.trainee@northernlights.example.org"
ICA = "akhmis@ica.example.org"
TRAINER = "trainer@ica.example.org"
USERS = {
    SUPERVISOR: "UAKSUP",
    DIRECTOR: "UAKDIR",
    TRAINEE: "UAKTRAINEE",
    ICA: "UAKICA",
    TRAINER: "UAKTRAINER",
}
WORKFLOW = "Program entry and services"


def user(email: str) -> str:
    return USERS[email]


def dm(email: str) -> str:
    return "D" + USERS[email]


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ALASKA).astimezone(UTC)


@pytest.fixture(scope="module")
def community() -> Community:
    return load_community(bundled_preset_path("alaska"))


@pytest.fixture
async def slack(
    database_url: str, database: Database, community: Community, clock: Clock
) -> AsyncIterator[SlackTestbed]:
    async with running_bot(database_url, community, clock) as testbed:
        for email, user_id in USERS.items():
            testbed.fake.add_user(user_id, email, community.display_name(email))
        testbed.fake.add_channel(ICA_CHANNEL)
        yield testbed


def answers() -> dict[str, str | list[str] | None]:
    """The Alaska HMIS User Access Request, filed by the trainee's supervisor after the
    background check."""
    return {
        F.REQUESTER_ROLE: "Supervisor / Program Manager",
        F.DIRECTLY_SUPERVISES: "yes",
        F.SUPERVISOR_NAME: None,
        F.SUPERVISOR_EMAIL: None,
        F.AGENCY: "northern-lights",
        F.COC: "anchorage",
        F.TRAINEE_NAME: "Ana Trainee",
        F.TRAINEE_EMAIL: TRAINEE,
        F.ACCESS_ROLE: "end-user",
        F.MONITORS_CONTRACTS: "no",
        F.ADDITIONAL_AGENCIES: [],
        F.BACKGROUND_CHECK: ["yes"],
        question_field("ce-staff"): "no",
    }


async def press(slack: SlackTestbed, email: str, channel: str, label: str) -> None:
    """Press the button on the latest message in the channel that has it."""
    for message in reversed(slack.fake.messages_in(channel)):
        if label in card_text(message):
            await slack.click(user(email), channel, message["ts"], label)
            await slack.settle()
            return
    raise AssertionError(f"no message in {channel} has a button {label!r}")


async def write(slack: SlackTestbed, email: str, text: str) -> None:
    """Answer the reason form the last click opened."""
    view: dict[str, Any] = slack.fake.opened_views[-1]
    assert view["callback_id"] == REASON_FORM
    await slack.submit(user(email), view, {REASON_FIELD: text})
    await slack.settle()


def latest(slack: SlackTestbed, channel: str) -> str:
    return card_text(slack.fake.messages_in(channel)[-1])


def live_card(slack: SlackTestbed, channel: str, title: str) -> str:
    """The current text of the card with this title (cards are updated in place)."""
    for message in reversed(slack.fake.messages_in(channel)):
        if title in card_text(message):
            return card_text(message)
    raise AssertionError(f"no card {title!r} in {channel}")


async def test_a_new_user_through_alaska_s_stages(
    slack: SlackTestbed, database: Database, clock: Clock
) -> None:
    clock.now = local("2026-11-16 10:00")  # Monday
    status, _ = await slack.command(user(SUPERVISOR))
    assert status == 200
    await slack.settle()
    view = slack.fake.opened_views[-1]
    answer = await slack.submit(user(SUPERVISOR), view, answers())
    assert answer["response_action"] == "update", answer
    await slack.settle()
    assert stored_states(database) == ["staged"]

    trainee = latest(slack, dm(TRAINEE))
    assert "Initial training steps" in trainee
    assert "https://training.example.org/akhmis-intro" in trainee
    assert "Ask for more time" in trainee

    clock.now = local("2026-11-18 15:00")
    await press(slack, TRAINEE, dm(TRAINEE), "I've completed Initial training steps")
    booked = f"Workflow training booked ({WORKFLOW})"
    assert booked in slack.fake.responses[-1]["text"]

    # The sweep reminds the new user of the stage's deadline, then escalates it.
    clock.now = local("2026-12-16 09:00")
    await slack.sweep()
    assert "2 days left" in latest(slack, dm(TRAINEE))
    clock.now = local("2026-12-21 09:00")
    await slack.sweep()
    assert f"Overdue: {booked} for Ana Trainee" in latest(slack, ICA_CHANNEL)
    assert f"Overdue: {booked} for Ana Trainee" in latest(slack, dm(SUPERVISOR))
    assert "Your HMIS training stage is overdue" in latest(slack, dm(TRAINEE))

    # More time, asked in writing before the workflow training starts, granted by ICA.
    await press(slack, TRAINEE, dm(TRAINEE), "Ask for more time")
    await write(slack, TRAINEE, "The ICA calendar has no session before January.")
    admin = live_card(slack, ICA_CHANNEL, "New user access request #1")
    assert "The ICA calendar has no session before January." in admin
    await press(slack, ICA, ICA_CHANNEL, "Grant more time")
    assert "Extension granted" in slack.fake.responses[-1]["text"]
    assert "Due Mon Jan 18, 2027" in live_card(slack, ICA_CHANNEL, "New user access request #1")

    clock.now = local("2026-12-22 10:00")
    await press(slack, TRAINEE, dm(TRAINEE), f"I've completed {booked}")
    clock.now = local("2027-01-06 16:00")
    await press(
        slack, TRAINEE, dm(TRAINEE), f"I've completed Workflow-specific training ({WORKFLOW})"
    )

    # The practice case: sent back for corrections, then accepted.
    case = f"Practice case ({WORKFLOW})"
    clock.now = local("2027-01-08 11:00")
    await press(slack, TRAINEE, dm(TRAINEE), f"Submit {case} for review")
    assert stored_states(database) == ["stage_review"]
    clock.now = local("2027-01-11 09:30")
    await press(slack, TRAINER, ICA_CHANNEL, "Corrections needed")
    assert "Corrections asked of Ana Trainee" in slack.fake.responses[-1]["text"]
    assert "attempt 2" in live_card(slack, ICA_CHANNEL, "New user access request #1")
    clock.now = local("2027-01-12 14:00")
    await press(slack, TRAINEE, dm(TRAINEE), f"Submit {case} for review")
    await press(slack, TRAINER, ICA_CHANNEL, "Accept")
    assert stored_states(database) == ["awaiting_approval"]
    admin = live_card(slack, ICA_CHANNEL, "New user access request #1")
    assert "Corrections needed" not in admin
    assert "Accepted Tue Jan 12, 2027" in admin

    await press(slack, ICA, ICA_CHANNEL, "Approve")
    await press(slack, TRAINER, ICA_CHANNEL, "Account created in HMIS")
    await press(slack, TRAINEE, dm(TRAINEE), "I've logged in")
    assert stored_states(database) == ["active"]
    assert refused(database) == []
