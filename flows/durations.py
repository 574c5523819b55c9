"""Durations written the way HMIS process documents write them: ``14 days``, ``5 business days``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated

from pydantic import BeforeValidator, PlainSerializer


class Unit(StrEnum):
    MINUTES = "minutes"
    HOURS = "hours"
    DAYS = "days"
    WEEKS = "weeks"
    BUSINESS_DAYS = "business days"
    MONTHS = "months"
    """Calendar months: the same day of the month N months later (or that month's last day)."""


_UNIT_WORDS = {
    "minute": Unit.MINUTES,
    "hour": Unit.HOURS,
    "day": Unit.DAYS,
    "calendar day": Unit.DAYS,
    "week": Unit.WEEKS,
    "business day": Unit.BUSINESS_DAYS,
    "work day": Unit.BUSINESS_DAYS,
    "working day": Unit.BUSINESS_DAYS,
    "month": Unit.MONTHS,
    "calendar month": Unit.MONTHS,
}
# Rough lengths, only to order durations written in different units (a reminder list, a
# reinstatement ladder); deadlines are computed on the calendar, never from these.
_NOMINAL_MINUTES = {
    Unit.MINUTES: 1,
    Unit.HOURS: 60,
    Unit.DAYS: 24 * 60,
    Unit.WEEKS: 7 * 24 * 60,
    Unit.BUSINESS_DAYS: 7 * 24 * 60 // 5,
    Unit.MONTHS: 30 * 24 * 60,
}
_PATTERN = re.compile(r"^\s*(\d+)\s+([a-z ]+?)s?\s*$")


@dataclass(frozen=True)
class Duration:
    amount: int
    unit: Unit

    @property
    def nominal_minutes(self) -> int:
        """About how long it is, to compare durations in different units."""
        return self.amount * _NOMINAL_MINUTES[self.unit]

    def __str__(self) -> str:
        word = self.unit.value if self.amount != 1 else self.unit.value.removesuffix("s")
        return f"{self.amount} {word}"


def parse_duration(value: object) -> Duration:
    """Parse ``"24 hours"``, ``"1 business day"``, ``"2 weeks"``; pass Durations through."""
    if isinstance(value, Duration):
        return value
    if not isinstance(value, str):
        raise ValueError(f"expected a duration such as '14 days', got {value!r}")
    match = _PATTERN.match(value.lower())
    unit = _UNIT_WORDS.get(match.group(2).strip()) if match else None
    if match is None or unit is None:
        known = ", ".join(sorted({f"N {u.value}" for u in Unit}))
        raise ValueError(f"'{value}' is not a duration; write one of: {known}")
    return Duration(int(match.group(1)), unit)


DurationField = Annotated[Duration, BeforeValidator(parse_duration), PlainSerializer(str)]
