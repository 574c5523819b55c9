"""Snapshots of every nudge message and of the inactivity announcement's states as Block Kit,
checked against Slack's limits (regenerate with ``UPDATE_SNAPSHOTS=1``)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from adapters.slack.blocks import card_message
from adapters.teams import cards as teams_cards
from chatbot.community_calendar import business_calendar
from flows.accounts import AccountStatus, HmisAccount
from flows.community import Community
from flows.kinds import default_registry
from flows.kit.kind import CardView
from flows.nudges.cutoffs import Cutoffs
from flows.nudges.inactivity import Announcement, InactivityCard
from flows.nudges.letters import AccountLetters, Letter, Role, audience_for
from flows.nudges.rules import DueRenewal, NudgeKind
from tests.conftest import START
from tests.fakes.slack_web_api import blocks_problems
from tests.requests import ADMIN, LEAD, TRAINEE
from tests.samples import samples
from tests.test_card_snapshots import check

ACCOUNT = HmisAccount(
    id=3,
    version=2,
    email=TRAINEE,
    name="Jane <Doe> & Co",
    agency_id="river-house",
    status=AccountStatus.DISABLE_DUE,
    last_login_at=START - timedelta(days=61),
)
ACCOUNT_NUDGES = (
    NudgeKind.FIRST_LOGIN_REMINDER,
    NudgeKind.FIRST_LOGIN_MISSED,
    NudgeKind.INACTIVITY_WARNING,
    NudgeKind.INACTIVITY_DISABLE,
)
REGISTRY = default_registry()


def request_letters(community: Community) -> dict[str, list[Letter]]:
    """Each kind's nudges, worded for a sample request in the state the nudge watches."""
    calendar = business_calendar(community)
    view = CardView(community, calendar)
    found = samples(community)
    every: dict[str, list[Letter]] = {}
    for kind in REGISTRY:
        for rule in kind.nudge_rules(community, Cutoffs(calendar, START)):
            request = found[(kind.name, rule.state)]
            every[f"{kind.name}/{rule.nudge}"] = kind.letters(
                view, rule.nudge, kind.typed(request), START, START + timedelta(days=3)
            )
    return every


def account_letters(community: Community) -> dict[str, list[Letter]]:
    letters = AccountLetters(community, business_calendar(community))
    every = {kind.value: letters.for_account(kind, ACCOUNT, START) for kind in ACCOUNT_NUDGES}
    every["renewal_reminder"] = letters.renewal_reminder(DueRenewal(ACCOUNT, 7, "privacy", START))
    every["meeting_reminder"] = letters.meeting_reminder(community.reminders[0], START)
    return every


def test_every_account_nudge_has_a_message(community: Community) -> None:
    assert set(account_letters(community)) == {kind.value for kind in NudgeKind}


def _check(name: str, letters: list[Letter]) -> None:
    assert letters
    message = card_message(letters[0].card)
    assert blocks_problems(message["blocks"], 50, "/blocks") == []
    check(
        f"slack/nudges/{name}",
        {"to": sorted({letter.role for letter in letters}), "message": message},
    )
    check(f"teams/nudges/{name}", teams_cards.card(letters[0].card))


@pytest.mark.parametrize("kind", [kind.value for kind in NudgeKind])
def test_account_nudge_messages(community: Community, kind: str) -> None:
    _check(kind, account_letters(community)[kind])


def test_request_nudge_messages(community: Community) -> None:
    every = request_letters(community)
    assert every
    for name, letters in every.items():
        _check(name, letters)


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
    check(f"slack/inactivity/{state}", message)
    check(f"teams/inactivity/{state}", teams_cards.card(card))
