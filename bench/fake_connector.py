"""A fast local Bot Framework connector (the ``serviceUrl`` of the benchmark's activities).

It answers replies, new messages, updates and member look-ups, and records when the reply to
each activity arrived, so a Teams turn is timed to the reply a person would see. Checking
cards the way Teams does is ``tests/fakes/bot_connector.py``'s job, not this one's.
"""

from __future__ import annotations

import asyncio
import itertools
import time

from aiohttp import web

TENANT = "tenant-bench"


def member_email(member_id: str) -> str:
    """The work e-mail the fake gives a Teams member id such as ``29:bench3``."""
    return f"{member_id.rsplit(':', maxsplit=1)[-1]}@riverhouse.example.org"


class FakeConnector:
    def __init__(self) -> None:
        self.service_url = ""
        self.replies = 0
        self._ids = itertools.count(1)
        self._waiters: dict[str, asyncio.Future[float]] = {}
        self._runner: web.AppRunner | None = None

    async def start(self) -> str:
        app = web.Application()
        conversation = "/v3/conversations/{conversation}"
        app.router.add_post(f"{conversation}/activities", self._send)
        app.router.add_post(f"{conversation}/activities/{{reply_to}}", self._reply)
        app.router.add_put(f"{conversation}/activities/{{activity}}", self._update)
        app.router.add_get(f"{conversation}/members/{{member}}", self._member)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        host, port = self._runner.addresses[0][:2]
        self.service_url = f"http://{host}:{port}/"
        return self.service_url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def expect_reply(self, activity_id: str) -> asyncio.Future[float]:
        """A future that gets the arrival time (``perf_counter``) of the reply to the activity."""
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self._waiters[activity_id] = future
        return future

    def forget(self, activity_id: str) -> None:
        self._waiters.pop(activity_id, None)

    async def _reply(self, request: web.Request) -> web.Response:
        now = time.perf_counter()
        await request.read()
        self.replies += 1
        waiter = self._waiters.pop(request.match_info["reply_to"], None)
        if waiter is not None and not waiter.done():
            waiter.set_result(now)
        return web.json_response({"id": f"m{next(self._ids)}"}, status=201)

    async def _send(self, request: web.Request) -> web.Response:
        await request.read()
        return web.json_response({"id": f"m{next(self._ids)}"}, status=201)

    async def _update(self, request: web.Request) -> web.Response:
        await request.read()
        return web.json_response({"id": request.match_info["activity"]})

    async def _member(self, request: web.Request) -> web.Response:
        member = request.match_info["member"]
        email = member_email(member)
        return web.json_response(
            {
                "id": member,
                "name": email,
                "aadObjectId": f"aad-{member}",
                "email": email,
                "userPrincipalName": email,
                "tenantId": TENANT,
                "userRole": "user",
            }
        )
