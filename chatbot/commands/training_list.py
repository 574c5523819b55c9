"""Reading the LMS's completions for ``hmis-bot import trainings``: the columns
``imports.trainings`` names, each course mapped to this community's training ids. Courses the
community does not track are counted and left alone; what a completion does is decided in
``flows.imports.trainings``."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from chatbot.commands.csv_reports import Columns, Moments, Problems, read_email
from chatbot.commands.logins import CLOCK_SKEW
from flows.community import Community
from flows.imports.policy import TrainingList
from flows.model import TrainingCompletion

KEY = "imports.trainings"


@dataclass
class TrainingListRead:
    latest: dict[tuple[str, str], TrainingCompletion] = field(default_factory=dict)
    """Each person's latest completion of each training in the file."""
    problems: Problems = field(default_factory=Problems)
    read: int = 0
    not_completed: int = 0
    """Rows without a completion date (enrolled, not finished)."""
    other_courses: Counter[str] = field(default_factory=Counter)
    """Rows of courses this community does not track, by course."""

    @property
    def completions(self) -> list[TrainingCompletion]:
        return [self.latest[key] for key in sorted(self.latest)]


class TrainingListReader:
    def __init__(
        self, columns: TrainingList, community: Community, timezone: ZoneInfo, now: datetime
    ) -> None:
        self._columns = columns
        self._moments = Moments(columns.date_formats, timezone)
        self._latest = now + CLOCK_SKEW
        self._trainings: dict[str, str] = {}
        for training in community.trainings:
            self._trainings[training.id.lower()] = training.id
            self._trainings[training.name.lower()] = training.id
        self._trainings |= {name.strip().lower(): tid for name, tid in columns.trainings.items()}

    def read(
        self, lines: Iterable[str], progress: Callable[[int], None] = lambda line: None
    ) -> TrainingListRead:
        c = self._columns
        wanted = {"email": c.email, "training": c.training, "completed_on": c.completed_on}
        report = TrainingListRead()
        for line, values in Columns(lines, wanted, KEY):
            report.read += 1
            self._read_row(report, line, values)
            progress(line)
        return report

    def _read_row(self, report: TrainingListRead, line: int, values: dict[str, str]) -> None:
        email, email_problem = read_email(values["email"], self._columns.email)
        course = values["training"]
        training_id = self._trainings.get(course.lower())
        completed, date_problem = self._completed(values["completed_on"])
        course_problem = "" if course else f"no course in column '{self._columns.training}'"
        if email_problem or course_problem or date_problem:
            report.problems.add(line, (email_problem, course_problem, date_problem))
        elif training_id is None:
            report.other_courses[course] += 1
        elif completed is None:
            report.not_completed += 1
        else:
            key = (email, training_id)
            known = report.latest.get(key)
            if known is None or completed > known.completed_at:
                report.latest[key] = TrainingCompletion(email, training_id, completed)

    def _completed(self, text: str) -> tuple[datetime | None, str]:
        if not text:
            return None, ""
        moment = self._moments.parse(text)
        if moment is None:
            expected = "; ".join(("ISO 8601", *self._columns.date_formats))
            return None, f"completion date '{text}' is not a date (expected {expected})"
        if moment > self._latest:
            return None, f"completion date {text} is in the future"
        return moment, ""
