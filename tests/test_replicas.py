"""Three ``hmis-bot serve`` replicas on one PostgreSQL database behind a round-robin proxy.

Each replica is a real process on a loopback port (tests/serving.py); the proxy, the fake
Slack (each replica's Web API calls counted apart) and the test run in this process:

- signed Slack requests go through the proxy, so any replica takes any of them (a form opened
  by one is submitted to another), and each filing is stored and shown once;
- 1,000 accounts fall due for an inactivity warning at once: the replica holding the sweep
  lease queues them (held for business hours; the test opens the business day), and every
  replica's outbox dispatcher delivers (claims read ``FOR UPDATE SKIP LOCKED``), while the
  replicas are SIGKILLed one after another, the sweeper first and every third time, and
  restarted;
- another replica takes the sweep lease within a lease period (plus one tick) of the kill,
  and no two replicas' sweeps ever overlap (each sweep's start and end are in its log);
- every warning reaches its person exactly once.

Replicas tick every ``TICK_MINUTES`` (about a second) so a lease lapses within seconds; the
fake Slack takes ``POST_SECONDS`` per post, half before storing it and half after, like a
network round trip, so kills land mid-delivery, some of them after Slack stored a post and
before the bot read the answer (the ambiguous failure of tests/test_crashes.py): before a
retry looked for the first message, two of three kills here left a person a second copy.

The figures (timings, deliveries per replica, takeover times, copies) are printed: run with
``-s`` to see them. The long variant, ``-m slow``, kills more often over more nudges.
"""

from __future__ import annotations

import asyncio
import random
import re
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import count, pairwise
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import func, insert, select, update

from chatbot.scheduling.scheduler import LEASE_TICKS, SWEEP_LEASE
from chatbot.storage.database import Database
from chatbot.storage.models import Account, OutboxRow, RequestRow, SchedulerLease
from flows.community import Community
from flows.kinds.new_user.form import F
from tests.e2e.slack_testbed import ADMIN_CHANNEL, TOKEN, USERS, SlackTestbed
from tests.fakes.slack_web_api import FakeSlack, dm_channel_id
from tests.requests import LEAD, SUPERVISOR, request_values
from tests.serving import SECONDS, At, ServeProcess, eventually, launch, serve_environment

pytestmark = [
    pytest.mark.postgresql,
    pytest.mark.parametrize("database_url", ["postgresql"], indirect=True),
]

REPLICAS = 3
TICK_MINUTES = 0.02  # a sweep tick every 1.2 s
TICK_SECONDS = TICK_MINUTES * 60
LEASE_SECONDS = LEASE_TICKS * TICK_SECONDS
TAKEOVER_SLACK = 0.5  # the test's polling of the lease row, and a tick late on a busy machine
POST_SECONDS = 0.01  # the fake Slack's time per chat.postMessage, as a round trip would take
FILINGS = 6
NUDGES = 1_000
CI_KILLS = (0.1, 0.5)  # kill a replica when this share of the nudges has arrived
SLOW_NUDGES = 3_000
SLOW_KILLS = tuple(round(0.05 * k, 2) for k in range(1, 19))
REQUEST_NUMBER = re.compile(r"#(\d+)")
LOG_TIME = "%Y-%m-%d %H:%M:%S,%f"
SWEEP_START = re.compile(r"^(\S+ \S+) INFO \S+ nudge sweep started by (\S+)$", re.MULTILINE)
SWEEP_END = re.compile(r"^(\S+ \S+) INFO \S+ nudge sweep by (\S+) took", re.MULTILINE)
HOP_HEADERS = frozenset({"host", "content-length", "transfer-encoding", "connection"})


def nudged(number: int) -> tuple[str, str]:
    """The Slack id and e-mail of the person whose account is the ``number``th to fall due."""
    return f"UNUDGE{number}", f"nudged{number}@riverhouse.example.org"


def trainee(run: int) -> tuple[str, str, str]:
    return f"UNEW{run}", f"new.user{run}@riverhouse.example.org", f"New User {run}"


class SlowSlack(FakeSlack):
    """The fake Slack, with a round trip's time around storing each post."""

    async def _handle_api(self, request: web.Request) -> web.Response:
        posting = request.match_info["method"] == "chat.postMessage"
        if posting:
            await asyncio.sleep(POST_SECONDS / 2)
        answer = await super()._handle_api(request)
        if posting:
            await asyncio.sleep(POST_SECONDS / 2)
        return answer


# The replicas and the proxy in front of them --------------------------------------------------


@dataclass
class Replica:
    name: str
    serve: ServeProcess | None = None
    starts: int = 0
    killed_at: dict[Path, datetime] = field(default_factory=dict)
    """When each of its processes (by log file) was killed, in the logs' local time."""


@dataclass
class Cluster:
    fake: SlowSlack
    database: Database
    directory: Path
    http: aiohttp.ClientSession
    replicas: list[Replica]
    served: Counter[str] = field(default_factory=Counter)
    proxy_base: str = ""
    _turn: Iterator[int] = field(default_factory=count)

    async def start(self, replica: Replica) -> None:
        replica.starts += 1
        extra = {
            "HMIS_BOT_SWEEP_MINUTES": str(TICK_MINUTES),
            "SLACK_API_URL": self.fake.base_url_for(replica.name),
            # The fake sets no limits: look-ups as fast as they come (Slack allows 50 a minute).
            "HMIS_BOT_SLACK_LOOKUPS_PER_MINUTE": "1000000",
        }
        env = serve_environment(self.database.url, self.fake.base_url, extra)
        name = f"{replica.name}-{replica.starts}"
        replica.serve = await launch(self.http, self.directory, name, env)

    async def kill(self, replica: Replica) -> None:
        serve = replica.serve
        assert serve is not None
        replica.serve = None  # the proxy stops sending it requests
        serve.kill()
        replica.killed_at[serve.log] = datetime.now()  # noqa: DTZ005 (the logs' local time)
        await serve.died()

    def by_pid(self, pid: int) -> Replica:
        [replica] = [r for r in self.replicas if r.serve is not None and r.serve.pid == pid]
        return replica

    async def forward(self, request: web.Request) -> web.Response:
        """To the next replica in turn; one that refuses the connection (killed) is passed
        over. A request that reached a replica is not sent again: it may have been acted on."""
        body = await request.read()
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_HEADERS}
        for _ in range(len(self.replicas)):
            replica = self.replicas[next(self._turn) % len(self.replicas)]
            if replica.serve is None:
                continue
            url = f"{replica.serve.base}{request.path_qs}"
            try:
                async with self.http.request(
                    request.method, url, data=body, headers=headers
                ) as answer:
                    payload = await answer.read()
                    self.served[replica.name] += 1
                    kind = answer.headers.get("Content-Type", "text/plain")
                    return web.Response(
                        status=answer.status, body=payload, headers={"Content-Type": kind}
                    )
            except aiohttp.ClientConnectorError:
                continue
        return web.Response(status=502, text="no replica answered")

    # What is stored -------------------------------------------------------------------------

    def lease_holder(self) -> str | None:
        with self.database.transaction() as session:
            lease = session.get(SchedulerLease, SWEEP_LEASE)
            return lease.holder if lease is not None else None

    def pending(self) -> int:
        with self.database.transaction() as session:
            query = select(func.count()).where(OutboxRow.status == "pending")
            return int(session.scalar(query) or 0)

    def nudges_queued(self) -> int:
        with self.database.transaction() as session:
            query = select(func.count()).where(OutboxRow.subject_kind == "nudge")
            return int(session.scalar(query) or 0)

    def open_business_day(self) -> None:
        """Nudges wait for the community's business hours (``not_before``): as if they had
        begun, whatever the time of day the test runs at."""
        now = datetime.now(UTC)
        with self.database.transaction() as session:
            session.execute(
                update(OutboxRow)
                .where(OutboxRow.status == "pending", OutboxRow.next_attempt_at > now)
                .values(next_attempt_at=now)
            )

    def requests_for(self, email: str) -> list[int]:
        with self.database.transaction() as session:
            query = select(RequestRow.id).where(RequestRow.subject_email == email)
            return list(session.scalars(query))


@asynccontextmanager
async def cluster(
    database: Database, community: Community, directory: Path, nudges: int
) -> AsyncIterator[Cluster]:
    fake = SlowSlack(token=TOKEN)
    await fake.start()
    for email, user_id in USERS.items():
        fake.add_user(user_id, email, community.display_name(email))
    for run in range(1, FILINGS + 1):
        user_id, email, name = trainee(run)
        fake.add_user(user_id, email, name)
    for number in range(nudges):
        fake.add_user(*nudged(number), f"Nudged {number}")
    fake.add_channel(ADMIN_CHANNEL)
    fake.add_channel("C0GENERAL")
    replicas = [Replica(f"r{n}") for n in range(1, REPLICAS + 1)]
    timeout = aiohttp.ClientTimeout(total=SECONDS)
    async with aiohttp.ClientSession(timeout=timeout) as http:
        bed = Cluster(fake, database, directory, http, replicas)
        proxy = web.Application()
        proxy.router.add_route("*", "/{path:.*}", bed.forward)
        runner = web.AppRunner(proxy, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        host, port = runner.addresses[0][:2]
        bed.proxy_base = f"http://{host}:{port}"
        try:
            await asyncio.gather(*(bed.start(replica) for replica in replicas))
            yield bed
        finally:
            for replica in replicas:
                if replica.serve is not None:
                    replica.serve.kill()
            await runner.cleanup()
            await fake.stop()


# Requests through the proxy -------------------------------------------------------------------


async def file_through_proxy(bed: Cluster) -> None:
    """The lead files ``FILINGS`` requests, each command and form to whichever replica the
    proxy picks; each is stored once and its cards shown once."""
    slack = SlackTestbed(
        bed.fake, At(bed.http, bed.proxy_base), lambda: datetime.now(UTC), count(1)
    )
    for run in range(1, FILINGS + 1):
        views = len(bed.fake.opened_views)
        assert (await slack.command(LEAD))[0] == 200
        await eventually(lambda: len(bed.fake.opened_views) > views, "the form to open")  # noqa: B023
        _, email, name = trainee(run)
        values = request_values(**{F.TRAINEE_EMAIL: email, F.TRAINEE_NAME: name})
        await slack.submit(LEAD, bed.fake.opened_views[-1], values)
    await eventually(lambda: len(filed_cards(bed)) == 3 * FILINGS, "every filing's cards")
    for run in range(1, FILINGS + 1):
        assert len(await asyncio.to_thread(bed.requests_for, trainee(run)[1])) == 1, run
    shown = filed_cards(bed)
    channels = {ADMIN_CHANNEL, dm_channel_id(USERS[LEAD]), dm_channel_id(USERS[SUPERVISOR])}
    assert {channel for channel, _ in shown} == channels
    assert set(shown.values()) == {1}, shown


def filed_cards(bed: Cluster) -> Counter[tuple[str, int]]:
    return Counter(
        (channel, int(found.group(1)))
        for (channel, _), message in bed.fake.messages.items()
        if (found := REQUEST_NUMBER.search(str(message.get("text", ""))))
    )


# Nudges under kills ---------------------------------------------------------------------------


def seed_due_accounts(database: Database, nudges: int) -> None:
    """Active accounts whose last login was 50 days ago: past the community's 45-day warning,
    short of its 60-day disabling; one warning each, to the account holder."""
    now = datetime.now(UTC)
    rows: list[dict[str, Any]] = [
        {
            "email": nudged(number)[1],
            "name": f"Nudged {number}",
            "agency_id": "river-house",
            "access_role_id": "dss",
            "status": "active",
            "created_at": now - timedelta(days=400),
            "activated_at": now - timedelta(days=399),
            "last_login_at": now - timedelta(days=50),
            "version": 1,
        }
        for number in range(nudges)
    ]
    with database.transaction() as session:
        session.execute(insert(Account), rows)


def copies(bed: Cluster, nudges: int) -> Counter[str]:
    """How many messages each nudged person has (those with none are not counted)."""
    people = {dm_channel_id(nudged(number)[0]) for number in range(nudges)}
    return Counter(channel for channel, _ in bed.fake.messages if channel in people)


def arrived(bed: Cluster, nudges: int) -> int:
    """How many of the nudged people have their warning."""
    return len(copies(bed, nudges))


def pid_of(holder: str) -> int:
    """The process id in a lease holder's name (``host:pid:nonce``)."""
    return int(holder.rsplit(":", 2)[1])


@dataclass
class Takeover:
    seconds: float
    from_replica: str
    to_replica: str


async def kill_sweeper(bed: Cluster) -> Takeover:
    """Kill the replica holding the sweep lease; how long until another one holds it."""
    holder = await asyncio.to_thread(bed.lease_holder)
    assert holder is not None
    victim = bed.by_pid(pid_of(holder))
    killed = time.monotonic()
    await bed.kill(victim)
    while (now_held := await asyncio.to_thread(bed.lease_holder)) == holder:
        assert time.monotonic() - killed < 3 * LEASE_SECONDS, "nobody took the sweep lease over"
        await asyncio.sleep(0.05)
    assert now_held is not None
    taker = bed.by_pid(pid_of(now_held))
    return Takeover(time.monotonic() - killed, victim.name, taker.name)


async def kills_during_delivery(
    bed: Cluster, nudges: int, at_shares: tuple[float, ...]
) -> tuple[list[Takeover], list[str]]:
    """Kill a replica each time the share of nudges arrived reaches the next of ``at_shares``:
    the sweep lease holder first and every third kill, otherwise one not killed yet (a random
    one in the long run), restarting each at once. The takeovers measured, who was killed."""
    takeovers: list[Takeover] = []
    killed: list[str] = []
    restarts: list[asyncio.Task[None]] = []
    rng = random.Random(13)
    for index, share in enumerate(at_shares):
        await eventually(lambda: arrived(bed, nudges) >= share * nudges, f"{share:.0%} arrived")  # noqa: B023
        await asyncio.gather(*restarts)  # the last one killed is back before the next kill
        restarts.clear()
        if index % REPLICAS == 0:
            takeover = await kill_sweeper(bed)
            takeovers.append(takeover)
            victim = next(r for r in bed.replicas if r.name == takeover.from_replica)
        else:
            live = [r for r in bed.replicas if r.serve is not None]
            spared = [r for r in live if r.name not in killed]
            victim = spared[0] if spared else rng.choice(live)
            await bed.kill(victim)
        killed.append(victim.name)
        restarts.append(asyncio.create_task(bed.start(victim)))
    await asyncio.gather(*restarts)
    return takeovers, killed


def sweeps(bed: Cluster) -> list[tuple[datetime, datetime, str]]:
    """Every sweep in every replica's log, (start, end, holder): one killed mid-sweep ends
    when it was killed, one still running now."""
    found = []
    now = datetime.now()  # noqa: DTZ005 (the logs' local time)
    for replica in bed.replicas:
        for log in sorted(bed.directory.glob(f"{replica.name}-*.log")):
            text = log.read_text(errors="replace")
            ends = [(_at(t), who) for t, who in SWEEP_END.findall(text)]
            for started, holder in SWEEP_START.findall(text):
                begun = _at(started)
                finished = [end for end, who in ends if who == holder and end >= begun]
                end = min(finished) if finished else replica.killed_at.get(log, now)
                found.append((begun, end, holder))
    return sorted(found)


def _at(logged: str) -> datetime:
    return datetime.strptime(logged, LOG_TIME)  # noqa: DTZ007 (the logs' local time)


def overlapping(found: list[tuple[datetime, datetime, str]]) -> list[tuple[str, str]]:
    """Pairs of sweeps by different holders that ran at the same time."""
    return [(a[2], b[2]) for a, b in pairwise(found) if b[0] < a[1] and a[2] != b[2]]


async def nudges_under_kills(
    bed: Cluster, nudges: int, at_shares: tuple[float, ...]
) -> dict[str, Any]:
    """Seed the due accounts, kill and restart replicas as the nudges go out; the figures."""
    posts_before = {r.name: bed.fake.calls_by[r.name, "chat.postMessage"] for r in bed.replicas}
    started = time.monotonic()
    await asyncio.to_thread(seed_due_accounts, bed.database, nudges)
    # At least: the community's own reminders (a meeting next week) may fall due too.
    await eventually(lambda: bed.nudges_queued() >= nudges, "the sweep to queue the nudges")
    queued = time.monotonic() - started
    await asyncio.to_thread(bed.open_business_day)
    takeovers, killed = await kills_during_delivery(bed, nudges, at_shares)
    await eventually(lambda: arrived(bed, nudges) == nudges, "every nudge to arrive")
    delivered = time.monotonic() - started
    await eventually(lambda: bed.pending() == 0, "the outbox to drain")
    per_person = Counter(copies(bed, nudges).values())
    return {
        "queued_in": round(queued, 1),
        "delivered_in": round(delivered, 1),
        "copies": dict(per_person),
        "posts_per_replica": {
            r.name: bed.fake.calls_by[r.name, "chat.postMessage"] - posts_before[r.name]
            for r in bed.replicas
        },
        "takeovers": [(t.from_replica, t.to_replica, round(t.seconds, 2)) for t in takeovers],
        "killed": killed,
    }


async def replicas_under_kills(
    database: Database, community: Community, directory: Path, nudges: int, kills: tuple[float, ...]
) -> None:
    begun = time.monotonic()
    async with cluster(database, community, directory, nudges) as bed:
        started = time.monotonic() - begun
        await file_through_proxy(bed)
        assert set(bed.served) == {r.name for r in bed.replicas}, bed.served
        figures = await nudges_under_kills(bed, nudges, kills)
        found = sweeps(bed)
    figures |= {
        "replicas_started_in": round(started, 1),
        "served_per_replica": dict(bed.served),
        "sweeps": len(found),
        "total_seconds": round(time.monotonic() - begun, 1),
    }
    print(f"\nreplicas: {figures}")  # noqa: T201 (the measurements the report quotes)
    assert overlapping(found) == [], found
    for _, _, seconds in figures["takeovers"]:
        assert seconds <= LEASE_SECONDS + TICK_SECONDS + TAKEOVER_SLACK, figures
    delivering = [name for name, posts in figures["posts_per_replica"].items() if posts]
    assert len(delivering) >= 2, figures  # replicas drained the outbox in parallel
    assert figures["copies"] == {1: nudges}, figures


async def test_replicas_share_requests_and_deliver_each_nudge_once_under_kills(
    database: Database, community: Community, tmp_path: Path
) -> None:
    await replicas_under_kills(database, community, tmp_path, NUDGES, CI_KILLS)


@pytest.mark.slow
async def test_many_kills_over_more_nudges(
    database: Database, community: Community, tmp_path: Path
) -> None:
    await replicas_under_kills(database, community, tmp_path, SLOW_NUDGES, SLOW_KILLS)
