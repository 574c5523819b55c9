"""Every card of a New User Access Request reads right in every state, for every audience:
its title names the request, and a closed or finished request never reads as a to-do."""

from __future__ import annotations

import pytest

from chatbot.community_calendar import business_calendar
from flows.community import Community
from flows.kinds import default_registry
from flows.kinds.new_user.cards import Audience
from flows.kinds.new_user.progress import CLOSED
from flows.kit.kind import CardView
from flows.outcomes import Lists
from flows.ui import Card
from tests.drive import Driver
from tests.requests import LEAD, SUPERVISOR, TRAINEE, request_values
from tests.samples import samples

KIND = default_registry().kind("new_user")
AUDIENCES = (
    Audience.ADMINS,
    Audience.REQUESTER,
    Audience.SUPERVISOR,
    Audience.TRAINEE,
    Audience.TRAINEE_ACCOUNT,
)
"""Every card, also those no live message shows in a state (a status list may)."""
TO_DO = ("Complete your", "Please confirm", "Waiting for", "Confirm by", "log in by")


def words(card: Card) -> str:
    facts = " ".join(f"{f.label}: {f.value}" for f in card.facts)
    return " ".join((card.title, card.summary, card.text, facts, card.footer))


def every_card(community: Community) -> list[tuple[str, str, int, Card]]:
    assert KIND is not None
    view = CardView(community, business_calendar(community))
    cards = []
    for (kind, state), stored in samples(community).items():
        if kind != KIND.name:
            continue
        request = KIND.typed(stored)
        for audience in AUDIENCES:
            if audience == Audience.TRAINEE_ACCOUNT and not request.details.account_created_by:
                continue  # the account card exists once the account does
            cards.append((state, audience, request.id, KIND.render(view, request, audience)))
    return cards


def test_every_title_names_its_request(community: Community) -> None:
    for state, audience, request_id, card in every_card(community):
        assert f"#{request_id}" in card.title, (state, audience)
        if audience != Audience.TRAINEE_ACCOUNT:
            assert f"#{request_id}" in card.summary, (state, audience)


def test_closed_requests_ask_nobody_for_anything(community: Community) -> None:
    closed = [c for c in every_card(community) if c[0] in CLOSED]
    assert {state for state, *_ in closed} == set(CLOSED)
    for state, audience, _, card in closed:
        assert not card.buttons, (state, audience)
        assert not any(phrase in words(card) for phrase in TO_DO), (state, audience, words(card))
        assert "-." not in card.summary, (state, audience)


@pytest.mark.parametrize("state", ["awaiting_approval", "approved", "account_created", "active"])
def test_after_the_trainings_nobody_is_asked_for_them(community: Community, state: str) -> None:
    cards = {(s, a): c for s, a, _, c in every_card(community)}
    trainee, supervisor = cards[(state, Audience.TRAINEE)], cards[(state, Audience.SUPERVISOR)]
    assert "Complete your" not in words(trainee)
    assert not trainee.buttons
    assert not trainee.links
    assert "Please confirm" not in words(supervisor)
    assert supervisor.summary.startswith("You confirmed the staff verification")


def test_the_new_users_status_tells_withdrawn_requests_apart(driver: Driver) -> None:
    driver.submit(LEAD, request_values())
    driver.click(LEAD, "withdraw")
    driver.submit(LEAD, request_values())
    driver.click(SUPERVISOR, "verify", 2)
    outcome = driver.status(TRAINEE)
    assert isinstance(outcome, Lists)
    [mine] = [cards for cards in outcome.lists if cards.title == "Your HMIS requests"]
    newest, withdrawn = mine.cards
    assert "(request #2)" in newest.summary
    assert newest.summary.startswith("Complete your HMIS trainings by ")
    assert withdrawn.summary == (
        "Your HMIS access request #1 was withdrawn; no training is needed now."
    )
