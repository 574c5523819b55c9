"""The one table the benchmark prints: every figure beside its baseline from the same run,
their ratio, the target and whether it was met; then one line per missed target."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

HEADER = ("path", "conc", "figure", "bot", "baseline", "ratio", "target", "met?")


@dataclass(frozen=True)
class Target:
    """A goal for a row, printed as ``text``; ``check`` decides it from the row."""

    text: str
    check: Callable[[Row], bool]


def ratio_at_least(times: float) -> Target:
    return Target(f">={times:g}x", lambda row: row.ratio >= times)


def ratio_at_most(times: float) -> Target:
    return Target(f"<={times:g}x", lambda row: row.ratio <= times)


def bot_below(limit: float, unit: str) -> Target:
    return Target(f"bot <{limit:g} {unit}", lambda row: row.bot is not None and row.bot < limit)


def bot_at_most(limit: float, unit: str) -> Target:
    return Target(f"bot <={limit:g} {unit}", lambda row: row.bot is not None and row.bot <= limit)


@dataclass(frozen=True)
class Row:
    path: str
    concurrency: str
    figure: str
    bot: float | None
    baseline: float | None
    target: Target | None = None
    limiter: str = ""
    """What limits the bot here, printed when the target is missed (empty: unknown)."""
    shown: str = ""
    """Printed instead of the bot figure (such as "did not finish")."""

    @property
    def ratio(self) -> float:
        if self.bot is None or not self.baseline:
            return math.nan
        return self.bot / self.baseline

    @property
    def met(self) -> bool | None:
        if self.target is None or self.bot is None or math.isnan(self.bot):
            return None if self.target is None else False
        return self.target.check(self)


def number(value: float | None) -> str:
    if value is None or math.isnan(value):
        return "-"
    if value == 0 or abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}" if abs(value) >= 0.1 else f"{value:.3f}"


def cells(row: Row) -> tuple[str, ...]:
    ratio = "-" if math.isnan(row.ratio) else f"{row.ratio:.2f}x"
    met = {None: "", True: "yes", False: "NO"}[row.met]
    return (
        row.path,
        row.concurrency,
        row.figure,
        row.shown or number(row.bot),
        number(row.baseline),
        ratio,
        row.target.text if row.target else "",
        met,
    )


def render(rows: Sequence[Row]) -> str:
    table = [HEADER, *(cells(row) for row in rows)]
    widths = [max(len(line[column]) for line in table) for column in range(len(HEADER))]
    numeric = {3, 4, 5}

    def line(values: tuple[str, ...]) -> str:
        return "  ".join(
            value.rjust(width) if column in numeric else value.ljust(width)
            for column, (value, width) in enumerate(zip(values, widths, strict=True))
        ).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([line(HEADER), rule, *(line(values) for values in table[1:])])


def missed(rows: Sequence[Row]) -> list[str]:
    """One line per missed target, naming what limits it when that is known."""
    lines = []
    for row in rows:
        if row.met is False:
            why = row.limiter or "limiter not identified by the harness"
            lines.append(
                f"MISSED {row.path} [{row.concurrency}] {row.figure} "
                f"({row.target.text if row.target else ''}): {why}"
            )
    return lines
