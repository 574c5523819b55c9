"""``hmis-bot teams package`` writes an uploadable Teams app package that matches the bot."""

from __future__ import annotations

import json
import struct
import zipfile
from pathlib import Path

import pytest

from adapters.teams.bot import COMMAND, COMMANDS
from chatbot.commands.cli import main
from tests.test_commands import run

BOT_ID = "11111111-2222-3333-4444-555555555555"


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_the_package_holds_the_manifest_and_both_icons(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MICROSOFT_APP_ID", BOT_ID)
    assert main(["teams", "package", "--out", str(tmp_path), "--domain", "bot.example.org"]) == 0
    with zipfile.ZipFile(tmp_path / "hmis-access-teams.zip") as package:
        assert sorted(package.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(package.read("manifest.json"))
        assert png_size(package.read("color.png")) == (192, 192)
        assert png_size(package.read("outline.png")) == (32, 32)
    [bot] = manifest["bots"]
    assert manifest["id"] == bot["botId"] == BOT_ID
    assert bot["scopes"] == ["personal", "team"]
    commands = bot["commandLists"][0]["commands"]
    assert [c["title"] for c in commands] == [title for title, _ in COMMANDS]
    assert commands[0]["title"] == COMMAND
    assert all(len(c["title"]) <= 32 and len(c["description"]) <= 128 for c in commands)
    assert manifest["validDomains"] == ["bot.example.org"]
    assert manifest["icons"] == {"color": "color.png", "outline": "outline.png"}
    assert len(manifest["name"]["short"]) <= 30
    assert len(manifest["description"]["short"]) <= 80
    assert len(manifest["description"]["full"]) <= 4000
    assert all(u.startswith("https://") for u in manifest["developer"].values() if "://" in u)


@pytest.mark.parametrize(
    ("app_id", "domain", "expected"),
    [
        (None, "bot.example.org", "MICROSOFT_APP_ID is not set: set it to the Azure bot's app id"),
        ("my-bot", "bot.example.org", "MICROSOFT_APP_ID: 'my-bot' is not an app id (a GUID"),
        (
            BOT_ID,
            "https://bot.example.org/api/messages",
            "hmis-bot teams package: argument --domain: 'https://bot.example.org/api/messages' "
            "is not a host name: give the name alone, such as bot.example.org (no https://, "
            "port or path)",
        ),
        (
            BOT_ID,
            None,
            "hmis-bot teams package: the following arguments are required: --domain",
        ),
    ],
)
def test_a_package_teams_would_refuse_is_not_written(
    tmp_path: Path, app_id: str | None, domain: str | None, expected: str
) -> None:
    env = {"MICROSOFT_APP_ID": app_id} if app_id else {}
    args = ["teams", "package", "--out", str(tmp_path)]
    result = run(*args, *(["--domain", domain] if domain else []), cwd=tmp_path, **env)
    assert result.returncode == 2
    assert result.stderr.startswith(expected)
    assert len(result.stderr.splitlines()) == 1
    assert not (tmp_path / "hmis-access-teams.zip").exists()
