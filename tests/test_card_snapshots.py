"""Snapshots of every card each request kind can show, on Slack (Block Kit) and Teams
(Adaptive Cards), side by side, for the state x audience pairs its own flow reaches.

A missing or changed snapshot fails. After an intended change, regenerate with
``UPDATE_SNAPSHOTS=1 make test`` and review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from adapters.slack.blocks import card_message, modal
from adapters.teams import cards as teams_cards
from adapters.teams.cards import Submit
from chatbot.community_calendar import business_calendar
from chatbot.policy import bundled_preset_path, load_community
from flows.community import Community
from flows.kinds import default_registry
from flows.kit.buttons import reason_form
from flows.kit.kind import CardView, ReasonPrompt
from flows.model import StoredRequest
from flows.outcomes import OpenForm
from flows.ui import ActionCommand, Card, Form
from tests.communities import name_ce_trainer, sample_community, with_coordinated_entry
from tests.fakes.slack_web_api import blocks_problems, modal_view_problems
from tests.requests import ADMIN, LEAD
from tests.samples import Recorder, samples

SNAPSHOTS = Path(__file__).parent / "snapshots"
UPDATE = os.environ.get("UPDATE_SNAPSHOTS") == "1"
REGISTRY = default_registry()


def check(name: str, payload: object) -> None:
    path = SNAPSHOTS / f"{name}.json"
    text = json.dumps(payload, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    assert path.exists(), f"no snapshot {path.name}: run with UPDATE_SNAPSHOTS=1 and review it"
    assert path.read_text() == text, f"{path.name} changed; UPDATE_SNAPSHOTS=1 to accept"


def check_card(name: str, card: Card) -> None:
    """The card as Slack and Teams show it, each within its platform's limits."""
    message = card_message(card)
    assert blocks_problems(message["blocks"], 50, "/blocks") == []
    check(f"slack/{name}", message)
    check(f"teams/{name}", teams_cards.card(card))


def check_form(name: str, form: Form) -> None:
    view = modal(form)
    assert modal_view_problems(view) == []
    check(f"slack/{name}", view)
    check(f"teams/{name}", teams_cards.form(form, Submit.EXECUTE, "command"))


def _cards(community: Community) -> list[tuple[str, StoredRequest, str]]:
    found = samples(community)
    pairs = []
    for (kind_name, state), request in sorted(found.items()):
        kind = REGISTRY.kind(kind_name)
        assert kind is not None
        for audience, _ in kind.audiences(community, kind.typed(request)):
            pairs.append((f"{kind_name}/{state}-{audience}", request, audience))
    return pairs


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """One test per card the bundled community's scenarios reach."""
    if "card_case" in metafunc.fixturenames:
        cases = _cards(load_community(bundled_preset_path()))
        metafunc.parametrize("card_case", cases, ids=[name for name, _, _ in cases])


def test_request_cards(community: Community, card_case: tuple[str, StoredRequest, str]) -> None:
    name, request, audience = card_case
    kind = REGISTRY.kind(request.kind)
    assert kind is not None
    view = CardView(sample_community(community), business_calendar(community))
    check_card(name, kind.render(view, kind.typed(request), audience))


def test_every_kind_has_scenarios_reaching_its_states(community: Community) -> None:
    reached = {(kind, state) for kind, state in samples(community)}
    for kind in REGISTRY:
        assert {s for k, s in reached if k == kind.name}, f"{kind.name} has no sample states"


def test_forms(community: Community) -> None:
    """Each kind's form as the River House lead opens it (in a community with Coordinated
    Entry, where the lead is also the agency's CE trainer, so every form opens)."""
    recorder = Recorder(with_coordinated_entry(community), REGISTRY)
    name_ce_trainer(recorder.ledger, "river-house", LEAD)
    for kind in REGISTRY:
        outcome = recorder.driver.command(LEAD, kind.command)
        if not isinstance(outcome, OpenForm):  # a kind only HMIS admins file (agency onboarding)
            outcome = recorder.driver.command(ADMIN, kind.command)
        assert isinstance(outcome, OpenForm), kind.name
        check_form(f"forms/{kind.name}", outcome.form)
    prompt = ReasonPrompt("Deny access request", "Reason (the requester will see it)", "Deny")
    check_form("forms/reason", reason_form(ActionCommand("new_user", "deny", 7, 4), prompt))
