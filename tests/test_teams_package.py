"""``hmis-bot teams package`` writes an uploadable Teams app package that matches the bot."""

from __future__ import annotations

import json
import struct
import zipfile
import zlib
from pathlib import Path

import pytest

from adapters.teams.bot import COMMAND, command_list
from adapters.teams.package import ACCENT, color_icon, outline_icon
from chatbot.commands.cli import main
from flows.kinds import default_registry
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
    expected = command_list(default_registry().commands())
    assert [c["title"] for c in commands] == [title for title, _ in expected]
    assert commands[0]["title"] == COMMAND
    assert all(len(c["title"]) <= 32 and len(c["description"]) <= 128 for c in commands)
    assert len(commands) <= 10
    assert [c["title"] for c in commands][-2:] == ["hmis-access status", "help"]
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


def rgba_rows(data: bytes) -> list[list[tuple[int, ...]]]:
    """Decode the PNGs this package writes: RGBA, 8 bits, every row filtered with type 0."""
    width, height = png_size(data)
    chunks, at = b"", 8
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        if data[at + 4 : at + 8] == b"IDAT":
            chunks += data[at + 8 : at + 8 + length]
        at += 12 + length
    raw = zlib.decompress(chunks)
    stride = 1 + 4 * width
    rows = [raw[y * stride : (y + 1) * stride] for y in range(height)]
    assert all(row[0] == 0 for row in rows)
    return [[tuple(row[1 + 4 * x : 5 + 4 * x]) for x in range(width)] for row in rows]


def letters_across(rows: list[list[tuple[int, ...]]], ink: tuple[int, ...]) -> int:
    """How many separate runs of inked columns there are between the margins."""
    inked = [any(row[x] == ink for row in rows[2:-2]) for x in range(2, len(rows[0]) - 2)]
    return sum(1 for i, on in enumerate(inked) if on and (i == 0 or not inked[i - 1]))


def test_the_icons_show_hmis_in_white() -> None:
    white = (255, 255, 255, 255)
    color = rgba_rows(color_icon())
    assert {pixel for row in color for pixel in row} == {white, (*ACCENT, 255)}
    assert letters_across(color, white) == 4
    inked = [(x, y) for y, row in enumerate(color) for x, pixel in enumerate(row) if pixel == white]
    xs, ys = [x for x, _ in inked], [y for _, y in inked]
    assert abs((min(xs) + max(xs)) / 2 - 96) <= 1
    assert abs((min(ys) + max(ys)) / 2 - 96) <= 1
    assert min(xs) >= 192 // 6
    assert max(xs) < 192 - 192 // 6

    outline = rgba_rows(outline_icon())
    assert {pixel for row in outline for pixel in row} == {white, (0, 0, 0, 0)}
    assert letters_across(outline, white) == 4
