"""Rows the benchmark puts in the bot's database before it measures, through the app's own
ledger (``chatbot.storage.ledger.SqlLedger``) and tables, as ``tests/test_races.py`` does."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from chatbot.policy import bundled_preset_path, load_community
from chatbot.storage.database import Database
from chatbot.storage.ledger import SqlLedger
from chatbot.storage.models import MessageRef, OutboxRow
from flows.community import Community
from flows.kinds import default_registry
from flows.kinds.new_user.details import NewUserState
from flows.model import REQUEST_SUBJECT, Filing, Notification, Platform, Request
from flows.ui import ActionCommand, Card
from tests.requests import LEAD
from tests.samples import samples

ADMIN_CHANNEL = "C0ADMIN001"  # channels.admin.slack of the bundled community
SLACK = Platform.SLACK.value


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Approval:
    """A request waiting for an admin, with where each of its live cards was posted."""

    request_id: int
    version: int
    admin_card: tuple[str, str]
    cards: tuple[tuple[str, str], ...]
    """(channel, ts) of every audience's card, the admin card among them."""

    def approve_value(self) -> str:
        return ActionCommand("new_user", "approve", self.request_id, self.version).encode()


def seed_approvals(database_url: str, count: int) -> list[Approval]:
    """``count`` New User requests waiting for admin approval (trainings reported), each with
    its cards already posted on Slack (a message ref per audience), so an approval updates
    them in place with chat.update."""
    community = load_community(bundled_preset_path())
    kind = default_registry().default
    sample = kind.typed(samples(community)[(kind.name, NewUserState.AWAITING_APPROVAL)])
    db = Database(database_url)
    try:
        with db.transaction() as session:
            ledger = SqlLedger(session, utc_now, (Platform.SLACK,))
            return [_waiting(session, ledger, community, sample, number) for number in range(count)]
    finally:
        db.dispose()


def _waiting(
    session: Session,
    ledger: SqlLedger,
    community: Community,
    sample: Request[Any],
    number: int,
) -> Approval:
    """One request like ``sample``, for a new person, with its cards' message refs."""
    kind = default_registry().default
    email = f"approve{number}@riverhouse.example.org"
    filing = Filing(
        kind=kind.name,
        state=NewUserState.AWAITING_APPROVAL,
        requester_email=LEAD,
        subject_email=email,
        subject_name=f"Approve {number}",
        agency_id="river-house",
        details=sample.details,
        parties=dict(kind.parties_of(sample)) | {"trainee": email},
        open_key=email,
    )
    stored = ledger.add_request(filing)
    assert stored is not None, email
    for report in sample.training_reports:
        ledger.record_training_report(stored.id, report.training_id, email)
    audiences = kind.audiences(community, kind.typed(stored))
    cards = []
    for index, (audience, person) in enumerate(audiences):
        channel = ADMIN_CHANNEL if person is None else f"D{audience.upper()}{number}"
        ts = f"{1_600_000_000 + stored.id}.{index:06d}"
        session.add(
            MessageRef(
                platform=SLACK,
                subject_kind=REQUEST_SUBJECT,
                subject_id=str(stored.id),
                audience=audience,
                channel=channel,
                message_id=ts,
            )
        )
        cards.append((channel, ts))
    return Approval(stored.id, stored.version, cards[0], tuple(cards))


def nudge_people(people: int) -> list[str]:
    return [f"nudged{number}@riverhouse.example.org" for number in range(people)]


def seed_nudges(database_url: str, count: int, people: int, seed: int = 13) -> Counter[str]:
    """``count`` due nudges for ``people`` people (a fixed message each, in shuffled order)
    queued in the outbox as a sweep queues them; how many each person gets."""
    rng = random.Random(seed)
    emails = nudge_people(people)
    recipients = [emails[number % people] for number in range(count)]
    rng.shuffle(recipients)
    notifications = [
        Notification(
            "bench",
            str(number),
            "nudge",
            email,
            f"bench-nudge:{number}",
            card=Card(
                title="Training reminder",
                summary="Your HMIS training is due in 2 days.",
                text=f"Reminder {number}: finish Clarity General Training by Friday.",
                links=(("Clarity General Training", "https://training.example.org/general"),),
            ),
        )
        for number, email in enumerate(recipients)
    ]
    db = Database(database_url)
    try:
        with db.transaction() as session:
            SqlLedger(session, utc_now, (Platform.SLACK,)).notify_many(notifications)
    finally:
        db.dispose()
    return Counter(recipients)


def pending_outbox(database_url: str) -> int:
    """Outbox rows still waiting to be delivered (due or not)."""
    db = Database(database_url)
    try:
        with db.transaction() as session:
            query = select(func.count()).select_from(OutboxRow)
            return int(session.scalar(query.where(OutboxRow.status == "pending")) or 0)
    finally:
        db.dispose()
