"""Delivers outbox rows: renders each card from the database and posts or updates it.

Rows for the same card are coalesced (the render is always the latest truth), deliveries are
claimed with a compare-and-set lease so several replicas can run dispatchers, and failures are
retried with exponential backoff.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from chatbot import metrics
from chatbot.storage.database import Database
from chatbot.storage.ledger import Clock, SqlLedger
from chatbot.storage.models import MessageRef as MessageRefRow
from chatbot.storage.models import OutboxRow
from flows.model import AccessRequest, Audience, Platform
from flows.new_user.cards import CardRenderer
from flows.ports import (
    AdminChannel,
    DeliveryError,
    MessageRef,
    Messenger,
    PersonRecipient,
    Recipient,
)
from flows.ui import Card

log = logging.getLogger(__name__)

CLAIM_LEASE = timedelta(seconds=60)  # a dispatcher that dies mid-delivery frees its rows after this
MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(seconds=5)
LONGEST_RETRY = timedelta(hours=1)
BATCH = 50
IDLE_POLL_SECONDS = 2.0


class Status:
    PENDING = "pending"
    SENT = "sent"
    SUPERSEDED = "superseded"
    FAILED = "failed"


@dataclass(frozen=True)
class _Job:
    row_id: int
    platform: Platform
    request: AccessRequest
    audience: Audience
    recipient: Recipient
    ref: MessageRef | None
    covers_up_to: int  # later rows for this card were queued after the render; they stay pending
    attempts: int


class OutboxDispatcher:
    def __init__(
        self,
        db: Database,
        renderer: CardRenderer,
        messengers: Mapping[Platform, Messenger],
        clock: Clock,
    ) -> None:
        self._db = db
        self._renderer = renderer
        self._messengers = messengers
        self._clock = clock
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            delivered = await self.deliver_due()
            if delivered:
                continue
            self._wake.clear()
            waits = [asyncio.create_task(self._wake.wait()), asyncio.create_task(stop.wait())]
            await asyncio.wait(
                waits, timeout=IDLE_POLL_SECONDS, return_when=asyncio.FIRST_COMPLETED
            )
            for task in waits:
                task.cancel()

    async def deliver_due(self) -> int:
        """Deliver every row that is due now; returns how many were attempted."""
        jobs = await asyncio.to_thread(self._claim_due)
        for job in jobs:
            await self._deliver(job)
        return len(jobs)

    async def _deliver(self, job: _Job) -> None:
        messenger = self._messengers.get(job.platform)
        card = self._renderer.render(job.request, job.audience)
        try:
            if messenger is None:
                raise DeliveryError(f"{job.platform} is not enabled", permanent=True)
            ref = job.ref
            if ref is None:
                ref = await messenger.post(job.recipient, card)
            else:
                await messenger.update(ref, card)
        except DeliveryError as error:
            await asyncio.to_thread(self._record_failure, job, error)
            if error.permanent and isinstance(job.recipient, PersonRecipient) and messenger:
                await self._report_unreachable(messenger, job, error)
            return
        await asyncio.to_thread(self._record_success, job, ref)

    async def _report_unreachable(
        self, messenger: Messenger, job: _Job, error: DeliveryError
    ) -> None:
        assert isinstance(job.recipient, PersonRecipient)
        card = Card(
            title="Could not reach a person",
            summary=f"Could not deliver to {job.recipient.email} on {job.platform.value}.",
            text=(
                f"Request #{job.request.id}: the {job.audience.value} message for "
                f"{job.recipient.email} could not be delivered on {job.platform.value} "
                f"({error.reason}). Please contact them another way."
            ),
        )
        try:
            await messenger.post(AdminChannel(), card)
        except DeliveryError as second:
            log.error("could not report undeliverable message to admins: %s", second.reason)

    def _claim_due(self) -> list[_Job]:
        now = self._clock()
        with self._db.transaction() as session:
            candidates = session.scalars(
                select(OutboxRow)
                .where(
                    OutboxRow.status == Status.PENDING,
                    OutboxRow.next_attempt_at <= now,
                    or_(OutboxRow.claimed_until.is_(None), OutboxRow.claimed_until < now),
                )
                .order_by(OutboxRow.id)
                .limit(BATCH)
            ).all()
            claimed: list[_Job] = []
            seen_cards: set[tuple[str, int, str]] = set()
            for row in candidates:
                card_key = (row.platform, row.request_id, row.audience)
                if card_key in seen_cards or not _claim(session, row, now):
                    continue
                seen_cards.add(card_key)
                job = self._job(session, row)
                if job is not None:
                    claimed.append(job)
            return claimed

    def _job(self, session: Session, row: OutboxRow) -> _Job | None:
        request = SqlLedger(session, self._clock, ()).get_request(row.request_id)
        if request is None:
            row.status, row.last_error = Status.FAILED, "request no longer exists"
            return None
        ref_row = session.get(MessageRefRow, (row.platform, row.request_id, row.audience))
        latest = session.scalar(
            select(func.max(OutboxRow.id)).where(
                OutboxRow.platform == row.platform,
                OutboxRow.request_id == row.request_id,
                OutboxRow.audience == row.audience,
                OutboxRow.status == Status.PENDING,
            )
        )
        recipient: Recipient = (
            PersonRecipient(row.recipient_email) if row.recipient_email else AdminChannel()
        )
        return _Job(
            row.id,
            Platform(row.platform),
            request,
            Audience(row.audience),
            recipient,
            MessageRef(ref_row.channel, ref_row.message_id) if ref_row else None,
            latest or row.id,
            row.attempts,
        )

    def _record_success(self, job: _Job, ref: MessageRef) -> None:
        now = self._clock()
        with self._db.transaction() as session:
            session.merge(
                MessageRefRow(
                    platform=job.platform.value,
                    request_id=job.request.id,
                    audience=job.audience.value,
                    channel=ref.channel,
                    message_id=ref.message_id,
                )
            )
            session.execute(
                update(OutboxRow)
                .where(OutboxRow.id == job.row_id)
                .values(status=Status.SENT, sent_at=now, claimed_until=None)
            )
            session.execute(
                update(OutboxRow)
                .where(
                    OutboxRow.platform == job.platform.value,
                    OutboxRow.request_id == job.request.id,
                    OutboxRow.audience == job.audience.value,
                    OutboxRow.status == Status.PENDING,
                    OutboxRow.id <= job.covers_up_to,
                    OutboxRow.id != job.row_id,
                )
                .values(status=Status.SUPERSEDED, sent_at=now)
            )
        metrics.OUTBOX_DELIVERIES.labels(job.platform.value, "sent").inc()

    def _record_failure(self, job: _Job, error: DeliveryError) -> None:
        now = self._clock()
        give_up = error.permanent or job.attempts >= MAX_ATTEMPTS
        log.warning(
            "delivery of outbox row %s failed (%s)%s",
            job.row_id,
            error.reason,
            "; giving up" if give_up else "; will retry",
        )
        with self._db.transaction() as session:
            session.execute(
                update(OutboxRow)
                .where(OutboxRow.id == job.row_id)
                .values(
                    status=Status.FAILED if give_up else Status.PENDING,
                    claimed_until=None,
                    last_error=error.reason[:500],
                    next_attempt_at=now + _backoff(job.attempts),
                )
            )
        metrics.OUTBOX_DELIVERIES.labels(job.platform.value, "failed" if give_up else "retry").inc()


def _claim(session: Session, row: OutboxRow, now: datetime) -> bool:
    claimed = session.execute(
        update(OutboxRow)
        .where(
            OutboxRow.id == row.id,
            OutboxRow.status == Status.PENDING,
            or_(OutboxRow.claimed_until.is_(None), OutboxRow.claimed_until < now),
        )
        .values(claimed_until=now + CLAIM_LEASE, attempts=OutboxRow.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return False
    session.refresh(row)
    return True


def _backoff(attempts: int) -> timedelta:
    delay: timedelta = FIRST_RETRY * (2 ** max(attempts - 1, 0))
    return min(delay, LONGEST_RETRY)
