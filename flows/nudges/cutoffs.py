"""Turns a community's durations into the cutoffs a sweep compares stored moments with."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from functools import partial

from flows.calendar import BusinessCalendar
from flows.durations import Duration
from flows.nudges.rules import Window
from flows.nudges.timing import latest_start, reminder_time


class Cutoffs:
    def __init__(self, calendar: BusinessCalendar, now: datetime) -> None:
        self.calendar = calendar
        self.now = now

    def ended(self, window: Duration) -> datetime:
        """Things that started at or before this moment have had ``window`` run out."""
        return latest_start(partial(self.calendar.deadline, duration=window), self.now)

    def due(self) -> Window:
        """Deadlines that have passed."""
        return Window(self.now)

    def since(self, window: Duration) -> Window:
        """Moments ``window`` or longer ago."""
        return Window(self.ended(window))

    def reminders(self, offsets: tuple[Duration, ...]) -> Iterator[tuple[int, Window]]:
        """Per stage, latest first: deadlines still ahead whose reminder has fallen due."""
        for stage in reversed(range(len(offsets))):
            due_at = partial(reminder_time, self.calendar, before=offsets[stage])
            yield stage, Window(upto=latest_start(due_at, self.now), after=self.now)

    def renewals(
        self, valid_for: Duration, offsets: tuple[Duration, ...]
    ) -> Iterator[tuple[int, Window]]:
        """Per stage, latest first: completions still valid whose renewal reminder is due."""
        lapsed = self.ended(valid_for)
        for stage in reversed(range(len(offsets))):

            def due_at(reported: datetime, before: Duration = offsets[stage]) -> datetime:
                lapses = self.calendar.deadline(reported, valid_for)
                return reminder_time(self.calendar, lapses, before)

            yield stage, Window(upto=latest_start(due_at, self.now), after=lapsed)
