"""What every imported CSV report shares: its columns found by the names the community file
gives them (ignoring case and surrounding spaces), one line's problems, e-mail addresses and
names read alike, and the whole file refused only when it cannot be read at all."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

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


def find_columns(
    headers: Sequence[str], wanted: Mapping[str, str], key: str, optional: Iterable[str] = ()
) -> dict[str, str | None]:
    """Each wanted column's spelling in the file (None for a missing optional one); a missing
    required column refuses the file, naming the community file's ``key`` to fix it."""
    by_name = {header.strip().lower(): header for header in headers}
    found = {role: by_name.get(name.strip().lower()) for role, name in wanted.items()}
    missing = [wanted[role] for role, header in found.items() if header is None]
    missing = [name for name in missing if name not in {wanted[o] for o in optional}]
    if missing:
        raise ReportError(
            f"the file needs the columns {', '.join(repr(m) for m in missing)} but has "
            f"{', '.join(repr(h) for h in headers) or 'none'}; name yours under {key} in the "
            "community file"
        )
    return found


def rows(reader: csv.DictReader[str]) -> Iterator[dict[str, str]]:
    """The reader's rows; a file that stops being CSV refuses the whole import."""
    try:
        for row in reader:
            yield {k: v for k, v in row.items() if isinstance(k, str) and isinstance(v, str)}
    except csv.Error as error:
        raise ReportError(f"line {reader.line_num}: not readable as CSV ({error})") from None


def cell(row: Mapping[str, str], column: str | None) -> str:
    return " ".join((row.get(column) or "").split()) if column else ""


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
