"""A fast local Slack Web API for the load generator's process.

It answers the calls the bot and the bare Bolt app make (views.open, chat.postMessage,
chat.update, users.info, users.lookupByEmail, auth.test, ...) without validating Block Kit
(``tests/fakes/slack_web_api.py`` does that, too slowly for a load test), and records when
each call arrived so the harness can time a request to the effect a person sees: the modal
opening, the card changing. With ``limits`` on it answers 429 with ``Retry-After`` the way
Slack's rate limits would (``bench.slack_limits``).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any, TypeAlias

from aiohttp import web

from bench.slack_limits import RateLimits

Json: TypeAlias = dict[str, Any]
Key: TypeAlias = tuple[str, ...]
TS_EPOCH = 1_700_000_000
BOT_USER_ID = "UBOT"


class FakeSlack:
    def __init__(self, token: str, users: Mapping[str, str]) -> None:
        """``users``: Slack user id to the e-mail in their profile."""
        self.token = token
        self.base_url = ""
        self.origin = ""
        self.calls: Counter[str] = Counter()
        self.rate_limited: Counter[str] = Counter()
        self.posts: list[tuple[str, float]] = []
        self.first_call_at: float | None = None
        self.update_times: dict[Key, float] = {}
        self.views: dict[str, Json] = {}
        self._users = dict(users)
        self._ids_by_email = {email: user for user, email in users.items()}
        self._limits: RateLimits | None = None
        self._waiters: dict[Key, asyncio.Future[float]] = {}
        self._changed = asyncio.Condition()
        self._ts = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self._handlers: dict[str, Callable[[Json], Json]] = {
            "auth.test": self._auth_test,
            "users.info": self._users_info,
            "users.lookupByEmail": self._lookup_by_email,
            "conversations.open": self._conversations_open,
            "chat.postMessage": self._post_message,
            "chat.update": self._update,
            "chat.postEphemeral": self._ok,
            "views.open": self._views_open,
            "views.update": self._ok,
            "views.publish": self._ok,
        }

    # Lifecycle ------------------------------------------------------------------------------

    async def start(self) -> str:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/respond/{name}", self._respond)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        host, port = self._runner.addresses[0][:2]
        self.origin = f"http://{host}:{port}"
        self.base_url = f"{self.origin}/api/"
        return self.base_url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    # What the harness asks ------------------------------------------------------------------

    def expect(self, *key: str) -> asyncio.Future[float]:
        """A future that gets the arrival time (``perf_counter``) of the call named by ``key``:
        ``("views.open", trigger_id)`` or ``("chat.update", channel, ts)``."""
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self._waiters[key] = future
        return future

    def forget(self, *key: str) -> None:
        self._waiters.pop(key, None)

    async def wait_until(self, done: Callable[[], bool], within: float) -> bool:
        """Wait (at most ``within`` seconds) until ``done()`` holds after some call; whether
        it does."""
        async with self._changed:
            try:
                await asyncio.wait_for(self._changed.wait_for(done), within)
            except TimeoutError:
                return done()
        return True

    def limit(self, on: bool) -> None:
        """Enforce Slack's rate limits from now on (fresh buckets), or stop enforcing them;
        either way the counts of calls, posts and 429s start again."""
        self._limits = RateLimits() if on else None
        self.calls.clear()
        self.rate_limited.clear()
        self.posts.clear()
        self.first_call_at = None

    def response_url(self, name: str) -> str:
        return f"{self.origin}/respond/{name}"

    def add_user(self, user_id: str, email: str) -> None:
        self._users[user_id] = email
        self._ids_by_email[email] = user_id

    # HTTP -----------------------------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.Response:
        now = time.perf_counter()
        method = request.match_info["method"]
        if self.first_call_at is None:
            self.first_call_at = now
        self.calls[method] += 1
        params = await _params(request)
        if self._limits is not None:
            channel = params.get("channel")
            wait = self._limits.retry_after(method, str(channel) if channel else None, now)
            if wait:
                self.rate_limited[method] += 1
                body = {"ok": False, "error": "ratelimited"}
                return web.json_response(body, status=429, headers={"Retry-After": str(wait)})
        handler = self._handlers.get(method)
        answer = handler(params) if handler else {"ok": False, "error": "unknown_method"}
        self._arrived(_key(method, params), now)
        async with self._changed:
            self._changed.notify_all()
        return web.json_response(answer)

    async def _respond(self, request: web.Request) -> web.Response:
        await request.read()
        return web.json_response({"ok": True})

    def _arrived(self, key: Key | None, now: float) -> None:
        if key is None:
            return
        if key[0] == "chat.update":
            self.update_times.setdefault(key, now)
        waiter = self._waiters.pop(key, None)
        if waiter is not None and not waiter.done():
            waiter.set_result(now)

    # Methods --------------------------------------------------------------------------------

    def _ok(self, _params: Json) -> Json:
        return {"ok": True}

    def _auth_test(self, _params: Json) -> Json:
        return {"ok": True, "team_id": "T1", "user_id": BOT_USER_ID, "bot_id": "BBOT"}

    def _users_info(self, params: Json) -> Json:
        user_id = str(params.get("user", ""))
        email = self._users.get(user_id)
        if email is None:
            return {"ok": False, "error": "user_not_found"}
        profile = {"email": email, "real_name": email}
        return {"ok": True, "user": {"id": user_id, "profile": profile, "is_bot": False}}

    def _lookup_by_email(self, params: Json) -> Json:
        email = str(params.get("email", "")).lower()
        user_id = self._ids_by_email.get(email)
        if user_id is None:
            user_id = f"U{len(self._ids_by_email):07d}"
            self.add_user(user_id, email)
        return {"ok": True, "user": {"id": user_id, "profile": {"email": email}}}

    def _conversations_open(self, params: Json) -> Json:
        return {"ok": True, "channel": {"id": f"D{params.get('users', '')}"}}

    def _post_message(self, params: Json) -> Json:
        channel = str(params.get("channel", ""))
        self.posts.append((channel, time.perf_counter()))
        return {"ok": True, "channel": channel, "ts": self._next_ts()}

    def _update(self, params: Json) -> Json:
        return {"ok": True, "channel": params.get("channel"), "ts": params.get("ts")}

    def _views_open(self, params: Json) -> Json:
        view = params.get("view")
        if isinstance(view, str):
            view = json.loads(view)
        if isinstance(view, dict) and view.get("callback_id"):
            self.views[str(view["callback_id"])] = view
        return {"ok": True, "view": {"id": f"V{next(self._ts)}"}}

    def _next_ts(self) -> str:
        micros = next(self._ts) * 100
        return f"{TS_EPOCH + micros // 1_000_000}.{micros % 1_000_000:06d}"


def _key(method: str, params: Json) -> Key | None:
    if method == "views.open":
        return (method, str(params.get("trigger_id", "")))
    if method == "chat.update":
        return (method, str(params.get("channel", "")), str(params.get("ts", "")))
    return None


async def _params(request: web.Request) -> Json:
    """Query string and body (JSON or form), as slack_sdk sends them."""
    params: Json = dict(request.query)
    if not request.can_read_body:
        return params
    if request.content_type == "application/json":
        body = json.loads(await request.read() or b"{}")
        if isinstance(body, dict):
            params.update(body)
    else:
        form = await request.post()
        params.update({k: v for k, v in form.items() if isinstance(v, str)})
    return params
