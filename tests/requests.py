"""Builders for request form values, shared by the flow tests and the end-to-end tests."""

from __future__ import annotations

from adapters.console.demo import ADMIN, ANSWERS, LEAD, SECOND_ADMIN, SUPERVISOR, TRAINEE

__all__ = [
    "ADMIN",
    "APPLYING_LEAD",
    "LEAD",
    "OTHER_LEAD",
    "OUTSIDER",
    "SECOND_ADMIN",
    "SUPERVISOR",
    "TRAINEE",
    "request_values",
]

APPLYING_LEAD = "lead@delta.example.org"
OTHER_LEAD = "lead@yolofoodbank.example.org"  # leads another participating agency
OUTSIDER = "someone@elsewhere.example.org"


def request_values(**overrides: str | list[str] | None) -> dict[str, str | list[str] | None]:
    """A valid request filed by the River House lead, naming the supervisor to verify."""
    values = dict(ANSWERS)
    values.update(overrides)
    return values
