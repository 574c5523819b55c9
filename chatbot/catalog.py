"""The community presets that ship with the bot (``chatbot/presets/NAME.yml``): their names,
their files, and the one-line summary each file opens with (its first comment line)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import NamedTuple

from chatbot.policy import bundled_preset_path, load_community


class UnknownPresetError(ValueError):
    """A preset name the bot does not ship; the message lists the ones it does."""

    def __init__(self, name: str) -> None:
        super().__init__(
            f"there is no bundled preset '{name}'; the presets are: {', '.join(preset_names())}"
        )


class PresetEntry(NamedTuple):
    name: str
    community: str
    summary: str


def preset_names() -> list[str]:
    """Every bundled preset's name (its file name without ``.yml``), sorted."""
    folder = resources.files("chatbot") / "presets"
    return sorted(
        entry.name.removesuffix(".yml") for entry in folder.iterdir() if entry.name.endswith(".yml")
    )


def preset_path(name: str) -> Path:
    """The bundled preset's file, or ``UnknownPresetError`` naming those there are."""
    if name not in preset_names():
        raise UnknownPresetError(name)
    return bundled_preset_path(name)


def summary(path: Path) -> str:
    """The file's first line, when it is a comment, without its ``#``: a preset's summary."""
    lines = (line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    first = next((line for line in lines if line), "")
    return first.removeprefix("#").strip() if first.startswith("#") else ""


def catalog() -> list[PresetEntry]:
    """Each bundled preset, loaded (and so validated), with its community name and summary."""
    entries = []
    for name in preset_names():
        path = bundled_preset_path(name)
        entries.append(PresetEntry(name, load_community(path).community, summary(path)))
    return entries
