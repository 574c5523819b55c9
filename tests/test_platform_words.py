"""No Slack words in Teams: everything the flows say is worded for any platform, and each
adapter words its own help. Docstrings and comments may name platforms; what people read may
not."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.teams.bot import help_text as teams_help
from flows.kinds import default_registry

ROOT = Path(__file__).parent.parent
SLACK_WORDS = re.compile(r"\bDMs?\b|/hmis-access|App Home|Home tab|slash command|ephemeral", re.I)


def _docstrings(tree: ast.AST) -> set[int]:
    """The ids of every module, class and function docstring node."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def flow_texts() -> Iterator[tuple[str, str]]:
    """Every string literal in flows/ that is not a docstring, with where it is."""
    for path in sorted((ROOT / "flows").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = _docstrings(tree)
        for node in ast.walk(tree):
            text = node.value if isinstance(node, ast.Constant) else None
            if isinstance(text, str) and id(node) not in docstrings:
                yield f"{path.relative_to(ROOT)}:{node.lineno}", text


def test_no_flow_text_says_slack_words() -> None:
    said = [(where, text) for where, text in flow_texts() if SLACK_WORDS.search(text)]
    assert said == []


@pytest.mark.parametrize(
    "path",
    sorted((ROOT / "tests" / "snapshots" / "teams").rglob("*.json")),
    ids=lambda p: str(p.relative_to(ROOT / "tests" / "snapshots" / "teams")),
)
def test_no_teams_card_says_slack_words(path: Path) -> None:
    assert SLACK_WORDS.findall(path.read_text(encoding="utf-8")) == []


def test_teams_help_is_worded_for_teams() -> None:
    text = teams_help(default_registry().commands())
    assert "hmis-access status" in text
    assert SLACK_WORDS.findall(text) == []


def test_the_guard_catches_what_it_guards_against() -> None:
    for phrase in ("Check your DMs", "type /hmis-access status", "see the App Home"):
        assert SLACK_WORDS.search(phrase)
    assert not SLACK_WORDS.search("Admins get a direct message")
