"""Snapshots of every nudge message and of the inactivity announcement's states as Block Kit,
checked against Slack's limits (regenerate with ``UPDATE_SNAPSHOTS=1``)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

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
from tests.communities import sample_community
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
    view = CardView(sample_community(community), calendar)
    found = samples(community)
    every: dict[str, list[Letter]] = {}
    first_state: dict[str, str] = {}
    for kind in REGISTRY:
        for rule in kind.nudge_rules(community, Cutoffs(calendar, START)):
            request = found[(kind.name, rule.state)]
            name = f"{kind.name}/{rule.nudge}"
            if first_state.setdefault(name, rule.state) != rule.state:
                name = f"{name}-{rule.state}"  # the same nudge watching another state
            every[name] = kind.letters(
                view, rule.nudge, kind.typed(request), START, START + timedelta(days=3)
            )
    return every


NEW_ACCOUNT = replace(ACCOUNT, status=AccountStatus.PENDING_FIRST_LOGIN, last_login_at=None)
FIRST_LOGIN_NUDGES = (NudgeKind.FIRST_LOGIN_REMINDER, NudgeKind.FIRST_LOGIN_MISSED)


def account_letters(community: Community) -> dict[str, list[Letter]]:
    letters = AccountLetters(community, business_calendar(community))
    every = {
        kind.value: letters.for_account(
            kind, NEW_ACCOUNT if kind in FIRST_LOGIN_NUDGES else ACCOUNT, START
        )
        for kind in ACCOUNT_NUDGES
    }
    every["renewal_reminder"] = letters.renewal_reminder(DueRenewal(ACCOUNT, 7, "privacy", START))
    meeting, tomorrow = community.reminders[0], START + timedelta(days=1)
    every["meeting_reminder"] = letters.meeting_reminder(meeting, tomorrow, START)
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


@pytest.mark.parametrize(
    ("before", "soon"), [(timedelta(days=7), "next week"), (timedelta(days=1), "tomorrow")]
)
def test_meeting_reminders_say_how_soon(community: Community, before: timedelta, soon: str) -> None:
    letters = AccountLetters(community, business_calendar(community))
    [first, *_] = letters.meeting_reminder(community.reminders[0], START + before, START)
    assert first.card.title == f"Monthly Agency Lead meeting {soon}"
    assert f" {soon}: " in first.card.text
    _check(f"meeting_reminder-{soon.replace(' ', '-')}", [first])


def test_the_inactivity_notice_gives_the_last_login_in_its_text(community: Community) -> None:
    [letter] = account_letters(community)[NudgeKind.INACTIVITY_DISABLE.value]
    assert "Your last HMIS login on record is Mon Nov 16, 2026 10:00 AM PST" in letter.card.text


TRAINING_STAGES = [(timedelta(days=7), "7 days left"), (timedelta(days=2), "2 days left")]


@pytest.mark.parametrize(("before", "left"), [*TRAINING_STAGES, (timedelta(0), "due today")])
def test_training_reminders_count_down_and_carry_the_training_buttons(
    community: Community, before: timedelta, left: str
) -> None:
    """Each stage says how long is left, and the trainee reports from the reminder itself
    with the same buttons as on their training card."""
    kind = REGISTRY.kind("new_user")
    assert kind is not None
    request = kind.typed(samples(community)[("new_user", "training")])
    calendar = business_calendar(community)
    due = calendar.end_of(date(2026, 12, 11))  # a Friday, a week clear of Thanksgiving
    request = replace(request, details=request.details.model_copy(update={"training_due": due}))
    morning = calendar.local(due).replace(hour=8) - before  # when reminders go out
    view = CardView(community, calendar)
    [letter] = kind.letters(view, "training_reminder", request, due, morning)
    assert letter.role == Role.TRAINEE
    assert left in letter.card.title
    assert letter.card.summary.startswith(f"{left.capitalize()}: complete your HMIS trainings")
    card = kind.render(view, request, "trainee")
    assert [b.command for b in letter.card.buttons] == [b.command for b in card.buttons]
    assert [b.command.encode() for b in letter.card.buttons] == [
        f"new_user trained.general {request.id} {request.version}",
        f"new_user trained.privacy {request.id} {request.version}",
    ]
    _check(f"new_user/training_reminder-{left.replace(' ', '-')}", [letter])


def test_an_overdue_trainee_gets_her_own_words_with_the_links(community: Community) -> None:
    letters = request_letters(community)["new_user/training_overdue"]
    by_role = {letter.role: letter for letter in letters}
    trainee, supervisor = by_role[Role.TRAINEE].card, by_role[Role.SUPERVISOR].card
    assert trainee.title.startswith("Your HMIS training is overdue")
    assert "Your HMIS trainings were due" in trainee.text
    assert [name for name, _ in trainee.links] == [
        "Clarity General Training",
        "Privacy & Security Training",
    ]
    assert trainee.buttons
    assert supervisor.title.startswith("Overdue: HMIS training for ")
    assert not supervisor.links
    _check("new_user/training_overdue-trainee", [by_role[Role.TRAINEE]])


def test_a_reminder_held_over_a_holiday_counts_from_when_it_is_read(
    community: Community,
) -> None:
    """Seven days before Thu Dec 3 is Thanksgiving: the reminder waits for Friday morning."""
    kind = REGISTRY.kind("new_user")
    assert kind is not None
    request = kind.typed(samples(community)[("new_user", "training")])
    calendar = business_calendar(community)
    due = calendar.end_of(date(2026, 12, 3))
    thanksgiving = calendar.local(due).replace(hour=8) - timedelta(days=7)
    view = CardView(community, calendar)
    [letter] = kind.letters(view, "training_reminder", request, due, thanksgiving)
    assert "6 days left" in letter.card.title


def test_a_duty_reminder_says_what_to_do(community: Community) -> None:
    """A reminder with a ``description`` (a security officer's audit, say) carries it."""
    audit = community.reminders[0].model_copy(
        update={
            "title": "Bi-annual agency audit",
            "description": "Coordinate your agency's audit with HMIS.",
            "link": None,
        }
    )
    letters = AccountLetters(community, business_calendar(community))
    [first, *_] = letters.meeting_reminder(audit, START + timedelta(days=7), START)
    assert first.card.text.endswith(
        "next week: Mon Nov 23, 2026 10:00 AM PST. Coordinate your agency's audit with HMIS."
    )


def test_a_re_enabled_account_is_not_told_its_account_was_created(community: Community) -> None:
    letters = AccountLetters(community, business_calendar(community))
    returning = replace(ACCOUNT, status=AccountStatus.PENDING_FIRST_LOGIN)
    [reminder] = letters.for_account(NudgeKind.FIRST_LOGIN_REMINDER, returning, START)
    assert "re-enabled" in reminder.card.text
    assert "has been created" not in reminder.card.text
    missed = letters.for_account(NudgeKind.FIRST_LOGIN_MISSED, returning, START)
    assert missed[0].card.title == f"Missed login after re-enabling: {returning.name}"
