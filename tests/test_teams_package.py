"""``hmis-bot teams package`` writes an uploadable Teams app package that matches the bot."""

from __future__ import annotations

import json
import struct
import zipfile
from pathlib import Path

import pytest

from adapters.teams.bot import COMMAND, command_list
from chatbot.commands.cli import main
from flows.kinds import default_registry

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
    expected = command_list(default_registry().commands())
    assert [c["title"] for c in commands] == [title for title, _ in expected]
    assert commands[0]["title"] == COMMAND
    assert all(len(c["title"]) <= 32 and len(c["description"]) <= 128 for c in commands)
    assert manifest["validDomains"] == ["bot.example.org"]
    assert manifest["icons"] == {"color": "color.png", "outline": "outline.png"}
    assert len(manifest["name"]["short"]) <= 30
    assert len(manifest["description"]["short"]) <= 80
    assert len(manifest["description"]["full"]) <= 4000
    assert all(u.startswith("https://") for u in manifest["developer"].values() if "://" in u)


def test_without_an_app_id_it_says_what_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("MICROSOFT_APP_ID", raising=False)
    assert main(["teams", "package", "--out", str(tmp_path)]) == 2
    assert "MICROSOFT_APP_ID" in capsys.readouterr().err
