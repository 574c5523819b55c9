"""The servers under test, each its own process: start (pinned to core 0), wait for a healthy
``/healthz``, read its resident memory and CPU time from ``/proc``, stop."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import aiohttp

from chatbot.policy import bundled_preset_path

ROOT = Path(__file__).resolve().parent.parent
SERVER_CORE = 0
LOAD_CORE = 1
START_TIMEOUT = 90.0  # seconds; a loaded machine imports slowly
HEALTH_POLL = 0.005
STOP_TIMEOUT = 15.0
SIGNING_SECRET = "bench-signing-secret"  # noqa: S105 - the fake workspace's, not a secret
TOKEN = "xoxb-bench"  # noqa: S105 - the fake workspace's, not a secret
OWN_VARIABLES = ("SLACK_", "MICROSOFT_", "HMIS_BOT_", "Microsoft")


class ServerFailedError(RuntimeError):
    """A server exited or never became healthy; the message ends with its log."""


@dataclass(frozen=True)
class Pinning:
    """Server under test on one core, load generator and fakes on the other, or neither."""

    enabled: bool
    note: str

    def argv(self, argv: list[str]) -> list[str]:
        taskset = shutil.which("taskset")
        if not self.enabled or taskset is None:
            return argv
        return [taskset, "-c", str(SERVER_CORE), *argv]

    def pin_self(self) -> None:
        """Move this process (the load generator and the fakes) to its own core."""
        if self.enabled:
            os.sched_setaffinity(0, {LOAD_CORE})


def choose_pinning(wanted: bool = True) -> Pinning:
    if not wanted:
        return Pinning(False, "pinning off (--no-pin): server and load generator share cores")
    if shutil.which("taskset") is None:
        return Pinning(False, "taskset not found: processes are NOT pinned to cores")
    if not {SERVER_CORE, LOAD_CORE} <= os.sched_getaffinity(0):
        return Pinning(False, "cores 0 and 1 are not both available: processes are NOT pinned")
    return Pinning(
        True, "server under test on core 0 (taskset), load generator and fakes on core 1"
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def hmis_bot() -> str:
    """The ``hmis-bot`` console script of this interpreter's environment."""
    script = Path(sys.executable).parent / "hmis-bot"
    return str(script) if script.exists() else shutil.which("hmis-bot") or "hmis-bot"


def bot_environment(database_url: str, api_url: str) -> dict[str, str]:
    """What the README tells an operator to set, pointing at the local fakes."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(OWN_VARIABLES)}
    return env | {
        "HMIS_BOT_DATABASE_URL": database_url,
        "HMIS_BOT_POLICY": str(bundled_preset_path()),
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": api_url,
        "MICROSOFT_APP_ID": "",
        "HMIS_BOT_TEAMS_DEV_MODE": "1",
        "HMIS_BOT_SWEEP_MINUTES": "0",
    }


async def init_database(env: dict[str, str]) -> None:
    """``hmis-bot init``: schema and directory."""
    argv = [hmis_bot(), "init"]
    done = await asyncio.to_thread(
        subprocess.run,
        argv,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise ServerFailedError(f"hmis-bot init failed:\n{done.stdout}{done.stderr}")


@dataclass(frozen=True)
class ServerSpec:
    name: str
    argv: list[str]
    env: dict[str, str]
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def bot_spec(name: str, env: dict[str, str], logs: Path) -> ServerSpec:
    port = free_port()
    argv = [hmis_bot(), "serve", "--host", "127.0.0.1", "--port", str(port)]
    return ServerSpec(name, argv, env, port, logs / f"{name}.log")


def baseline_spec(
    name: str, which: str, env: dict[str, str], logs: Path, *extra: str
) -> ServerSpec:
    port = free_port()
    argv = [sys.executable, "-m", "bench.baselines", which, "--port", str(port), *extra]
    return ServerSpec(name, argv, env, port, logs / f"{name}.log")


@dataclass
class Server:
    spec: ServerSpec
    process: asyncio.subprocess.Process
    log: IO[bytes]
    started_in: float
    """Seconds from spawning the process to its first healthy ``/healthz``."""

    @property
    def url(self) -> str:
        return self.spec.url

    def rss_mb(self) -> float:
        """Resident memory (VmRSS), in MiB."""
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        line = next(line for line in status.splitlines() if line.startswith("VmRSS:"))
        return int(line.split()[1]) / 1024

    def cpu_seconds(self) -> float:
        """User plus system CPU time the process has used so far."""
        stat = Path(f"/proc/{self.process.pid}/stat").read_text()
        fields = stat.rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def cpu_wait_seconds(self) -> float:
        """Time the process's live threads spent runnable but waiting for a CPU (taken by
        other processes on its core), from ``/proc/PID/task/*/schedstat``."""
        waited = 0
        for task in Path(f"/proc/{self.process.pid}/task").iterdir():
            try:
                waited += int((task / "schedstat").read_text().split()[1])
            except (OSError, IndexError, ValueError):
                continue  # the thread ended meanwhile
        return waited / 1e9

    async def stop(self) -> None:
        """SIGTERM, then SIGKILL if it has not exited within ``STOP_TIMEOUT``."""
        if self.process.returncode is None:
            self.process.terminate()
            try:
                await asyncio.wait_for(self.process.wait(), STOP_TIMEOUT)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
        self.log.close()


async def launch(spec: ServerSpec, pinning: Pinning, session: aiohttp.ClientSession) -> Server:
    """Start the server and return once ``/healthz`` answers 200."""
    log = spec.log.open("ab")
    started = time.perf_counter()
    process = await asyncio.create_subprocess_exec(
        *pinning.argv(spec.argv), env=spec.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
    )
    server = Server(spec, process, log, 0.0)
    try:
        await _wait_healthy(server, session, started)
    except BaseException:
        await server.stop()
        raise
    server.started_in = time.perf_counter() - started
    return server


async def _wait_healthy(server: Server, session: aiohttp.ClientSession, started: float) -> None:
    while time.perf_counter() - started < START_TIMEOUT:
        if server.process.returncode is not None:
            raise ServerFailedError(f"{server.spec.name} exited:\n{log_tail(server.spec.log)}")
        try:
            async with session.get(f"{server.url}/healthz") as response:
                if response.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(HEALTH_POLL)
    raise ServerFailedError(f"{server.spec.name} not healthy:\n{log_tail(server.spec.log)}")


def log_tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"
