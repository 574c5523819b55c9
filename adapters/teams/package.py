"""The Teams app package: manifest.json and its two icons in a zip, ready to upload to Teams
(Apps -> Manage your apps -> Upload an app) or to the Teams admin center."""

from __future__ import annotations

import io
import json
import struct
import zipfile
import zlib
from collections.abc import Sequence
from typing import Any

from adapters.teams.bot import command_list
from flows.ports import CommandHelp

MANIFEST_SCHEMA = (
    "https://developer.microsoft.com/en-us/json-schemas/teams/v1.19/MicrosoftTeams.schema.json"
)
MANIFEST_VERSION = "1.19"
ACCENT = (0x1F, 0x4E, 0x79)  # the Slack manifest's background colour, #1f4e79
COLOR_ICON = 192  # Teams: a full-colour 192x192 icon ...
OUTLINE_ICON = 32  # ... and a 32x32 white-on-transparent outline icon


def manifest(
    bot_id: str, domain: str, version: str, commands: Sequence[CommandHelp]
) -> dict[str, Any]:
    site = f"https://{domain}"
    return {
        "$schema": MANIFEST_SCHEMA,
        "manifestVersion": MANIFEST_VERSION,
        "version": version,
        "id": bot_id,
        "developer": {
            "name": "HMIS lead",
            "websiteUrl": site,
            "privacyUrl": f"{site}/privacy",
            "termsOfUseUrl": f"{site}/terms",
        },
        "name": {"short": "HMIS Access", "full": "HMIS Access Bot"},
        "description": {
            "short": "HMIS New User Access Requests, verification and approvals.",
            "full": (
                "Supervisors file HMIS New User Access Requests with hmis-access. The bot asks "
                "the supervisor to confirm the staff verification, sends the new user their "
                "trainings and deadline, and puts Approve / Deny cards in the HMIS admin "
                "channel. Every step is audited. It never handles client data, passwords or "
                "background-check contents."
            ),
        },
        "icons": {"color": "color.png", "outline": "outline.png"},
        "accentColor": "#{:02X}{:02X}{:02X}".format(*ACCENT),
        "bots": [
            {
                "botId": bot_id,
                "scopes": ["personal", "team"],
                "isNotificationOnly": False,
                "supportsFiles": False,
                "commandLists": [
                    {
                        "scopes": ["personal", "team"],
                        "commands": [
                            {"title": title, "description": description}
                            for title, description in command_list(commands)
                        ],
                    }
                ],
            }
        ],
        "permissions": ["identity", "messageTeamMembers"],
        "validDomains": [domain],
    }


def app_package(bot_id: str, domain: str, version: str, commands: Sequence[CommandHelp]) -> bytes:
    """The zip to upload; ``commands`` are the registry's, listed in Teams' command menu."""
    buffer = io.BytesIO()
    content = manifest(bot_id, domain, version, commands)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(content, indent=2))
        archive.writestr("color.png", color_icon())
        archive.writestr("outline.png", outline_icon())
    return buffer.getvalue()


Pixel = tuple[int, int, int, int]

# The letters of the icons, drawn on a grid ("#" is ink).
GLYPH_ROWS = 7
GLYPHS = {
    "H": ("#...#", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"),
    "M": ("#...#", "##.##", "#.#.#", "#.#.#", "#...#", "#...#", "#...#"),
    "I": ("###", ".#.", ".#.", ".#.", ".#.", ".#.", "###"),
    "S": (".####", "#....", "#....", ".###.", "....#", "....#", "####."),
}
WORD = "HMIS"
WHITE = (255, 255, 255, 255)
CLEAR = (0, 0, 0, 0)


def color_icon() -> bytes:
    """White "HMIS" on the accent colour, centred with a sixth of the width free each side."""
    return _png(COLOR_ICON, _draw(WORD, COLOR_ICON, scale=6, ink=WHITE, paper=(*ACCENT, 255)))


def outline_icon() -> bytes:
    """White "HMIS" in a white frame on a transparent ground, as Teams wants outlines."""
    pixels = _draw(WORD, OUTLINE_ICON, scale=1, ink=WHITE, paper=CLEAR)
    for y, row in enumerate(pixels):
        for x in range(OUTLINE_ICON):
            if _on_frame(x, y, OUTLINE_ICON):
                row[x] = WHITE
    return _png(OUTLINE_ICON, pixels)


def _draw(word: str, size: int, *, scale: int, ink: Pixel, paper: Pixel) -> list[list[Pixel]]:
    """A size x size image of ``word``, each grid cell ``scale`` pixels square, centred."""
    grid = [".".join(GLYPHS[letter][row] for letter in word) for row in range(GLYPH_ROWS)]
    left = (size - len(grid[0]) * scale) // 2
    top = (size - len(grid) * scale) // 2

    def inked(x: int, y: int) -> bool:
        row, column = (y - top) // scale, (x - left) // scale
        return 0 <= row < len(grid) and 0 <= column < len(grid[0]) and grid[row][column] == "#"

    return [[ink if inked(x, y) else paper for x in range(size)] for y in range(size)]


def _png(size: int, pixels: list[list[Pixel]]) -> bytes:
    """An RGBA PNG: each row with filter type 0 (none), then zlib, in the three chunks."""
    rows = b"".join(
        b"\x00" + bytes(channel for pixel in row for channel in pixel) for row in pixels
    )
    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(rows))
        + _chunk(b"IEND", b"")
    )


def _on_frame(x: int, y: int, size: int) -> bool:
    return min(x, y) < 2 or max(x, y) >= size - 2


def _chunk(kind: bytes, data: bytes) -> bytes:
    checksum = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", checksum)
