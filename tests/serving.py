"""Real ``hmis-bot serve`` processes for tests that kill them: started on a free loopback port
with the fake Slack's URL and credentials in their environment, waited for until healthy,
killed with SIGKILL as ``kill -9`` or the OOM killer would.

Used by the crash tests (one server at a time) and the replica tests (three at once)."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import time
from collections.abc import Callable, Mapping
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from chatbot import faults
from chatbot.settings import ENVIRONMENT
from tests.e2e.slack_testbed import SIGNING_SECRET, TOKEN
from tests.privacy_scan import SCAN

HMIS_BOT = str(Path(sys.executable).parent / "hmis-bot")
SECONDS = 60.0  # the longest wait for a server to start or the outbox to settle, on a busy CI


async def eventually(done: Callable[[], bool], what: str, seconds: float = SECONDS) -> None:
    deadline = time.monotonic() + seconds
    while not done():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {seconds:g} s for {what}")
        await asyncio.sleep(0.02)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve_environment(
    database_url: str, slack_api_url: str, extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    """This process's environment without any of the bot's own variables, then the database,
    the fake Slack and its credentials, in-process sweeps off unless ``extra`` turns them on."""
    env = {k: v for k, v in os.environ.items() if k not in ENVIRONMENT}
    env.pop(faults.VARIABLE, None)
    env |= {
        "HMIS_BOT_DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": slack_api_url,
        "HMIS_BOT_SWEEP_MINUTES": "0",
    }
    return env | dict(extra or {})


@dataclass
class ServeProcess:
    """One ``hmis-bot serve``: its process, its base URL, its log file."""

    process: asyncio.subprocess.Process
    base: str
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def kill(self) -> None:
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGKILL)

    async def died(self) -> None:
        """Until the process is gone, which must be by SIGKILL."""
        await asyncio.wait_for(self.process.wait(), SECONDS)
        assert self.process.returncode == -signal.SIGKILL, self.tail()

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]


async def launch(
    http: aiohttp.ClientSession, directory: Path, name: str, env: Mapping[str, str]
) -> ServeProcess:
    """``hmis-bot serve`` on a free port, logging to ``directory/name.log``, once healthy."""
    port = free_port()
    log = directory / f"{name}.log"
    SCAN.log_files.add(log)
    with log.open("wb") as out:
        process = await asyncio.create_subprocess_exec(
            *(HMIS_BOT, "serve", "--host", "127.0.0.1", "--port", str(port)),
            cwd=directory,
            env=dict(env),
            stdout=out,
            stderr=asyncio.subprocess.STDOUT,
        )
    server = ServeProcess(process, f"http://127.0.0.1:{port}", log)
    await healthy(http, server)
    return server


async def healthy(http: aiohttp.ClientSession, server: ServeProcess) -> None:
    deadline = time.monotonic() + SECONDS
    while True:
        assert server.process.returncode is None, server.tail()
        with suppress(aiohttp.ClientError):
            async with http.get(f"{server.base}/healthz") as answer:
                if answer.status == 200:
                    return
        assert time.monotonic() < deadline, f"the server never became healthy: {server.tail()}"
        await asyncio.sleep(0.1)


@dataclass
class At:
    """An HTTP session as the Slack testbed uses its client: ``post(path, ...)`` to ``base``."""

    http: aiohttp.ClientSession
    base: str

    async def post(self, path: str, **kwargs: Any) -> aiohttp.ClientResponse:
        return await self.http.post(f"{self.base}{path}", **kwargs)
