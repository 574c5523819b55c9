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
from flows.accounts import AccountStatus
from flows.community import Community
from flows.kinds.new_user.form import F, question_field
from flows.kit.buttons import REASON_FIELD, REASON_FORM
from tests.conftest import Clock
from tests.e2e.records import account_of, refused, seed_account, stored_states
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


async def file_and_reach_the_practice_case(
    slack: SlackTestbed, database: Database, clock: Clock
) -> None:
    clock.now = local("2026-11-16 10:00")
    await slack.command(user(SUPERVISOR))
    await slack.settle()
    await slack.submit(user(SUPERVISOR), slack.fake.opened_views[-1], answers())
    await slack.settle()
    for label in (
        "I've completed Initial training steps",
        f"I've completed Workflow training booked ({WORKFLOW})",
        f"I've completed Workflow-specific training ({WORKFLOW})",
    ):
        clock.advance(days=1)
        await press(slack, TRAINEE, dm(TRAINEE), label)
    assert stored_states(database) == ["staged"]


async def test_past_twenty_days_from_the_workflow_training_ica_sets_a_new_practice_case(
    slack: SlackTestbed, database: Database, clock: Clock
) -> None:
    await file_and_reach_the_practice_case(slack, database, clock)
    await press(slack, ICA, ICA_CHANNEL, "Set a new practice case")
    assert "A new case can be set from" in slack.fake.responses[-1]["text"]
    clock.advance(days=21)  # 20 days run to the close of the day
    await press(slack, ICA, ICA_CHANNEL, "Set a new practice case")
    assert "New practice case set for Ana Trainee" in slack.fake.responses[-1]["text"]
    admin = live_card(slack, ICA_CHANNEL, "New user access request #1")
    assert "Set a new practice case" not in admin  # once; then more training or a denial
    assert [(a, d["reason"]) for a, d in refused(database)] == [
        ("new_user.new_case", "too_early_for_new_case")
    ]


async def test_after_repeated_attempts_ica_denies_access(
    slack: SlackTestbed, database: Database, clock: Clock
) -> None:
    await file_and_reach_the_practice_case(slack, database, clock)
    case = f"Submit Practice case ({WORKFLOW}) for review"
    for _ in range(3):
        await press(slack, TRAINEE, dm(TRAINEE), case)
        await press(slack, TRAINER, ICA_CHANNEL, "Corrections needed")
    await press(slack, TRAINEE, dm(TRAINEE), case)
    admin = live_card(slack, ICA_CHANNEL, "New user access request #1")
    assert "Corrections needed" not in admin
    assert "More training" not in admin
    await press(slack, TRAINER, ICA_CHANNEL, "Deny")
    await write(slack, TRAINER, "Practice cases still incomplete after three attempts.")
    assert stored_states(database) == ["denied"]
    assert "Practice cases still incomplete" in latest(slack, dm(SUPERVISOR))


async def test_a_deactivation_inside_its_sla_and_one_escalated(
    slack: SlackTestbed, database: Database, clock: Clock
) -> None:
    clock.now = local("2026-11-16 10:00")
    for email, name in (
        ("lee@northernlights.example.org", "Lee Leaver"),
        ("max@northernlights.example.org", "Max Mover"),
    ):
        seed_account(database, email, name, agency_id="northern-lights", role="end-user")
    await slack.command(user(DIRECTOR), "deactivate")
    await slack.settle()
    await slack.submit(
        user(DIRECTOR),
        slack.fake.opened_views[-1],
        {"person": "lee@northernlights.example.org", "reason": "left_agency"},
    )
    await slack.settle()
    clock.advance(hours=3)
    await press(slack, ICA, dm(ICA), "Deactivated in HMIS")
    assert (
        account_of(database, "lee@northernlights.example.org").status is AccountStatus.DEACTIVATED
    )

    await slack.command(user(DIRECTOR), "deactivate")
    await slack.settle()
    await slack.submit(
        user(DIRECTOR),
        slack.fake.opened_views[-1],
        {
            "person": "max@northernlights.example.org",
            "reason": "other",
            "reason_text": "Moved to a role without client contact.",
        },
    )
    await slack.settle()
    clock.now = local("2026-11-17 17:30")  # one business day (the preset's default) has ended
    await slack.sweep()
    clock.now = local("2026-11-18 08:05")
    await slack.deliver()
    assert "Overdue: deactivate Max Mover" in latest(slack, dm(ICA))
    assert stored_states(database) == ["deactivated", "awaiting_admin"]


async def test_a_role_change_after_its_trainings(
    slack: SlackTestbed, database: Database, clock: Clock
) -> None:
    clock.now = local("2026-11-16 10:00")
    seed_account(database, TRAINEE, "Ana Trainee", agency_id="northern-lights", role="end-user")
    await slack.command(user(DIRECTOR), "role")
    await slack.settle()
    answer = await slack.submit(
        user(DIRECTOR),
        slack.fake.opened_views[-1],
        {"person": TRAINEE, "new_role": "agency-admin", "reason": "Runs our reports now."},
    )
    assert "will get the training it needs first" in card_text(answer["view"])
    await slack.settle()
    for training in ("Introduction to AKHMIS (video)", "Privacy & Security Training (video)"):
        await press(slack, TRAINEE, dm(TRAINEE), f"I've completed {training}")
    await press(slack, ICA, ICA_CHANNEL, "Role changed in HMIS")
    assert account_of(database, TRAINEE).access_role_id == "agency-admin"
    assert stored_states(database) == ["changed"]
