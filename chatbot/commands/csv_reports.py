"""What every imported CSV report shares: its columns found by the names the community file
gives them (ignoring case and surrounding spaces), one line's problems, e-mail addresses and
names read alike, and the whole file refused only when it cannot be read at all."""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z0-9-]+")
NAME_LENGTH = 200  # the accounts table's name column
SHOWN_CHOICES = 8  # known values listed in a bad row's message before "..."


class ReportError(Exception):
    """The file cannot be read as this report at all; nothing was imported."""


@dataclass
class Problems:
    """Bad rows, skipped: ``line N: why``."""

    lines: list[tuple[int, str]] = field(default_factory=list)

    def add(self, line: int, why: Iterable[str], who: str = "") -> None:
        reasons = [w for w in why if w]
        if reasons:
            named = f" ({who})" if who else ""
            self.lines.append((line, f"line {line}{named}: {'; '.join(reasons)}"))

    def sorted(self) -> list[str]:
        return [text for _, text in sorted(self.lines)]


class Columns:
    """A CSV report's rows as ``{role: cell}`` for the columns the community file names (each
    cell with its spaces tidied; "" for a missing optional column or a short row)."""

    def __init__(
        self,
        lines: Iterable[str],
        wanted: Mapping[str, str],
        key: str,
        optional: Iterable[str] = (),
    ) -> None:
        """``wanted``: role to column name; a missing required column refuses the file,
        naming the community file's ``key`` to fix it."""
        self._reader = csv.reader(lines)
        headers = next(self._rows(), [])
        by_name = {header.strip().lower(): i for i, header in enumerate(headers)}
        self._at = {role: by_name.get(name.strip().lower()) for role, name in wanted.items()}
        skip = {wanted[role] for role in optional}
        missing = [wanted[r] for r, i in self._at.items() if i is None and wanted[r] not in skip]
        if missing:
            raise ReportError(
                f"the file needs the columns {', '.join(repr(m) for m in missing)} but has "
                f"{', '.join(repr(h) for h in headers) or 'none'}; name yours under {key} in "
                "the community file"
            )

    def has(self, role: str) -> bool:
        return self._at[role] is not None

    def __iter__(self) -> Iterator[tuple[int, dict[str, str]]]:
        """(line number, cells) of each row that is not blank."""
        at = [(role, i) for role, i in self._at.items() if i is not None]
        absent = dict.fromkeys((role for role, i in self._at.items() if i is None), "")
        for row in self._rows():
            if row:
                cells = {role: " ".join(row[i].split()) if i < len(row) else "" for role, i in at}
                yield self._reader.line_num, cells | absent

    def _rows(self) -> Iterator[list[str]]:
        """The rows; a file that stops being CSV refuses the whole import."""
        try:
            yield from self._reader
        except csv.Error as error:
            raise ReportError(
                f"line {self._reader.line_num}: not readable as CSV ({error})"
            ) from None


def read_email(text: str, column: str) -> tuple[str, str]:
    """(the address in lower case, or "" with why not)."""
    email = text.strip().lower()
    if EMAIL.fullmatch(email):
        return email, ""
    if not email:
        return "", f"no e-mail address in column '{column}'"
    return "", f"'{text}' in column '{column}' is not an e-mail address"


def choices(values: Iterable[str]) -> str:
    shown = sorted(set(values), key=str.lower)
    more = ", ..." if len(shown) > SHOWN_CHOICES else ""
    return ", ".join(shown[:SHOWN_CHOICES]) + more


def count_lines(path: Path) -> int:
    """Lines in the file (for a progress bar's total), counted in one quick binary pass."""
    lines, last = 0, b"\n"
    with path.open("rb") as file:
        while block := file.read(1 << 20):
            lines += block.count(b"\n")
            last = block[-1:]
    return lines + (last != b"\n")


# Dates and times -----------------------------------------------------------------------------

_FIELDS = {
    "%Y": r"(?P<year>\d{4})",
    "%m": r"(?P<month>\d{1,2})",
    "%d": r"(?P<day>\d{1,2})",
    "%H": r"(?P<hour>\d{1,2})",
    "%I": r"(?P<hour12>\d{1,2})",
    "%M": r"(?P<minute>\d{1,2})",
    "%S": r"(?P<second>\d{1,2})",
    "%p": r"(?P<half>[AaPp][Mm])",
}
_DIRECTIVE = re.compile(r"%.")


class Moments:
    """Reads a date and time as ``chatbot.commands.logins.parse_moment`` does (ISO 8601, then
    each strptime format; community-local without an offset), tens of times faster for the
    formats exports use: a format made only of the directives in ``_FIELDS`` is matched with a
    regular expression instead of ``strptime``, which dominates a large import otherwise."""

    def __init__(self, formats: Sequence[str], timezone: ZoneInfo) -> None:
        self._timezone = timezone
        self._parsers: list[Callable[[str], datetime | None]] = [_iso]
        for layout in formats:
            pattern = _compiled(layout)
            if pattern is None:
                self._parsers.append(partial(_strptime, layout=layout))
            else:
                self._parsers.append(partial(_matched, pattern=pattern))

    def parse(self, text: str) -> datetime | None:
        for parse in self._parsers:
            moment = parse(text)
            if moment is not None:
                local = moment if moment.tzinfo else moment.replace(tzinfo=self._timezone)
                return local.astimezone(UTC)
        return None


def _compiled(layout: str) -> re.Pattern[str] | None:
    directives = _DIRECTIVE.findall(layout)
    if any(d not in _FIELDS for d in directives) or len(set(directives)) != len(directives):
        return None
    if ("%I" in directives) != ("%p" in directives) or ("%H" in directives and "%I" in directives):
        return None
    parts = []
    for piece in re.split(r"(%.)", layout):
        if piece in _FIELDS:
            parts.append(_FIELDS[piece])
        else:
            parts.append(r"\s+".join(re.escape(word) for word in piece.split(" ")))
    return re.compile("".join(parts) + r"\Z")


def _matched(text: str, pattern: re.Pattern[str]) -> datetime | None:
    found = pattern.match(text)
    if found is None:
        return None
    values = {k: v for k, v in found.groupdict().items() if v is not None}
    hour = int(values.get("hour", 0))
    if "hour12" in values:
        hour12 = int(values["hour12"])
        if not 1 <= hour12 <= 12:
            return None
        hour = hour12 % 12 + (12 if values["half"].lower() == "pm" else 0)
    try:
        return datetime(  # noqa: DTZ001 - the caller applies the time zone
            int(values["year"]),
            int(values["month"]),
            int(values["day"]),
            hour,
            int(values.get("minute", 0)),
            int(values.get("second", 0)),
        )
    except ValueError:
        return None


def _iso(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _strptime(text: str, layout: str) -> datetime | None:
    try:
        return datetime.strptime(text, layout)  # noqa: DTZ007 - the caller applies the time zone
    except ValueError:
        return None
