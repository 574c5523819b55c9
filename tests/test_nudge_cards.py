"""Snapshots of every nudge message and of the inactivity announcement's states as Block Kit,
checked against Slack's limits (regenerate with ``UPDATE_SNAPSHOTS=1``)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from adapters.slack.blocks import card_message
from chatbot.community_calendar import business_calendar
from flows.accounts import AccountStatus, HmisAccount
from flows.community import Community
from flows.nudges.inactivity import Announcement, InactivityCard
from flows.nudges.letters import Letter, NudgeLetters, Role, audience_for
from flows.nudges.rules import DueRenewal, NudgeKind
from tests.conftest import START
from tests.fakes.slack_web_api import blocks_problems
from tests.requests import ADMIN, LEAD, TRAINEE
from tests.test_card_snapshots import AWAITING, FILED, TRAINING, check

ACCOUNT = HmisAccount(
    id=3,
    version=2,
    email=TRAINEE,
    name="Jane <Doe> & Co",
    agency_id="river-house",
    status=AccountStatus.DISABLE_DUE,
    last_login_at=START - timedelta(days=61),
)
REQUEST_NUDGES = {
    NudgeKind.VERIFICATION_REMINDER: FILED,
    NudgeKind.VERIFICATION_OVERDUE: FILED,
    NudgeKind.TRAINING_REMINDER: TRAINING,
    NudgeKind.TRAINING_OVERDUE: TRAINING,
    NudgeKind.TRAINING_EXPIRED: TRAINING,
    NudgeKind.ADMIN_SLA: AWAITING,
}
ACCOUNT_NUDGES = (
    NudgeKind.FIRST_LOGIN_REMINDER,
    NudgeKind.FIRST_LOGIN_MISSED,
    NudgeKind.INACTIVITY_WARNING,
    NudgeKind.INACTIVITY_DISABLE,
)


def letters_of(community: Community) -> dict[str, list[Letter]]:
    letters = NudgeLetters(community, business_calendar(community))
    every = {
        kind.value: letters.for_request(kind, request, START)
        for kind, request in REQUEST_NUDGES.items()
    }
    for kind in ACCOUNT_NUDGES:
        every[kind.value] = letters.for_account(kind, ACCOUNT, START)
    every["renewal_reminder"] = letters.renewal_reminder(DueRenewal(ACCOUNT, 7, "privacy", START))
    every["meeting_reminder"] = letters.meeting_reminder(community.reminders[0], START)
    return every


def test_every_nudge_kind_has_a_message(community: Community) -> None:
    assert set(letters_of(community)) == {kind.value for kind in NudgeKind}


@pytest.mark.parametrize("kind", [kind.value for kind in NudgeKind])
def test_nudge_messages(community: Community, kind: str) -> None:
    letters = letters_of(community)[kind]
    assert letters
    message = card_message(letters[0].card)
    assert blocks_problems(message["blocks"], 50, "/blocks") == []
    check(f"nudge-{kind}", {"to": sorted({letter.role for letter in letters}), "message": message})


@pytest.mark.parametrize(
    ("state", "account", "role", "email"),
    [
        ("waiting-admin", ACCOUNT, Role.ADMIN, ADMIN),
        ("waiting-lead", ACCOUNT, Role.LEAD, LEAD),
        (
            "disabled",
            replace(ACCOUNT, status=AccountStatus.DISABLED, disabled_by=ADMIN, disabled_at=START),
            Role.ADMIN,
            ADMIN,
        ),
        (
            "logged-in-again",
            replace(ACCOUNT, status=AccountStatus.ACTIVE, last_login_at=START),
            Role.ADMIN,
            ADMIN,
        ),
    ],
)
def test_inactivity_announcement(
    community: Community, state: str, account: HmisAccount, role: str, email: str
) -> None:
    assert ACCOUNT.last_login_at is not None
    announcement = Announcement.of(ACCOUNT.id, ACCOUNT.last_login_at)
    card = InactivityCard(community, business_calendar(community)).render(
        account, announcement, audience_for(role, email)
    )
    message = card_message(card)
    assert blocks_problems(message["blocks"], 50, "/blocks") == []
    check(f"inactivity-{state}", message)
