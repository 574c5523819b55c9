"""Loads a community YAML file into the validated ``Community`` model, with errors that name
the key and the line an operator has to fix: every mistake at once, each at its own line."""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

import yaml
from pydantic import ValidationError

from flows.community import Community
from flows.kinds import default_registry

BUNDLED_PRESET = "sacramento-yolo"

Location = tuple[str | int, ...]


@dataclass(frozen=True)
class PolicyProblem:
    path: str
    line: int | None
    message: str
    column: int | None = None

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line else ""
        if where and self.column:
            where += f", column {self.column}"
        return ": ".join(part for part in (where, self.path, self.message) if part)


class PolicyError(Exception):
    def __init__(self, source: str, problems: list[PolicyProblem]) -> None:
        self.source = source
        self.problems = problems
        [first, *others] = problems
        if not others and first.line is None and not first.path:
            super().__init__(f"{source}: {first.message}")
        else:
            listing = "\n".join(f"  {p}" for p in problems)
            super().__init__(f"{source} is not a valid community file:\n{listing}")


def bundled_preset_path(name: str = BUNDLED_PRESET) -> Path:
    return Path(str(resources.files("chatbot") / "presets" / f"{name}.yml"))


def load_community(path: Path) -> Community:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "it is not UTF-8 text"
        problem = PolicyProblem("", None, f"cannot read the community file: {reason or error}")
        raise PolicyError(str(path), [problem]) from None
    return parse_community(text, str(path))


def parse_community(text: str, source: str = "<community>") -> Community:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        raise PolicyError(source, [yaml_problem(error)]) from None
    if node is None:
        raise PolicyError(source, [PolicyProblem("", None, "the file is empty")])
    reader = _Reader()
    data = reader.construct(node, ())
    problems = [*reader.problems, *_unknown_kinds(data, reader.lines)]
    try:
        community = Community.model_validate(data)
    except ValidationError as error:
        problems += [_problem(e, reader.lines) for e in error.errors()]
    if problems:
        raise PolicyError(source, sorted(problems, key=lambda p: (p.line or 0, p.path)))
    return community


def _unknown_kinds(data: object, lines: dict[Location, int]) -> list[PolicyProblem]:
    """``filed_by`` is keyed by the request kinds this bot has."""
    filed_by = data.get("filed_by") if isinstance(data, dict) else None
    if not isinstance(filed_by, dict):
        return []
    kinds = [kind.name for kind in default_registry()]
    return [
        PolicyProblem(
            f"filed_by.{name}",
            lines.get(("filed_by", name)),
            f"'{name}' is not a request kind ({', '.join(kinds)})",
        )
        for name in filed_by
        if name not in kinds
    ]


@dataclass
class _Reader:
    """Builds plain Python data from the YAML node tree, remembering each key's line and
    reporting a key given twice in one mapping (PyYAML keeps the last one silently)."""

    lines: dict[Location, int] = field(default_factory=dict)
    problems: list[PolicyProblem] = field(default_factory=list)

    def construct(self, node: yaml.Node, at: Location) -> Any:
        self.lines[at] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, at)
        if isinstance(node, yaml.SequenceNode):
            return [self.construct(item, (*at, i)) for i, item in enumerate(node.value)]
        return yaml.SafeLoader(" ").construct_object(node)

    def _mapping(self, node: yaml.MappingNode, at: Location) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = yaml.SafeLoader(" ").construct_object(key_node)
            line = key_node.start_mark.line + 1
            if key in result:
                first = self.lines[(*at, key)]
                message = f"this key is given twice (first on line {first}): keep one"
                self.problems.append(PolicyProblem(_path((*at, key)), line, message))
                continue
            self.lines[(*at, key)] = line
            result[key] = self.construct(value_node, (*at, key))
        return result


def _path(location: Location) -> str:
    return ".".join(str(part) for part in location)


def _problem(error: Any, lines: dict[Location, int]) -> PolicyProblem:
    location: Location = tuple(error["loc"])
    line = None
    for size in range(len(location), -1, -1):
        line = lines.get(location[:size])
        if line is not None:
            break
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = "unknown key (check the spelling)"
    return PolicyProblem(_path(location), line, message)


class _Syntax(NamedTuple):
    """A YAML syntax problem, by a phrase of PyYAML's description, in an operator's words."""

    phrase: str
    words: str
    at_start: bool = False
    """Point at where the construct began (an opening quote or bracket), not where PyYAML
    noticed the problem."""


_SYNTAX = (
    _Syntax(
        "expected <block end>, but found '<scalar>'",
        "unexpected text after a value: if a value starts with a quote, quote all of it",
    ),
    _Syntax("expected <block end>", "the indentation does not line up with the lines above"),
    _Syntax(
        "mapping values are not allowed here",
        "a ':' YAML cannot place: check this line's indentation, or quote a value with ': '",
    ),
    _Syntax(
        "sequence entries are not allowed here",
        "a '- ' list item where none can start: put the list on its own lines under its key",
    ),
    _Syntax("found character '\\t'", "a tab: indent with spaces only"),
    _Syntax("cannot start any token", "a value cannot start with this character: quote it"),
    _Syntax("could not find expected ':'", "a line without 'key: value': is a ':' missing?", True),
    _Syntax("found unexpected end of stream", "a quote opened here is never closed", True),
    _Syntax("expected ',' or ']'", "a [ list ] opened here is not closed, or lacks a comma", True),
    _Syntax("expected ',' or '}'", "a { map } opened here is not closed, or lacks a comma", True),
    _Syntax("found '<stream end>'", "the file ends where a value should be: is a [ or { open?"),
    _Syntax("found undefined alias", "a value starting with '*' must be quoted"),
    _Syntax("found another document", "a second document ('---'): keep the file one document"),
)


def yaml_problem(error: yaml.YAMLError) -> PolicyProblem:
    """One line for a YAML syntax error: where, and what to do, in place of PyYAML's text."""
    problem = getattr(error, "problem", None) or ""
    syntax = next((s for s in _SYNTAX if s.phrase in problem), None)
    mark = getattr(error, "problem_mark", None)
    if syntax is not None and syntax.at_start:
        mark = getattr(error, "context_mark", None) or mark
    words = syntax.words if syntax else f"not valid YAML: {problem or error}"
    if mark is None:
        return PolicyProblem("", None, words)
    return PolicyProblem("", mark.line + 1, words, column=mark.column + 1)
