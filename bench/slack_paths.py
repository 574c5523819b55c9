"""The Slack paths: slash command to modal, approve click to updated cards, form submission to
its acknowledgement; each against the bare Bolt app doing the least Slack requires."""

from __future__ import annotations

import time
from collections import deque
from typing import Any

from bench.databases import engine_of
from bench.harness import ADMIN_USER, LEAD_USER, Harness, drain_outbox, phase_rows, rotate
from bench.load import ExhaustedError, LoadError, One, Phase, closed_loop
from bench.processes import Server
from bench.seed import Approval
from bench.slack_requests import SlackSender, click, command, view_submission
from bench.table import Row, bot_at_most, bot_below, ratio_at_least
from flows.kinds.new_user.form import F
from tests.e2e.slack_testbed import state_values
from tests.requests import request_values

FORM_ID = "new_user_request"
BUTTON_CONCURRENCY = 16
FORM_CONCURRENCY = 16
CARD_SECONDS = 1.0  # every card updated within a second of its click
MAX_APPROVALS = 4000  # seeding more takes longer than a run uses them
SETTLE_SECONDS = 30.0
SLACK_ACK_MS = 3000  # Slack shows an error if the acknowledgement takes longer
NUMBER = "NUMBERMARK"  # letters only: neither JSON nor URL encoding changes it


def command_one(h: Harness, sender: SlackSender) -> One:
    """``/hmis-access`` from the River House lead, until the fake sees views.open."""

    async def one() -> float:
        trigger = f"{next(h.ids)}.bench"
        opened = h.fake.expect("views.open", trigger)
        started = time.perf_counter()
        try:
            await sender.post(command(LEAD_USER, trigger, h.fake.response_url("command")))
            return await opened - started
        finally:
            h.fake.forget("views.open", trigger)

    return one


async def command_path(h: Harness) -> None:
    bot, bolt = h.servers["bot"], h.servers["bare-bolt"]
    for concurrency in h.plan.concurrencies:
        bots, bolts = await rotate(
            h.plan.rotations,
            h.runner(command_one(h, h.sender(bot)), bot, concurrency),
            h.runner(command_one(h, h.sender(bolt)), bolt, concurrency),
        )
        h.rows += phase_rows(
            "slack /hmis-access -> modal",
            concurrency,
            bots,
            bolts,
            rate=ratio_at_least(1.0),
            p99=bot_below(50, "ms") if concurrency == 16 else None,
            hint="known costs per command: the replay check's insert and the open_form "
            "transaction (each in a worker thread; BEGIN IMMEDIATE on SQLite), Bolt's "
            "listener runner; the modal is built once per form (adapters/slack/blocks.py) and "
            "the person's identity read once per process (chatbot/identity_cache.py)",
        )


# Button: approve ---------------------------------------------------------------------------


def approve_one(
    h: Harness, sender: SlackSender, queue: deque[Approval], clicked: list[tuple[Approval, float]]
) -> One:
    """An admin approves the next waiting request, until its admin card gets chat.update."""

    async def one() -> float:
        if not queue:
            raise ExhaustedError("every seeded request has been approved")
        approval = queue.popleft()
        updated = h.fake.expect("chat.update", *approval.admin_card)
        started = time.perf_counter()
        clicked.append((approval, started))
        try:
            await sender.post(_click(h, approval))
            return await updated - started
        finally:
            h.fake.forget("chat.update", *approval.admin_card)

    return one


def ack_one(h: Harness, sender: SlackSender, approval: Approval) -> One:
    """The same click, complete when the bare Bolt app acknowledges it."""

    async def one() -> float:
        started = time.perf_counter()
        await sender.post(_click(h, approval))
        return time.perf_counter() - started

    return one


def _click(h: Harness, approval: Approval) -> str:
    channel, ts = approval.admin_card
    trigger = f"{next(h.ids)}.bench"
    response_url = h.fake.response_url("click")
    value = approval.approve_value()
    return click(ADMIN_USER, channel, ts, value, trigger_id=trigger, response_url=response_url)


def approvals_needed(h: Harness) -> int:
    """Enough requests for every click the plan may make, at most ``MAX_APPROVALS`` (a run
    that clicks faster than that ends when they run out)."""
    needed = h.plan.rotations * (h.plan.warmup + h.plan.count(BUTTON_CONCURRENCY))
    return min(needed, MAX_APPROVALS)


async def button_path(h: Harness, approvals: list[Approval]) -> None:
    bot, bolt = h.servers["bot"], h.servers["bare-bolt"]
    queue = deque(approvals)
    clicked: list[tuple[Approval, float]] = []
    c = BUTTON_CONCURRENCY
    measured = h.runner(approve_one(h, h.sender(bot), queue, clicked), bot, c, warmup=False)

    async def bot_run() -> Phase:
        """The warm-up's clicks are left out of the slowest-card figure."""
        warmup = approve_one(h, h.sender(bot), queue, [])
        await closed_loop(warmup, h.plan.warmup, c, h.plan.seconds / 2)
        return await measured()

    bolt_run = h.runner(ack_one(h, h.sender(bolt), approvals[0]), bolt, c)
    bots, bolts = await rotate(
        h.plan.rotations, bot_run, bolt_run, lambda: drain_outbox(h.database_url)
    )
    h.rows += phase_rows(
        "slack approve -> chat.update",
        c,
        bots,
        bolts,
        rate=ratio_at_least(0.5),
        hint="after the ack the outbox dispatcher (chatbot/delivery/outbox.py) delivers the "
        "request's cards (several recipients at once): per card a claim UPDATE, a render that "
        "re-reads the request and the directory changes for each audience, the HTTP call, then "
        "a record transaction; every step in a worker thread on the server's one core",
    )
    h.rows.append(await _slowest_card(h, clicked, bolts))


async def _slowest_card(
    h: Harness, clicked: list[tuple[Approval, float]], bolts: list[Phase]
) -> Row:
    """The longest any card of an approved request waited for its chat.update."""
    keys = [("chat.update", *card) for approval, _ in clicked for card in approval.cards]
    await h.fake.wait_until(lambda: all(k in h.fake.update_times for k in keys), SETTLE_SECONDS)
    waits = [
        h.fake.update_times.get(("chat.update", *card), float("inf")) - started
        for approval, started in clicked
        for card in approval.cards
    ]
    missing = sum(1 for wait in waits if wait == float("inf"))
    late = sum(1 for wait in waits if wait > CARD_SECONDS)
    slowest = max(waits, default=float("nan"))
    baseline = max((max(p.latencies, default=0.0) for p in bolts), default=float("nan"))
    why = (
        f"{late} of {len(waits)} cards took over {CARD_SECONDS:g} s"
        + (f", {missing} never updated within {SETTLE_SECONDS:g} s" if missing else "")
        + "; under load the cards of later clicks wait for the dispatcher's claim of 200 rows "
        "and its worker threads on the same core as the acks"
    )
    return Row(
        "slack approve: slowest card update",
        str(BUTTON_CONCURRENCY),
        "max ms",
        None if missing else slowest * 1000,
        baseline * 1000,
        bot_at_most(CARD_SECONDS * 1000, "ms"),
        limiter=why,
        shown=f"{missing} missing" if missing else "",
    )


# Form submission ---------------------------------------------------------------------------


async def form_view(h: Harness) -> dict[str, Any]:
    """The New User Access Request modal as the bot opened it (opening one if need be)."""
    if FORM_ID not in h.fake.views:
        await command_one(h, h.sender(h.servers["bot"]))()
    return h.fake.views[FORM_ID]


def submission(view: dict[str, Any]) -> str:
    """A valid New User Access Request, with ``NUMBER`` where each one's number goes (the
    new person's name and e-mail), so a body costs the load generator one replace."""
    values = request_values(
        **{
            F.TRAINEE_EMAIL: f"form{NUMBER}@riverhouse.example.org",
            F.TRAINEE_NAME: f"Form Person {NUMBER}",
        }
    )
    return view_submission(LEAD_USER, view, state_values(view, values))


def submit_one(h: Harness, sender: SlackSender, view: dict[str, Any], *, accepted: bool) -> One:
    """A New User Access Request for a new person, until the acknowledgement; with
    ``accepted`` the answer must accept it (not field errors)."""
    template = submission(view)

    async def one() -> float:
        body = template.replace(NUMBER, f"{next(h.ids):010d}")
        started = time.perf_counter()
        text = await sender.post(body)
        elapsed = time.perf_counter() - started
        if accepted and '"errors"' in text:
            raise LoadError(f"the form was refused: {text[:200]}")
        return elapsed

    return one


async def form_path(h: Harness, bot: Server, database_url: str) -> None:
    bolt = h.servers["bare-bolt"]
    engine = engine_of(database_url)
    view = await form_view(h)
    c = FORM_CONCURRENCY
    bots, bolts = await rotate(
        h.plan.rotations,
        h.runner(submit_one(h, h.sender(bot), view, accepted=True), bot, c),
        h.runner(submit_one(h, h.sender(bolt), view, accepted=False), bolt, c),
        lambda: drain_outbox(database_url),
    )
    h.rows += phase_rows(
        f"slack form submit ({engine})",
        c,
        bots,
        bolts,
        p99=bot_below(SLACK_ACK_MS, "ms"),
        hint="validation and the request's transaction (audit, outbox rows) run before the "
        "ack, after an identity read in a write transaction; the body is URL- and JSON-decoded "
        "twice (adapters/slack/handler.py _well_formed, then Bolt)"
        + (
            "; on SQLite every write transaction takes the one write lock (BEGIN IMMEDIATE)"
            if engine == "sqlite"
            else ""
        ),
    )
