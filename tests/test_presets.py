"""The bundled community presets: each loads and passes `hmis-bot policy check`, says where it
comes from and which values are ours, and `init --preset` / `policy list` reach every one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from chatbot.catalog import catalog, preset_names, preset_path, summary
from chatbot.commands.cli import main
from chatbot.policy import load_community
from chatbot.settings import Settings
from tests.test_commands import run

PRESETS = preset_names()


@pytest.mark.parametrize("name", PRESETS)
def test_each_preset_passes_policy_check(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = preset_path(name)
    assert main(["policy", "check", str(path)]) == 0
    community = load_community(path)
    assert f"OK ({community.community}:" in capsys.readouterr().out


@pytest.mark.parametrize("name", PRESETS)
def test_each_preset_has_a_summary_cites_its_source_by_title_and_marks_its_defaults(
    name: str,
) -> None:
    text = preset_path(name).read_text(encoding="utf-8")
    header = text.split("\ncommunity:")[0]
    assert summary(preset_path(name)), "the first line is a comment: the summary"
    assert "source" in header.lower(), "the header names its source document"
    assert not re.search(r"(/work/|\.\./|seeds/|\.txt\b)", text), "cite by title, not by path"
    if name != "sacramento-yolo":  # it names its examples in one header line instead
        assert "# default:" in text


def test_policy_list_names_every_preset_with_its_community_and_summary(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["policy", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(PRESETS)
    for line, entry in zip(lines, catalog(), strict=True):
        assert line.split()[0] == entry.name
        assert f"{entry.community}: {entry.summary}" in line
    assert any(line.startswith("santa-clara ") for line in lines)
    assert any("San Francisco ONE System" in line for line in lines)


def test_init_with_a_preset_loads_its_directory(tmp_path: Path) -> None:
    result = run("init", "--preset", "santa-clara", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "the directory of Santa Clara County HMIS is loaded" in result.stderr
    assert "HMIS_BOT_POLICY=santa-clara" in result.stderr
    listed = run("audit", "export", cwd=tmp_path, HMIS_BOT_POLICY="santa-clara")
    assert listed.returncode == 0, listed.stderr


def test_init_with_an_unknown_preset_names_the_presets_in_one_line(tmp_path: Path) -> None:
    result = run("init", "--preset", "atlantis", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"--preset: there is no bundled preset 'atlantis'; the presets are: {', '.join(PRESETS)}"
    ]
    assert not (tmp_path / "hmis-bot.sqlite3").exists()


def test_init_refuses_a_preset_and_a_different_policy_file_together(tmp_path: Path) -> None:
    result = run("init", "--preset", "santa-clara", cwd=tmp_path, HMIS_BOT_POLICY="san-francisco")
    assert result.returncode == 2
    assert "name different community files: give one of them" in result.stderr


def test_hmis_bot_policy_may_name_a_preset(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HMIS_BOT_POLICY", "san-francisco")
    assert Settings().policy_path == preset_path("san-francisco")
    (tmp_path / "san-francisco").write_text("community: mine\n", encoding="utf-8")
    assert Settings().policy_path == Path("san-francisco"), "a file of that name comes first"
