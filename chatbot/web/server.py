"""``hmis-bot serve``: one aiohttp application mounting every enabled adapter, plus health and
metrics, with the outbox dispatcher and the nudge scheduler running in-process.

``GET /healthz`` answers 200 only while the database answers (within ``PING_SECONDS``) and
both background loops make progress; otherwise 503, with ``"status": "unavailable"`` (the
database is down) or ``"stalled"`` (a loop has not got through for longer than its limit).
Each loop's entry gives the age of its last progress in seconds.

``GET /metrics`` counts and times every request by route (a middleware), and reads the
backlog gauges from the database at each scrape (``chatbot.backlog``); a database that does
not answer leaves them as they were, and the scrape still answers."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from time import perf_counter
from typing import TYPE_CHECKING, Any

import aiohttp
from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from adapters.slack.handler import SlackEventsHandler
from adapters.slack.setup import SlackAdapter, slack_adapter
from adapters.slack.socket_mode import SlackSocketMode
from chatbot import metrics
from chatbot.backlog import read_backlog
from chatbot.policy import load_community
from chatbot.runtime import Runtime, build_runtime, utc_now
from chatbot.scheduling.scheduler import start_nudges
from chatbot.settings import Settings, SlackCredentials
from chatbot.storage.conversations import SqlConversations
from chatbot.storage.database import Database
from chatbot.storage.deliveries import InboundDeliveries
from chatbot.storage.ledger import Clock
from chatbot.storage.schema import is_current, unknown_revisions
from chatbot.supervision import FailureLog, LoopHealth
from chatbot.web.pages import privacy_page, terms_page
from chatbot.web.teams import teams_credentials
from flows.community import Community
from flows.kit.registry import Registry
from flows.model import Platform
from flows.ports import Messenger

if TYPE_CHECKING:  # botbuilder loads only when Teams is on (tens of megabytes)
    from adapters.teams.handler import TeamsMessagesHandler
    from adapters.teams.setup import TeamsAdapter

log = logging.getLogger(__name__)

PING_SECONDS = 3.0  # /healthz: a database that takes longer to answer SELECT 1 is down


@dataclass
class _State:
    runtime: Runtime | None = None
    slack: SlackEventsHandler | None = None
    teams: TeamsMessagesHandler | None = None
    adapters: dict[str, str] = field(default_factory=dict)
    dispatcher: LoopHealth | None = None
    scheduler: LoopHealth | None = None  # None when in-process sweeps are off
    clock: Clock = utc_now
    ping_failures: FailureLog = field(default_factory=lambda: FailureLog(log))
    backlog_failures: FailureLog = field(default_factory=lambda: FailureLog(log))


STATE = web.AppKey("state", _State)


class SchemaNotReadyError(RuntimeError):
    """The database's schema is missing, old, or at ``newer`` revisions this version lacks."""

    def __init__(self, newer: frozenset[str]) -> None:
        super().__init__("the database schema is missing, old or newer: see `hmis-bot init`")
        self.newer = newer


def create_app(
    settings: Settings,
    clock: Clock = utc_now,
    community: Community | None = None,
    registry: Registry | None = None,
) -> web.Application:
    """The server; ``registry`` (default: the bundled request kinds) lets tests add a kind."""
    app = web.Application(middlewares=[_measured])
    app[STATE] = _State(clock=clock)
    app.cleanup_ctx.append(lambda a: _lifespan(a, settings, clock, community, registry))
    app.router.add_get("/healthz", _healthz)
    app.router.add_get("/metrics", _metrics)
    app.router.add_get("/privacy", _privacy)
    app.router.add_get("/terms", _terms)
    app.router.add_post("/slack/events", _slack_events)
    app.router.add_post("/api/messages", _teams_messages)
    return app


async def _lifespan(
    app: web.Application,
    settings: Settings,
    clock: Clock,
    community: Community | None,
    registry: Registry | None,
) -> AsyncIterator[None]:
    state = app[STATE]
    if community is None:
        community = await asyncio.to_thread(load_community, settings.policy_path)
    async with aiohttp.ClientSession() as session:
        db = Database(settings.database_url)
        adapters = _Adapters.start(settings, community, session, db, clock)
        runtime = build_runtime(
            settings, community, adapters.messengers, clock, db=db, registry=registry
        )
        if not await asyncio.to_thread(is_current, runtime.db.engine):
            newer = await asyncio.to_thread(unknown_revisions, runtime.db.engine)
            raise SchemaNotReadyError(newer)
        socket_mode = adapters.mount(state, runtime, clock)
        if socket_mode is not None:
            socket_mode.start()
        stop = asyncio.Event()
        dispatcher = asyncio.create_task(runtime.dispatcher.run(stop))
        nudges = start_nudges(runtime, settings.sweep_minutes, clock, asyncio.get_running_loop())
        state.dispatcher = runtime.dispatcher.health
        state.scheduler = nudges.health if nudges is not None else None
        try:
            yield
        finally:
            if socket_mode is not None:
                await socket_mode.stop()
            if nudges is not None:
                await asyncio.to_thread(nudges.stop)
            stop.set()
            with contextlib.suppress(asyncio.CancelledError):
                await dispatcher
            runtime.db.dispose()


@dataclass
class _Adapters:
    """The chat adapters whose credentials are set; each missing one is logged once."""

    slack: SlackAdapter | None
    teams: TeamsAdapter | None
    teams_mode: str
    messengers: dict[Platform, Messenger]

    @classmethod
    def start(
        cls,
        settings: Settings,
        community: Community,
        session: aiohttp.ClientSession,
        db: Database,
        clock: Clock,
    ) -> _Adapters:
        messengers: dict[Platform, Messenger] = {}
        slack = None
        if (slack_keys := settings.slack_credentials()) is not None:
            slack = slack_adapter(
                session,
                slack_keys.bot_token,
                slack_keys.signing_secret,
                settings.slack_api_url,
                community.channels.admin.slack,
                app_token=slack_keys.app_token,
                rate_limited=metrics.RATE_LIMITED.labels(Platform.SLACK.value).inc,
                lookups_per_minute=settings.slack_lookups_per_minute,
            )
            messengers[Platform.SLACK] = slack.messenger
            _log_slack_mode(slack_keys)
        teams = None
        credentials = teams_credentials(settings)
        if credentials is not None:
            conversations = SqlConversations(db, clock)
            from adapters.teams.setup import teams_adapter  # noqa: PLC0415 - Teams is on

            teams = teams_adapter(credentials, conversations, community.channels.admin.teams)
            messengers[Platform.TEAMS] = teams.messenger
        mode = "off" if credentials is None else "on" if credentials.app_id else "dev"
        return cls(slack, teams, mode, messengers)

    def mount(self, state: _State, runtime: Runtime, clock: Clock) -> SlackSocketMode | None:
        """Serve the adapters' endpoints; Slack's Socket Mode connection, to start, if any."""
        first_delivery = InboundDeliveries(runtime.db, clock).first
        socket_mode = None
        slack_mode = "off"
        if self.slack is not None and self.slack.app_token:
            observe = metrics.REQUEST_SECONDS.labels("slack_socket_mode").observe
            socket_mode = self.slack.socket_mode(runtime.service, observe)
            slack_mode = "socket"
        elif self.slack is not None:
            state.slack = self.slack.events_handler(runtime.service, first_delivery)
            slack_mode = "on"
        if self.teams is not None:
            state.teams = self.teams.messages_handler(runtime.service, first_delivery)
        state.runtime = runtime
        state.adapters = {"slack": slack_mode, "teams": self.teams_mode}
        return socket_mode


def _log_slack_mode(keys: SlackCredentials) -> None:
    if not keys.socket_mode:
        log.info("Slack adapter is on: Slack sends its requests to POST /slack/events")
        return
    unused = " (SLACK_SIGNING_SECRET is not used)" if keys.signing_secret else ""
    log.info(
        "Slack adapter is on in Socket Mode: the bot connects to Slack, no public URL needed; "
        "POST /slack/events is off%s",
        unused,
    )


async def _slack_events(request: web.Request) -> web.StreamResponse:
    state = request.app[STATE]
    handler = state.slack
    if handler is None:
        why = "runs in Socket Mode" if state.adapters.get("slack") == "socket" else "is off"
        return web.json_response({"error": f"the Slack adapter {why}"}, status=404)
    return await handler(request)


async def _teams_messages(request: web.Request) -> web.StreamResponse:
    handler = request.app[STATE].teams
    if handler is None:
        return web.json_response({"error": "the Teams adapter is off"}, status=404)
    return await handler(request)


async def _healthz(request: web.Request) -> web.Response:
    state = request.app[STATE]
    database = await _database_answers(state)
    loops = {"dispatcher": state.dispatcher, "scheduler": state.scheduler}
    stalled = any(loop is not None and loop.stalled() for loop in loops.values())
    status = "unavailable" if not database else "stalled" if stalled else "ok"
    body: dict[str, Any] = {
        "status": status,
        "database": "ok" if database else "down",
        "adapters": state.adapters,
    }
    body |= {name: _loop_health(loop) for name, loop in loops.items()}
    return web.json_response(body, status=200 if status == "ok" else 503)


async def _database_answers(state: _State) -> bool:
    if state.runtime is None:
        return False
    try:
        async with asyncio.timeout(PING_SECONDS):
            return await asyncio.to_thread(state.runtime.db.ping)
    # However the database fails to answer, it is down: one log line, not a traceback a probe.
    except Exception as error:  # noqa: BLE001
        state.ping_failures.record("health check: the database ping", error)
        return False


def _loop_health(loop: LoopHealth | None) -> dict[str, Any] | str:
    if loop is None:
        return "off"
    return {
        "status": "stalled" if loop.stalled() else "ok",
        "last_progress_age_seconds": round(loop.age().total_seconds(), 1),
        "stalled_after_seconds": loop.stall_after.total_seconds(),
    }


async def _privacy(request: web.Request) -> web.Response:
    return _page(request, privacy_page)


async def _terms(request: web.Request) -> web.Response:
    return _page(request, terms_page)


def _page(request: web.Request, render: Callable[[Community], str]) -> web.Response:
    """The Teams manifest's privacy and terms links, from the community file's own words."""
    runtime = request.app[STATE].runtime
    if runtime is None:
        return web.Response(status=503, text="starting")
    return web.Response(text=render(runtime.community), content_type="text/html")


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def _measured(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Count and time every request by its route (the route's pattern, so an unknown path
    cannot grow the metrics without bound)."""
    started = perf_counter()
    status = 500  # what the client gets when the handler raises anything but an HTTP answer
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as answer:
        status = answer.status
        raise
    finally:
        resource = request.match_info.route.resource
        route = resource.canonical if resource is not None else "unmatched"
        metrics.HTTP_REQUESTS.labels(route, request.method, str(status)).inc()
        metrics.REQUEST_SECONDS.labels(route).observe(perf_counter() - started)


async def _metrics(request: web.Request) -> web.Response:
    state = request.app[STATE]
    if state.runtime is not None:
        try:
            async with asyncio.timeout(PING_SECONDS):
                reading = asyncio.to_thread(read_backlog, state.runtime.db, state.clock())
                metrics.BACKLOG.latest = await reading
        # A scrape must answer whatever the database does: the counters are this process's
        # own; the backlog gauges keep their last values, and the failure is logged once.
        except Exception as error:  # noqa: BLE001
            state.backlog_failures.record("metrics: reading the backlog", error)
    response = web.Response(body=generate_latest())
    response.content_type = CONTENT_TYPE_LATEST.split(";")[0]
    return response
