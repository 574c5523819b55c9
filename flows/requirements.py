"""What an access role asks of someone, as the community file writes it under a role's
``trainings``: a training id (it is required), ``{any_of: [a, b]}`` (either counts, such as San
Francisco's DPH or VA privacy training), ``{training: x, when: question}`` (only for those who
answer the form's question yes, such as Coordinated Entry access point staff), and
``before: full_role`` (needed for the role itself, not for the account: meanwhile the person
holds the role's ``interim_role``, as Santa Clara's VI-SPDAT training).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from enum import StrEnum
from typing import Annotated, Self

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator


class Before(StrEnum):
    ACCOUNT = "account"
    """Done before the account is created (or the role changed)."""
    FULL_ROLE = "full_role"
    """Done before the role itself: the account gets the role's interim role meanwhile."""


class Requirement(BaseModel):
    """One thing to complete: any one of ``any_of``, for those answering ``when`` yes."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    any_of: tuple[str, ...] = Field(min_length=1)
    when: str | None = None
    before: Before = Before.ACCOUNT

    @model_validator(mode="after")
    def _distinct(self) -> Self:
        if len(set(self.any_of)) != len(self.any_of):
            raise ValueError("list each training once in any_of")
        return self

    def applies(self, answered_yes: Collection[str]) -> bool:
        return self.when is None or self.when in answered_yes

    def met_by(self, done: Collection[str]) -> bool:
        return any(training in done for training in self.any_of)


def _written(value: object) -> object:
    """``id`` and ``{training: id, ...}`` are requirements with one training."""
    if isinstance(value, str):
        return {"any_of": (value,)}
    if isinstance(value, dict) and "training" in value:
        rest = {k: v for k, v in value.items() if k != "training"}
        return {"any_of": (value["training"],), **rest}
    return value


RequirementField = Annotated[Requirement, BeforeValidator(_written)]


def applicable(
    requirements: Iterable[Requirement],
    answered_yes: Collection[str],
    before: Before | None = None,
) -> list[Requirement]:
    """The requirements that apply to someone who answered these questions yes (and, when
    given, that are due before this point)."""
    return [
        r
        for r in requirements
        if r.applies(answered_yes) and (before is None or r.before is before)
    ]


def unmet(requirements: Iterable[Requirement], done: Collection[str]) -> list[Requirement]:
    return [r for r in requirements if not r.met_by(done)]


def training_ids(requirements: Iterable[Requirement]) -> list[str]:
    """Every training the requirements name, each once, in order."""
    return list(dict.fromkeys(t for r in requirements for t in r.any_of))


def describe(requirement: Requirement, names: Mapping[str, str]) -> str:
    """``General Training`` or ``DPH privacy training or VA privacy training``."""
    return " or ".join(names.get(t, t) for t in requirement.any_of)
