"""Snapshots of every request card state as Block Kit, so reviewers see card diffs.

Regenerate after an intended change with ``UPDATE_SNAPSHOTS=1 make test`` and review the diff.
"""

from __future__ import annotations

import json
import os
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from adapters.slack.blocks import card_message, modal
from chatbot.community_calendar import business_calendar
from flows.community import Community
from flows.model import AccessRequest, Audience, NewUserDraft, RequestState, TrainingReport
from flows.new_user.cards import CardRenderer
from flows.new_user.form import deny_form, request_form
from tests.conftest import START
from tests.fakes.slack_web_api import blocks_problems, modal_view_problems
from tests.requests import ADMIN, LEAD, SECOND_ADMIN, SUPERVISOR, TRAINEE

SNAPSHOTS = Path(__file__).parent / "snapshots" / "slack"
UPDATE = os.environ.get("UPDATE_SNAPSHOTS") == "1"

DRAFT = NewUserDraft(
    requester_email=LEAD,
    requester_role="Agency Lead / Technical Administrator",
    directly_supervises=False,
    supervisor_name="Sam Supervisor",
    supervisor_email=SUPERVISOR,
    agency_id="river-house",
    coc_id="sac",
    trainee_name="Jane <Doe> & Co",
    trainee_email=TRAINEE,
    access_role_id="dss",
    monitors_contracts=False,
    additional_agency_ids=("yolo-food-bank",),
    background_check_attested=False,
)
FILED = AccessRequest(
    id=7,
    version=2,
    state=RequestState.AWAITING_VERIFICATION,
    draft=DRAFT,
    filed_at=START,
    verification_due=START + timedelta(days=7),
    training_due=None,
    first_login_due=None,
)
TRAINING = replace(
    FILED,
    version=3,
    state=RequestState.TRAINING,
    verified_by=SUPERVISOR,
    training_due=START + timedelta(days=14),
    training_reports=(TrainingReport("general", START + timedelta(days=1)),),
)
AWAITING = replace(
    TRAINING,
    version=4,
    state=RequestState.AWAITING_APPROVAL,
    training_reports=(
        *TRAINING.training_reports,
        TrainingReport("privacy", START + timedelta(days=2)),
    ),
)
APPROVED = replace(
    AWAITING,
    version=5,
    state=RequestState.APPROVED,
    decided_by=ADMIN,
    decided_at=START + timedelta(days=3),
)
CREATED = replace(
    APPROVED,
    version=6,
    state=RequestState.ACCOUNT_CREATED,
    account_created_by=SECOND_ADMIN,
    account_created_at=START + timedelta(days=3),
    first_login_due=START + timedelta(days=4),
)
DENIED = replace(
    AWAITING,
    version=5,
    state=RequestState.DENIED,
    decided_by=ADMIN,
    decided_at=START + timedelta(days=3),
    decision_reason="MOU lapsed",
)
STATES = {r.state.value: r for r in (FILED, TRAINING, AWAITING, APPROVED, CREATED, DENIED)}


def check(name: str, payload: object) -> None:
    path = SNAPSHOTS / f"{name}.json"
    text = json.dumps(payload, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    if UPDATE or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    assert path.read_text() == text, f"{path.name} changed; UPDATE_SNAPSHOTS=1 to accept"


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("audience", list(Audience))
def test_request_cards(community: Community, state: str, audience: Audience) -> None:
    renderer = CardRenderer(community, business_calendar(community))
    message = card_message(renderer.render(STATES[state], audience))
    assert blocks_problems(message["blocks"], 50, "/blocks") == []
    check(f"card-{state}-{audience.value}", message)


def test_forms(community: Community) -> None:
    for name, view in (
        ("new-user-request", modal(request_form(community, LEAD))),
        ("deny", modal(deny_form(7, 4))),
    ):
        assert modal_view_problems(view) == []
        check(f"form-{name}", view)
