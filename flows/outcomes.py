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


Outcome = OpenForm | FieldErrors | Accepted | Notice | CardList
