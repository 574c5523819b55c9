"""The Dockerfile, .dockerignore and compose.yaml, checked by their structure: images cannot be
pulled or built here, so these tests read the files and check what a deployment relies on
(a non-root user, the health check, the entry point, the replicas waiting for `init`, nothing
secret baked in). The health check's command itself is run against a local server.
"""

from __future__ import annotations

import asyncio
import json
import re
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from aiohttp import web
from sqlalchemy.engine import make_url

from chatbot.commands.cli import DEFAULT_PORT
from chatbot.settings import ENVIRONMENT

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
SECRETS = {
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "MICROSOFT_APP_PASSWORD",
    "POSTGRES_PASSWORD",
}
INTERPOLATION = re.compile(r"\$\{(?P<name>[A-Z_]+)(:?[-?][^}]*)?\}")
HEALTHZ = f"http://127.0.0.1:{DEFAULT_PORT}/healthz"


def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order, continuation lines joined, comments dropped."""
    text = (ROOT / "Dockerfile").read_text()
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n\s*", " ", "\n".join(lines))
    instructions = []
    for line in joined.splitlines():
        if line.strip():
            keyword, _, arguments = line.strip().partition(" ")
            instructions.append((keyword.upper(), arguments.strip()))
    return instructions


def arguments(keyword: str) -> list[str]:
    return [args for kw, args in dockerfile() if kw == keyword]


def copied() -> set[str]:
    """Every path the Dockerfile copies from the build context."""
    return {source for args in arguments("COPY") for source in args.split()[:-1]}


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text())
    return loaded


def bot_services() -> dict[str, dict[str, Any]]:
    return {name: s for name, s in compose()["services"].items() if s.get("build") == "."}


# The image ------------------------------------------------------------------------------------


def test_the_image_is_slim_python_311_with_the_package_installed() -> None:
    [base] = arguments("FROM")
    assert base.startswith("python:3.11-slim")
    assert any("pip install ." in run for run in arguments("RUN"))
    packages = {
        p.rstrip("*") for p in PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"]
    }
    assert packages | {"pyproject.toml", PYPROJECT["project"]["readme"]} <= copied()


def test_the_image_runs_as_a_user_that_is_not_root() -> None:
    instructions = dockerfile()
    users = [i for i, (keyword, _) in enumerate(instructions) if keyword == "USER"]
    assert users, "the image must name a USER"
    user = instructions[users[-1]][1].split(":")[0]
    assert user not in {"root", "0"}
    runs = [i for i, (keyword, _) in enumerate(instructions) if keyword == "RUN"]
    assert max(runs) < users[-1], "every RUN that needs root comes before the USER"
    assert any("useradd" in run and user in run for run in arguments("RUN"))


def test_hmis_bot_is_the_entry_point_and_serve_the_default_command() -> None:
    assert PYPROJECT["project"]["scripts"]["hmis-bot"] == "chatbot.commands.cli:main"
    assert arguments("ENTRYPOINT") == ['["hmis-bot"]']
    assert arguments("CMD") == ['["serve"]']
    assert arguments("EXPOSE") == [str(DEFAULT_PORT)]


def healthcheck_command() -> list[str]:
    [check] = arguments("HEALTHCHECK")
    options, _, command = check.partition(" CMD ")
    assert "--interval" in options
    assert "--timeout" in options
    exec_form: list[str] = json.loads(command)
    return exec_form


def test_the_health_check_asks_healthz_with_pythons_urllib() -> None:
    command = healthcheck_command()
    assert command[:2] == ["python", "-c"]
    assert "urllib.request" in command[2]
    assert HEALTHZ in command[2]


@pytest.mark.parametrize(("status", "healthy"), [(200, True), (503, False)])
async def test_the_health_check_passes_on_200_and_fails_on_503(status: int, healthy: bool) -> None:
    async def healthz(_request: web.Request) -> web.Response:
        return web.json_response({"status": "ok" if healthy else "unavailable"}, status=status)

    app = web.Application()
    app.router.add_get("/healthz", healthz)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    code = healthcheck_command()[2].replace(f":{DEFAULT_PORT}/", f":{port}/")
    try:
        check = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            code,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        assert (await asyncio.wait_for(check.wait(), 30) == 0) is healthy
    finally:
        await runner.cleanup()


def test_no_configuration_or_secret_is_built_into_the_image() -> None:
    set_at_build = " ".join(arguments("ENV") + arguments("ARG"))
    assert not set(ENVIRONMENT) & set(re.findall(r"[A-Z_]+", set_at_build))
    text = (ROOT / "Dockerfile").read_text()
    assert not re.search(r"xox[bp]-|xapp-|postgresql(\+\w+)?://\w+:", text)


def test_dockerignore_sends_only_the_package_to_the_build() -> None:
    rules = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert rules[0] == "*"
    allowed = {rule[1:].rstrip("/") for rule in rules if rule.startswith("!")}
    assert copied() <= allowed
    assert {"**/*.sqlite3*", "**/.env"} <= set(rules)


# compose.yaml ---------------------------------------------------------------------------------


def test_postgres_15_with_a_health_check_and_a_volume() -> None:
    services = compose()["services"]
    [database] = [s for s in services.values() if str(s.get("image", "")).startswith("postgres")]
    assert database["image"] == "postgres:15"
    assert "pg_isready" in " ".join(database["healthcheck"]["test"])
    [volume] = database["volumes"]
    name, target = volume.split(":")
    assert target == "/var/lib/postgresql/data"
    assert name in compose()["volumes"]


def test_init_runs_once_when_the_database_is_healthy() -> None:
    init = compose()["services"]["init"]
    assert init["command"] == ["init"]
    assert init["restart"] == "no"
    assert init["healthcheck"] == {"disable": True}, "the image's check is for serve"
    assert init["depends_on"] == {"db": {"condition": "service_healthy"}}


def test_two_replicas_start_only_after_init_succeeded() -> None:
    bot = compose()["services"]["bot"]
    assert bot["command"] == ["serve"]
    assert bot["deploy"]["replicas"] == 2
    assert bot["depends_on"] == {
        "db": {"condition": "service_healthy"},
        "init": {"condition": "service_completed_successfully"},
    }
    [ports] = bot["ports"]
    published, container = ports.split(":")
    first, last = (int(p) for p in published.split("-"))
    assert (last - first + 1, int(container)) == (bot["deploy"]["replicas"], DEFAULT_PORT)


def test_every_bot_container_reads_the_database_and_the_community_file_it_is_given() -> None:
    database = compose()["services"]["db"]["environment"]
    for name, service in bot_services().items():
        environment = service["environment"]
        assert set(environment) <= set(ENVIRONMENT), name
        url = make_url(INTERPOLATION.sub("password", environment["HMIS_BOT_DATABASE_URL"]))
        assert (url.drivername, url.host, url.port) == ("postgresql+psycopg", "db", 5432)
        assert (url.username, url.database) == (database["POSTGRES_USER"], database["POSTGRES_DB"])
        mounts = {m.split(":")[1]: m.split(":") for m in service["volumes"]}
        mount = mounts[environment["HMIS_BOT_POLICY"]]
        assert mount[-1] == "ro", f"{name}: mount the community file read-only"
    assert set(bot_services()) == {"init", "bot"}


def test_no_secret_is_written_in_compose_only_taken_from_the_environment() -> None:
    text = (ROOT / "compose.yaml").read_text()
    assert not re.search(r"xox[bp]-|xapp-", text)
    services = compose()["services"]
    for service in services.values():
        for variable, value in service.get("environment", {}).items():
            for secret in SECRETS & {variable}:
                assert INTERPOLATION.fullmatch(str(value))["name"] == secret  # type: ignore[index]
        url = service.get("environment", {}).get("HMIS_BOT_DATABASE_URL")
        if url is not None:
            named = make_url(INTERPOLATION.sub(lambda m: m["name"], url))
            assert named.password == "POSTGRES_PASSWORD"
