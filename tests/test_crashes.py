"""SIGKILL at every step of a decision, on a real ``hmis-bot serve``, SQLite and PostgreSQL.

Signed Slack requests go to the server process; its Web API calls go to the fake Slack in this
process. The process is killed with SIGKILL, as ``kill -9`` or the OOM killer would, at one
step of an admin's Approve or of a lead filing a request:

- ``before_commit``: the approval's changes made, not committed (chatbot/faults.py);
- ``after_commit``: committed, the admin not yet told (chatbot/faults.py);
- ``after_ack``: the admin was told "approved"; the admin card's update is on its way to
  Slack, held there, when the process dies;
- ``mid_delivery``: the lead filed a request and was told so; its first card is on its way
  to Slack, held there, when the process dies;
- ``posted_unrecorded``: the same, but Slack stores the card and the process dies before it
  reads Slack's answer (the fake kills it there): the ambiguous failure.

A server process starts, is killed at one step, and the next one starts on the same database:
each start is both the restart after the last kill and the process the next kill hits (a
server start costs seconds; the file stays within CI's budget this way). Then, every time:
what the person was told is what is stored; no decision is lost or taken twice (one
transition and one audit row each; a retry after a crash before the commit works, a second
click after a crash after it is refused as already decided); and the outbox converges:
nothing pending or failed, every card there exactly once, each approval shown by exactly one
update of each card.

``posted_unrecorded`` has a test of its own: the restarted outbox cannot know whether the
first post reached Slack, so it looks for it (each post names its card in message metadata;
a retry reads the conversation's history first, issue 9) and updates it: no card has a copy.

CI kills at each step ``CI_CYCLES`` times per database (``posted_unrecorded`` on SQLite
only); the long variants, ``SLOW_CYCLES`` times on both, are marked ``slow``:
``.venv/bin/python -m pytest -m slow tests/test_crashes.py``.
"""

from __future__ import annotations

import asyncio
import json
import re
import signal
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import func, select

from chatbot import faults
from chatbot.community_calendar import business_calendar
from chatbot.runtime import utc_now
from chatbot.service import BotService
from chatbot.storage.database import Database
from chatbot.storage.models import AuditEventRow, OutboxRow, RequestRow, RequestTransition
from flows.community import Community
from flows.kinds import default_registry
from flows.kinds.new_user.form import F
from flows.model import Platform
from tests.drive import Driver, service_driver
from tests.e2e.slack_testbed import ADMIN_CHANNEL, TOKEN, USERS, SlackTestbed, find_button
from tests.fakes.slack_web_api import FakeSlack
from tests.requests import ADMIN, LEAD, SUPERVISOR, request_values
from tests.serving import SECONDS, At, ServeProcess, eventually, launch, serve_environment

CI_CYCLES = 1  # each step killed once per database
SLOW_CYCLES = 10  # each step killed 10 times per database
HOOKED = (faults.BEFORE_COMMIT, faults.AFTER_COMMIT)
APPROVALS = (*HOOKED, "after_ack")
REQUEST_NUMBER = re.compile(r"#(\d+)")
FILED = re.compile(r"Request #(\d+) filed")


def new_user(run: int) -> tuple[str, str, str]:
    """The Slack id, e-mail and name of the person run ``run`` files a request for."""
    return f"UNEW{run}", f"new.user{run}@riverhouse.example.org", f"New User {run}"


def dm(user_id: str) -> str:
    return f"D{user_id}"


# The server process ---------------------------------------------------------------------------


@dataclass
class Server:
    """A ``hmis-bot serve`` process (tests/serving.py) and the Slack testbed aimed at it."""

    serve: ServeProcess
    slack: SlackTestbed

    @property
    def process(self) -> asyncio.subprocess.Process:
        return self.serve.process

    def kill(self) -> None:
        self.serve.kill()

    async def died(self) -> None:
        await self.serve.died()


class KillingSlack(FakeSlack):
    """The fake Slack; given a ``victim``, it kills that process right after storing the next
    post, before answering it: the card reached Slack, and the bot never learns so."""

    victim: asyncio.subprocess.Process | None = None

    def _dispatch(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        answer = super()._dispatch(method, params)
        if method == "chat.postMessage" and self.victim is not None and answer.get("ok"):
            self.victim.send_signal(signal.SIGKILL)
            self.victim = None
        return answer


# The bench: the database, the fake Slack, the servers ------------------------------------------


@dataclass
class Bench:
    fake: KillingSlack
    database: Database
    driver: Driver
    directory: Path
    http: aiohttp.ClientSession
    servers: list[Server] = field(default_factory=list)
    stranded: list[asyncio.Event] = field(default_factory=list)
    names: count[int] = field(default_factory=lambda: count(1))
    """Numbers the response URLs across servers: Slack lets each be used five times."""

    async def start(self, crash_at: str = "") -> Server:
        """``hmis-bot serve`` on a free port, healthy, with the outbox settled."""
        armed = {faults.VARIABLE: crash_at} if crash_at else {}
        env = serve_environment(self.database.url, self.fake.base_url, armed)
        name = f"serve-{len(self.servers) + 1}"
        serve = await launch(self.http, self.directory, name, env)
        slack = SlackTestbed(self.fake, At(self.http, serve.base), utc_now, self.names)
        server = Server(serve, slack)
        self.servers.append(server)
        await self.settled()
        return server

    async def settled(self) -> None:
        """Until no outbox row is pending and the bot's calls to Slack have stopped."""
        quiet, seen = 0, -1
        deadline = time.monotonic() + SECONDS
        while quiet < 5:
            assert time.monotonic() < deadline, f"the outbox never settled: {self.outbox()}"
            await asyncio.sleep(0.1)
            pending = (await asyncio.to_thread(self.outbox)).get("pending", 0)
            calls = len(self.fake.calls) + len(self.fake.responses)
            quiet = quiet + 1 if pending == 0 and calls == seen else 0
            seen = calls

    def strand(self, method: str, held: asyncio.Event) -> None:
        """Let later calls of ``method`` through; the one held stays unanswered (its caller
        is dead), until the bench closes."""
        self.stranded.append(held)
        self.fake.hold(method).set()

    def told_since(self, responses: int) -> list[str]:
        """What the bot told people through response URLs since there were ``responses``."""
        return [str(r.get("text", "")) for r in self.fake.responses[responses:]]

    # What is stored ---------------------------------------------------------------------------

    def outbox(self) -> dict[str, int]:
        with self.database.transaction() as session:
            query = select(OutboxRow.status, func.count()).group_by(OutboxRow.status)
            return {status: int(n) for status, n in session.execute(query).all()}

    def approval(self, request_id: int) -> tuple[str, int, int, int]:
        """The request's state, its transitions into approved, and its approvals audited as
        taken and as refused."""
        with self.database.transaction() as session:
            state = session.scalar(select(RequestRow.state).where(RequestRow.id == request_id))
            moves = session.scalar(
                select(func.count()).where(
                    RequestTransition.request_id == request_id,
                    RequestTransition.to_state == "approved",
                )
            )
            audited = dict(
                session.execute(
                    select(AuditEventRow.outcome, func.count())
                    .where(
                        AuditEventRow.action == "new_user.approve",
                        AuditEventRow.subject_id == str(request_id),
                    )
                    .group_by(AuditEventRow.outcome)
                ).all()
            )
        return str(state), int(moves or 0), audited.get("ok", 0), audited.get("refused", 0)

    def requests_for(self, email: str) -> list[tuple[int, str, int]]:
        """(id, state, transitions) of every request stored for this person."""
        query = (
            select(RequestRow.id, RequestRow.state, func.count(RequestTransition.id))
            .outerjoin(RequestTransition, RequestTransition.request_id == RequestRow.id)
            .where(RequestRow.subject_email == email)
            .group_by(RequestRow.id, RequestRow.state)
        )
        with self.database.transaction() as session:
            return [(i, state, int(n)) for i, state, n in session.execute(query).all()]

    # What Slack shows -------------------------------------------------------------------------

    def cards(self) -> Counter[tuple[str, int]]:
        """How many messages each (channel, request number) has."""
        return Counter(
            (channel, int(found.group(1)))
            for (channel, _), message in self.fake.messages.items()
            if (found := REQUEST_NUMBER.search(str(message.get("text", ""))))
        )

    def admin_card(self, request_id: int) -> dict[str, Any]:
        [message] = [
            m
            for (channel, _), m in self.fake.messages.items()
            if channel == ADMIN_CHANNEL and f"#{request_id}," in str(m.get("text", ""))
        ]
        return message


@asynccontextmanager
async def bench(database: Database, community: Community, directory: Path) -> AsyncIterator[Bench]:
    fake = KillingSlack(token=TOKEN)
    await fake.start()
    for email, user_id in USERS.items():
        fake.add_user(user_id, email, community.display_name(email))
    for run in range(1, len(DECISIONS) * SLOW_CYCLES + 1):
        fake.add_user(*new_user(run))
    fake.add_channel(ADMIN_CHANNEL)
    fake.add_channel("C0GENERAL")
    calendar = business_calendar(community)
    service = BotService(
        database, community, calendar, utc_now, (Platform.SLACK,), default_registry()
    )
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=SECONDS)) as http:
        testbed = Bench(fake, database, service_driver(service), directory, http)
        try:
            yield testbed
        finally:
            for server in testbed.servers:
                server.kill()
            for held in testbed.stranded:  # the fake's stranded handlers may finish now
                held.set()
            await fake.stop()


# Approvals --------------------------------------------------------------------------------


@dataclass
class Approval:
    step: str
    run: int
    request_id: int
    button: str = ""  # the Approve button's value, as the admin's client still shows it
    told: list[str] = field(default_factory=list)

    @property
    def approved(self) -> str:
        return (
            f"Request #{self.request_id} for {new_user(self.run)[2]} approved. "
            "Create the account with the role Direct Service Staff."
        )


def awaiting_approval(bed: Bench, step: str, run: int) -> Approval:
    """A request filed, verified and trained, straight into the database."""
    _, email, name = new_user(run)
    bed.driver.submit(LEAD, request_values(**{F.TRAINEE_EMAIL: email, F.TRAINEE_NAME: name}))
    [(request_id, _, _)] = bed.requests_for(email)
    bed.driver.click(SUPERVISOR, "verify", request_id)
    for training in ("general", "privacy"):
        bed.driver.click(email, f"trained.{training}", request_id)
    return Approval(step, run, request_id)


async def press_approve(bed: Bench, server: Server, approval: Approval) -> int | None:
    """Approve on the admin card, as the admin's client shows it. Bolt answers 200 at once
    and works on after that ack, so the status tells nothing of the decision; None when the
    process died first."""
    card = bed.admin_card(approval.request_id)
    if not approval.button:
        approval.button = find_button(card["blocks"], "Approve")["value"]
    with suppress(aiohttp.ClientError):
        status, _ = await server.slack.click(
            ADMIN, ADMIN_CHANNEL, card["ts"], "Approve", approval.button, label_check=False
        )
        return status
    return None


async def approve_and_crash(bed: Bench, server: Server, approval: Approval) -> None:
    """Approve, and have the server killed at the approval's step; keep what the admin was
    told by then."""
    responses, calls = len(bed.fake.responses), len(bed.fake.calls)
    if approval.step in HOOKED:  # the process kills itself (chatbot/faults.py)
        await press_approve(bed, server, approval)
        await server.died()
    else:
        held = bed.fake.hold("chat.update")
        assert await press_approve(bed, server, approval) == 200

        def told_and_updating() -> bool:
            updating = any(method == "chat.update" for method, _ in bed.fake.calls[calls:])
            return updating and len(bed.fake.responses) > responses

        await eventually(told_and_updating, "the admin told and the card's update held")
        server.kill()
        await server.died()
        bed.strand("chat.update", held)
    approval.told = bed.told_since(responses)


async def approve_again(bed: Bench, server: Server, approval: Approval) -> list[str]:
    """After the restart, the admin presses Approve again (on the card as they saw it):
    what they are told."""
    responses = len(bed.fake.responses)
    assert await press_approve(bed, server, approval) == 200
    await eventually(lambda: len(bed.fake.responses) > responses, "the admin to be told")
    await bed.settled()
    return bed.told_since(responses)


async def after_the_crash(bed: Bench, server: Server, approval: Approval) -> None:
    """What the admin was told is what is stored; a retry after a crash before the commit
    works, a second click after one is refused as already decided."""
    stored = await asyncio.to_thread(bed.approval, approval.request_id)
    if approval.step == faults.BEFORE_COMMIT:
        assert (approval.told, stored) == ([], ("awaiting_approval", 0, 0, 0)), approval
        assert await approve_again(bed, server, approval) == [approval.approved], approval
    elif approval.step == faults.AFTER_COMMIT:
        assert (approval.told, stored) == ([], ("approved", 1, 1, 0)), approval
        [again] = await approve_again(bed, server, approval)
        assert "already moved on" in again, (approval, again)
    else:
        assert (approval.told, stored) == ([approval.approved], ("approved", 1, 1, 0)), approval


async def check_approvals(bed: Bench, approvals: list[Approval]) -> None:
    """Each approval stored once; every card of its request there once, updated once."""
    cards = bed.cards()
    for approval in approvals:
        second_click = approval.step == faults.AFTER_COMMIT  # refused, and audited as such
        stored = await asyncio.to_thread(bed.approval, approval.request_id)
        assert stored == ("approved", 1, 1, int(second_click)), approval
        trainee = new_user(approval.run)[0]
        channels = {ADMIN_CHANNEL, dm(USERS[LEAD]), dm(USERS[SUPERVISOR]), dm(trainee)}
        shown = {c: n for (c, r), n in cards.items() if r == approval.request_id}
        assert shown == dict.fromkeys(channels, 1), approval
        card = bed.admin_card(approval.request_id)
        [update] = bed.fake.updates(ADMIN_CHANNEL, card["ts"])
        assert "approved by" in update["text"], (approval, update)


# Filings and their delivery -------------------------------------------------------------------


@dataclass
class Filing:
    step: str
    run: int
    request_id: int


async def file_request(bed: Bench, server: Server, run: int) -> str:
    """The lead files a request through the server (slash command, then the form); what the
    form's answer tells them."""
    views = len(bed.fake.opened_views)
    assert (await server.slack.command(LEAD))[0] == 200
    await eventually(lambda: len(bed.fake.opened_views) > views, "the form to open")
    _, email, name = new_user(run)
    values = request_values(**{F.TRAINEE_EMAIL: email, F.TRAINEE_NAME: name})
    return json.dumps(await server.slack.submit(LEAD, bed.fake.opened_views[-1], values))


async def file_and_crash(bed: Bench, server: Server, step: str, run: int) -> Filing:
    """File a request and have the server killed while its first cards go out: held on
    their way to Slack (``mid_delivery``), or right after Slack stored one (the fake kills)."""
    posts = len(bed.fake.calls_to("chat.postMessage"))
    held = bed.fake.hold("chat.postMessage")
    told = FILED.search(await file_request(bed, server, run))
    assert told is not None, "the lead was not told the request was filed"
    on_its_way = lambda: len(bed.fake.calls_to("chat.postMessage")) > posts  # noqa: E731
    await eventually(on_its_way, "a card on its way")
    if step == "mid_delivery":
        server.kill()
        await server.died()
        bed.strand("chat.postMessage", held)
    else:
        bed.fake.victim = server.process
        held.set()
        await server.died()
    # The outbox delivers to several people at once: each card in flight is ambiguous.
    assert len(bed.fake.calls_to("chat.postMessage")) > posts, "no card was on its way"
    return Filing(step, run, int(told.group(1)))


async def copies_of_cards(bed: Bench, filings: list[Filing]) -> Counter[str]:
    """Each filing stored once, every card of it there; the extra copies, by step."""
    cards = bed.cards()
    copies: Counter[str] = Counter()
    for filing in filings:
        stored = await asyncio.to_thread(bed.requests_for, new_user(filing.run)[1])
        assert stored == [(filing.request_id, "awaiting_verification", 1)], filing
        shown = {c: n for (c, r), n in cards.items() if r == filing.request_id}
        assert set(shown) == {ADMIN_CHANNEL, dm(USERS[LEAD]), dm(USERS[SUPERVISOR])}, filing
        copies[filing.step] += sum(shown.values()) - len(shown)
    return copies


# The chain of servers -------------------------------------------------------------------------

DECISIONS = (faults.BEFORE_COMMIT, "after_ack", faults.AFTER_COMMIT, "mid_delivery")
"""One cycle, in this order: a server armed to kill itself is always followed by one the test
kills, unarmed, where the first one's second click goes."""
AMBIGUOUS = ("posted_unrecorded",)


async def crash_cycles(bed: Bench, steps: tuple[str, ...], cycles: int) -> Counter[str]:
    """Start a server and kill it at the next step, ``cycles`` times over ``steps``; then
    check everything on a last server. The extra copies of cards, by step."""
    runs = list(enumerate(steps * cycles, start=1))
    approvals = {
        run: await asyncio.to_thread(awaiting_approval, bed, step, run)
        for run, step in runs
        if step in APPROVALS
    }
    filings, earlier = [], None
    for run, step in runs:
        server = await bed.start(crash_at=step if step in HOOKED else "")
        if earlier is not None:
            await after_the_crash(bed, server, earlier)
            earlier = None
        if step in APPROVALS:
            await approve_and_crash(bed, server, approvals[run])
            earlier = approvals[run]
        else:
            filings.append(await file_and_crash(bed, server, step, run))
    server = await bed.start()
    if earlier is not None:
        await after_the_crash(bed, server, earlier)
    await bed.settled()
    assert set(await asyncio.to_thread(bed.outbox)) <= {"sent", "superseded"}
    await check_approvals(bed, list(approvals.values()))
    return await copies_of_cards(bed, filings)


async def crash(
    steps: tuple[str, ...],
    cycles: int,
    database: Database,
    community: Community,
    directory: Path,
) -> Counter[str]:
    async with bench(database, community, directory) as bed:
        return await crash_cycles(bed, steps, cycles)


# The tests ------------------------------------------------------------------------------------


async def test_a_kill_at_any_step_loses_no_decision_and_doubles_none(
    database: Database, community: Community, tmp_path: Path
) -> None:
    assert await crash(DECISIONS, CI_CYCLES, database, community, tmp_path) == Counter()


# In CI on SQLite only: what this shows is the outbox's, on any database; PostgreSQL's claims
# after a kill mid-delivery are in the test above, and the slow variant runs on both.
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_card_slack_stored_just_before_a_kill_is_not_posted_again(
    database: Database, community: Community, tmp_path: Path
) -> None:
    await ambiguous_posts(CI_CYCLES, database, community, tmp_path)


@pytest.mark.slow
async def test_many_kills_at_every_step(
    database: Database, community: Community, tmp_path: Path
) -> None:
    assert await crash(DECISIONS, SLOW_CYCLES, database, community, tmp_path) == Counter()


@pytest.mark.slow
async def test_many_kills_just_after_slack_stored_a_card(
    database: Database, community: Community, tmp_path: Path
) -> None:
    await ambiguous_posts(SLOW_CYCLES, database, community, tmp_path)


async def ambiguous_posts(
    kills: int, database: Database, community: Community, directory: Path
) -> None:
    """Everything converges, and no kill right after Slack stored a card leaves a copy of it.
    Before, the restarted outbox posted the card again, one copy per kill (an xfail here)."""
    assert await crash(AMBIGUOUS, kills, database, community, directory) == Counter()
