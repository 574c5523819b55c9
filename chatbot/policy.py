"""Loads a community YAML file into the validated ``Community`` model, with errors that name
the key and the line an operator has to fix."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from flows.community import Community

BUNDLED_PRESET = "sacramento-yolo"

Location = tuple[str | int, ...]


@dataclass(frozen=True)
class PolicyProblem:
    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line else ""
        return f"{where}{self.path or '(top level)'}: {self.message}"


class PolicyError(Exception):
    def __init__(self, source: str, problems: list[PolicyProblem]) -> None:
        self.source = source
        self.problems = problems
        listing = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"{source} is not a valid community file:\n{listing}")


def bundled_preset_path(name: str = BUNDLED_PRESET) -> Path:
    return Path(str(resources.files("chatbot") / "presets" / f"{name}.yml"))


def load_community(path: Path) -> Community:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise PolicyError(
            str(path), [PolicyProblem("", None, error.strerror or str(error))]
        ) from None
    return parse_community(text, str(path))


def parse_community(text: str, source: str = "<community>") -> Community:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise PolicyError(source, [PolicyProblem("", line, f"not valid YAML: {error}")]) from None
    if node is None:
        raise PolicyError(source, [PolicyProblem("", None, "the file is empty")])
    lines: dict[Location, int] = {}
    data = _construct(node, (), lines)
    try:
        return Community.model_validate(data)
    except ValidationError as error:
        raise PolicyError(source, [_problem(e, lines) for e in error.errors()]) from None


def _construct(node: yaml.Node, at: Location, lines: dict[Location, int]) -> Any:
    """Build plain Python data from the YAML node tree, remembering each key's line."""
    lines[at] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = yaml.SafeLoader(" ").construct_object(key_node)
            lines[(*at, key)] = key_node.start_mark.line + 1
            result[key] = _construct(value_node, (*at, key), lines)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_construct(item, (*at, i), lines) for i, item in enumerate(node.value)]
    return yaml.SafeLoader(" ").construct_object(node)


def _problem(error: Any, lines: dict[Location, int]) -> PolicyProblem:
    location: Location = tuple(error["loc"])
    line = None
    for size in range(len(location), -1, -1):
        line = lines.get(location[:size])
        if line is not None:
            break
    path = ".".join(str(part) for part in location)
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = "unknown key (check the spelling)"
    return PolicyProblem(path, line, message)
