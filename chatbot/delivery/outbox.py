"""Delivers outbox rows: renders each card and posts it, or updates the one posted before.

Live cards are rendered from the database at delivery time, so rows for the same card are
coalesced (the render is always the latest truth). Deliveries are claimed with a
compare-and-set lease so several replicas can run dispatchers (on PostgreSQL the candidates
are read ``FOR UPDATE SKIP LOCKED``, so replicas claiming at once take disjoint batches instead
of queueing on each other's rows; SQLite, one writer at a time, renders no lock clause and
relies on the compare-and-set alone), and failures are retried with
exponential backoff; a person the platform cannot reach is reported to the admins.

A post is marked with its card's name (``flows.ports.PostMark``); a row claimed again after an
attempt (the process died after the platform stored the post, or the answer was lost) asks
the messenger to look for the first message before posting, so a retry updates it instead of
adding a second copy, where the platform lets a bot read its history (Slack does).

Claims are short and kept alive: a dispatcher renews its claims every second while it
delivers them, so the claims of one that died (killed, crashed, its machine gone) lapse within
``CLAIM_LEASE`` and the restarted process, or another replica, delivers them at once. Liveness
is the lease itself: nothing has to tell a dead replica from a live one that is merely slow,
on SQLite or on PostgreSQL with any number of replicas. Each claim's expiry carries its
holder's tag in its microseconds, so a dispatcher renews only the claims it still holds.

The loop outlives any failure (a database outage, a messenger's bug): each is logged in one
line, counted in ``/metrics``, waited out with a capped exponential backoff and retried, and
``health`` says when the loop last got through, for ``/healthz``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import AsyncIterator, Collection, Coroutine, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import ColumnElement, exists, func, or_, select, update
from sqlalchemy.orm import Session

from chatbot import metrics
from chatbot.storage.database import Database
from chatbot.storage.ledger import Clock, SqlLedger
from chatbot.storage.models import MessageRef as MessageRefRow
from chatbot.storage.models import OutboxRow
from chatbot.supervision import Backoff, FailureLog, LoopHealth, describe
from flows.model import Notification, Platform
from flows.ports import (
    AdminChannel,
    DeliveryError,
    MessageRef,
    Messenger,
    PersonRecipient,
    PostMark,
    Recipient,
)
from flows.ui import Card, card_from_dict

log = logging.getLogger(__name__)

CLAIM_LEASE = timedelta(seconds=3)  # a dispatcher that dies mid-delivery frees its rows after this
CLAIM_RENEW_SECONDS = 1.0  # how often a delivering dispatcher renews its claims
STALL_AFTER = timedelta(minutes=2)  # /healthz: no delivery loop got through for this long
LOOP = "outbox"  # the loop's name in /metrics and /healthz
MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(seconds=5)
LONGEST_RETRY = timedelta(hours=1)
BATCH = 200
RECIPIENTS_AT_ONCE = 32  # recipients delivered to concurrently; each one's rows in order
IDLE_POLL_SECONDS = 2.0
LAPSE_MARGIN_SECONDS = 0.05  # poll this long after a claim lapses, to find it lapsed
UNREACHABLE_SUBJECT = "unreachable"  # the admins' report that a card reached nobody


class Status:
    PENDING = "pending"
    SENT = "sent"
    SUPERSEDED = "superseded"
    FAILED = "failed"


class LiveCards(Protocol):
    """Renders a subject's current card for an audience from the database, or None if gone."""

    def render(self, session: Session, subject_id: str, audience: str) -> Card | None: ...


@dataclass(frozen=True)
class _CardKey:
    platform: str
    subject_kind: str
    subject_id: str
    audience: str


@dataclass(frozen=True)
class _Job:
    row_id: int
    key: _CardKey
    card: Card
    recipient: Recipient
    ref: MessageRef | None
    covers_up_to: int  # rows for this card queued after the render stay pending
    attempts: int  # this one included

    @property
    def platform(self) -> Platform:
        return Platform(self.key.platform)

    @property
    def mark(self) -> PostMark:
        """The card's name on its platform; past the first attempt, an earlier one may have
        posted it (stored by the platform, the answer lost to a kill or a timeout)."""
        key = self.key
        return PostMark(f"{key.subject_kind}:{key.subject_id}:{key.audience}", self.attempts > 1)


@dataclass(frozen=True)
class _Batch:
    jobs: list[_Job]
    claimed_until: datetime  # every row of the batch is claimed until exactly then
    next_lapse: datetime | None = None  # with no jobs: when the first claim held elsewhere lapses


class OutboxDispatcher:
    def __init__(
        self,
        db: Database,
        live_cards: Mapping[str, LiveCards],
        messengers: Mapping[Platform, Messenger],
        clock: Clock,
        admin_platforms: Collection[Platform] | None = None,
        *,
        holder: int | None = None,
        backoff: Backoff | None = None,
    ) -> None:
        """``admin_platforms``: those with an admin channel (default: every platform);
        ``holder``: this dispatcher's tag in its claims (1 to 999,999; default: random)."""
        self._db = db
        self._live_cards = live_cards
        self._messengers = messengers
        self._clock = clock
        self._admin_platforms = admin_platforms
        self._wake = asyncio.Event()
        self.holder = holder if holder is not None else secrets.randbelow(999_999) + 1
        self._backoff = backoff or Backoff()
        self._failures = FailureLog(log)
        self.health = LoopHealth(LOOP, clock, STALL_AFTER)

    def wake(self) -> None:
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver until ``stop`` is set, through any failure (logged, counted, waited out)."""
        log.info("outbox dispatcher started")
        log.debug("its claims carry the tag %d in their expiry's microseconds", self.holder)
        while not stop.is_set():
            try:
                batch = await self._deliver_batch()
            # The loop must outlive whatever one iteration meets (the database down, a bug):
            # each failure is logged and counted, then retried after a backoff.
            except Exception as error:  # noqa: BLE001
                delay = self._backoff.failed()
                self._failures.record("outbox delivery", error, f"; retrying in {delay:g} s")
                metrics.LOOP_FAILURES.labels(LOOP).inc()
                await _first(stop.wait(), at_most=delay)
                continue
            self._backoff.reset()
            self.health.progressed()
            if not batch.jobs:
                self._wake.clear()
                await _first(self._wake.wait(), stop.wait(), at_most=self._idle_seconds(batch))

    async def deliver_due(self) -> int:
        """Deliver every row that is due now; returns how many were attempted."""
        return len((await self._deliver_batch()).jobs)

    async def _deliver_batch(self) -> _Batch:
        batch = await asyncio.to_thread(self._claim_due)
        if batch.jobs:
            async with self._claims_renewed(batch):
                at_once = asyncio.Semaphore(RECIPIENTS_AT_ONCE)
                await asyncio.gather(
                    *(self._deliver_in_order(jobs, at_once) for jobs in _by_recipient(batch.jobs))
                )
        return batch

    async def _deliver_in_order(self, jobs: list[_Job], at_once: asyncio.Semaphore) -> None:
        """One recipient's rows, oldest first: while the messenger paces posts to one channel,
        deliveries to other recipients go on."""
        async with at_once:
            for job in jobs:
                await self._deliver(job)
                self.health.progressed()

    def _idle_seconds(self, batch: _Batch) -> float:
        """Until the next poll: sooner when a claim held elsewhere (perhaps by a dispatcher
        that died) lapses first, so its rows go out the moment they are free."""
        if batch.next_lapse is None:
            return IDLE_POLL_SECONDS
        until_lapse = (batch.next_lapse - self._clock()).total_seconds()
        return min(max(until_lapse, 0.0) + LAPSE_MARGIN_SECONDS, IDLE_POLL_SECONDS)

    async def _deliver(self, job: _Job) -> None:
        messenger = self._messengers.get(job.platform)
        try:
            if messenger is None:
                raise DeliveryError(f"{job.platform} is not enabled", permanent=True)
            ref = job.ref
            if ref is None:
                ref = await messenger.post(job.recipient, job.card, job.mark)
            else:
                await messenger.update(ref, job.card)
        except DeliveryError as error:
            await asyncio.to_thread(self._record_failure, job, error)
            return
        # A messenger's bug fails this delivery (retried like any other), not the loop.
        except Exception as error:
            if self._failures.first_time(error):
                log.error(
                    "the %s messenger raised %s", job.platform, describe(error), exc_info=error
                )
            failure = DeliveryError(f"unexpected {describe(error)}", permanent=False)
            await asyncio.to_thread(self._record_failure, job, failure)
            return
        await asyncio.to_thread(self._record_success, job, ref)

    def _claimed_until(self, now: datetime) -> datetime:
        """A claim's expiry, about ``CLAIM_LEASE`` ahead, tagged with its holder."""
        return (now + CLAIM_LEASE).replace(microsecond=self.holder)

    @contextlib.asynccontextmanager
    async def _claims_renewed(self, batch: _Batch) -> AsyncIterator[None]:
        renewing = asyncio.create_task(self._renew_claims(batch))
        try:
            yield
        finally:
            renewing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewing

    async def _renew_claims(self, batch: _Batch) -> None:
        """Every ``CLAIM_RENEW_SECONDS`` until cancelled, push back the expiry of the batch's
        rows that this dispatcher still holds (delivered ones are no longer claimed)."""
        ids = [job.row_id for job in batch.jobs]
        claimed_until = batch.claimed_until
        while True:
            await asyncio.sleep(CLAIM_RENEW_SECONDS)
            try:
                claimed_until = await asyncio.to_thread(self._renew, ids, claimed_until)
            # A renewal that fails only lets the claims lapse sooner; the next one may work.
            except Exception as error:  # noqa: BLE001
                self._failures.record("renewing outbox claims", error)
                metrics.LOOP_FAILURES.labels(LOOP).inc()

    def _renew(self, ids: list[int], claimed_until: datetime) -> datetime:
        renewed = self._claimed_until(self._clock())
        with self._db.transaction() as session:
            session.execute(
                update(OutboxRow)
                .where(OutboxRow.id.in_(ids), OutboxRow.claimed_until == claimed_until)
                .values(claimed_until=renewed)
            )
        return renewed

    def _claim_due(self) -> _Batch:
        now = self._clock()
        claimed_until = self._claimed_until(now)
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
                .with_for_update(skip_locked=True)
            ).all()
            claimed: list[_Job] = []
            seen: set[_CardKey] = set()
            for row in candidates:
                key = _CardKey(row.platform, row.subject_kind, row.subject_id, row.audience)
                if key in seen or not _claim(session, row, now, claimed_until):
                    continue
                seen.add(key)
                job = self._job(session, row, key)
                if job is not None:
                    claimed.append(job)
            if claimed:
                return _Batch(claimed, claimed_until)
            return _Batch(claimed, claimed_until, _next_lapse(session, now))

    def _job(self, session: Session, row: OutboxRow, key: _CardKey) -> _Job | None:
        card = self._card(session, row)
        if card is None:
            row.status, row.last_error = Status.FAILED, "nothing to render: the subject is gone"
            return None
        ref_row = session.get(
            MessageRefRow, (key.platform, key.subject_kind, key.subject_id, key.audience)
        )
        latest = session.scalar(
            select(func.max(OutboxRow.id)).where(
                *_same_card(key), OutboxRow.status == Status.PENDING
            )
        )
        recipient: Recipient = (
            PersonRecipient(row.recipient_email) if row.recipient_email else AdminChannel()
        )
        ref = MessageRef(ref_row.channel, ref_row.message_id) if ref_row else None
        return _Job(row.id, key, card, recipient, ref, latest or row.id, row.attempts)

    def _card(self, session: Session, row: OutboxRow) -> Card | None:
        if row.payload is not None:
            return card_from_dict(row.payload)
        source = self._live_cards.get(row.subject_kind)
        return source.render(session, row.subject_id, row.audience) if source else None

    def _report_if_unreachable(self, session: Session, job: _Job, error: DeliveryError) -> None:
        """Tell the admins, once per card and person, when no platform could deliver it.

        A platform that cannot reach someone stays quiet while another one may: the report
        is queued by the last platform to give up, in the transaction that records it.
        """
        if _reachable_elsewhere(session, job.key):
            return
        assert isinstance(job.recipient, PersonRecipient)
        key, email = job.key, job.recipient.email
        failed = session.execute(
            select(OutboxRow.platform, OutboxRow.last_error).where(
                *_same_subject(key), OutboxRow.status == Status.FAILED
            )
        )
        reasons = "; ".join(sorted({f"{platform}: {reason}" for platform, reason in failed}))
        platforms = tuple(self._messengers)
        ledger = SqlLedger(session, self._clock, platforms, self._admin_platforms)
        ledger.notify(
            Notification(
                UNREACHABLE_SUBJECT,
                f"{key.subject_kind}:{key.subject_id}:{key.audience}",
                "admins",
                None,
                f"unreachable:{key.subject_kind}:{key.subject_id}:{key.audience}:{email}",
                card=_unreachable_card(job, reasons or error.reason),
            )
        )

    def _record_success(self, job: _Job, ref: MessageRef) -> None:
        now = self._clock()
        key = job.key
        with self._db.transaction() as session:
            session.merge(
                MessageRefRow(
                    platform=key.platform,
                    subject_kind=key.subject_kind,
                    subject_id=key.subject_id,
                    audience=key.audience,
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
                    *_same_card(key),
                    OutboxRow.status == Status.PENDING,
                    OutboxRow.id <= job.covers_up_to,
                    OutboxRow.id != job.row_id,
                    OutboxRow.payload.is_(None),
                )
                .values(status=Status.SUPERSEDED, sent_at=now)
            )
        metrics.OUTBOX_DELIVERIES.labels(key.platform, "sent").inc()

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
            if give_up and isinstance(job.recipient, PersonRecipient):
                self._report_if_unreachable(session, job, error)
        metrics.OUTBOX_DELIVERIES.labels(job.key.platform, "failed" if give_up else "retry").inc()
        if error.rate_limited:
            metrics.RATE_LIMITED.labels(job.key.platform).inc()


def _by_recipient(jobs: list[_Job]) -> list[list[_Job]]:
    lanes: dict[tuple[Platform, Recipient], list[_Job]] = {}
    for job in jobs:
        lanes.setdefault((job.platform, job.recipient), []).append(job)
    return list(lanes.values())


def _same_card(key: _CardKey) -> tuple[ColumnElement[bool], ...]:
    return (OutboxRow.platform == key.platform, *_same_subject(key))


def _same_subject(key: _CardKey) -> tuple[ColumnElement[bool], ...]:
    """The same card on any platform."""
    return (
        OutboxRow.subject_kind == key.subject_kind,
        OutboxRow.subject_id == key.subject_id,
        OutboxRow.audience == key.audience,
    )


def _reachable_elsewhere(session: Session, key: _CardKey) -> bool:
    """The same card was delivered on, or is still on its way to, another platform."""
    delivered = exists().where(
        MessageRefRow.subject_kind == key.subject_kind,
        MessageRefRow.subject_id == key.subject_id,
        MessageRefRow.audience == key.audience,
        MessageRefRow.platform != key.platform,
    )
    pending = exists().where(
        *_same_subject(key), OutboxRow.platform != key.platform, OutboxRow.status == Status.PENDING
    )
    return bool(session.scalar(select(or_(delivered, pending))))


def _unreachable_card(job: _Job, reasons: str) -> Card:
    assert isinstance(job.recipient, PersonRecipient)
    email = job.recipient.email
    return Card(
        title="Could not reach a person",
        summary=f"Could not deliver a message to {email}.",
        text=(
            f'The message "{job.card.title}" for {email} could not be delivered '
            f"({reasons}). Please contact them another way."
        ),
    )


def _claim(session: Session, row: OutboxRow, now: datetime, until: datetime) -> bool:
    claimed = session.execute(
        update(OutboxRow)
        .where(
            OutboxRow.id == row.id,
            OutboxRow.status == Status.PENDING,
            or_(OutboxRow.claimed_until.is_(None), OutboxRow.claimed_until < now),
        )
        .values(claimed_until=until, attempts=OutboxRow.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return False
    session.refresh(row)
    return True


def _next_lapse(session: Session, now: datetime) -> datetime | None:
    """When the first claim on a pending row runs out."""
    return session.scalar(
        select(func.min(OutboxRow.claimed_until)).where(
            OutboxRow.status == Status.PENDING, OutboxRow.claimed_until >= now
        )
    )


def _backoff(attempts: int) -> timedelta:
    delay: timedelta = FIRST_RETRY * (2 ** max(attempts - 1, 0))
    return min(delay, LONGEST_RETRY)


async def _first(*waits: Coroutine[Any, Any, object], at_most: float) -> None:
    """Until the first of ``waits`` is done, or ``at_most`` seconds."""
    tasks = [asyncio.ensure_future(wait) for wait in waits]
    await asyncio.wait(tasks, timeout=at_most, return_when=asyncio.FIRST_COMPLETED)
    for task in tasks:
        task.cancel()
