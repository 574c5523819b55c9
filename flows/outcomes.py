"""What a flow asks the adapter to show the acting person right now.

Everything meant for other people goes through the outbox instead (``Ledger.notify``).
"""

from __future__ import annotations

from dataclasses import dataclass

from flows.ui import CardList, Form, Notice


@dataclass(frozen=True)
class OpenForm:
    form: Form


@dataclass(frozen=True)
class FieldErrors:
    """Submitted form rejected; messages keyed by field id, shown next to the fields."""

    errors: dict[str, str]


@dataclass(frozen=True)
class Accepted:
    """Submitted form accepted: close it and tell the person what happens next."""

    notice: Notice


@dataclass(frozen=True)
class Lists:
    """Several titled lists, in order: a person's status, or their home view."""

    lists: tuple[CardList, ...]


@dataclass(frozen=True)
class Help:
    """The commands a person can type; each adapter words them for its platform.

    ``problem`` says what was wrong with what they typed, if anything.
    """

    problem: str = ""


Outcome = OpenForm | FieldErrors | Accepted | Notice | CardList | Lists | Help
