"""The neutral UI vocabulary: one definition of every form and card, rendered per platform.

Adapters turn these into Block Kit or Adaptive Cards; flows never see platform payloads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    description: str = ""


@dataclass(frozen=True)
class OptionGroup:
    label: str
    options: tuple[Option, ...]


class FieldKind(StrEnum):
    SELECT = "select"
    MULTI_SELECT = "multi_select"
    TEXT = "text"
    LONG_TEXT = "long_text"
    EMAIL = "email"
    YES_NO = "yes_no"
    ATTESTATION = "attestation"
    DATE = "date"


@dataclass(frozen=True)
class FormField:
    id: str
    label: str
    kind: FieldKind
    required: bool = True
    hint: str = ""
    options: tuple[Option, ...] = ()
    groups: tuple[OptionGroup, ...] = ()
    placeholder: str = ""
    initial: str | None = None
    """The value shown when the form opens (a pre-selected option or a date)."""

    def all_options(self) -> tuple[Option, ...]:
        return self.options + tuple(o for g in self.groups for o in g.options)


@dataclass(frozen=True)
class Section:
    """A heading with explanatory text between fields, as on the published paper forms."""

    title: str
    text: str = ""


@dataclass(frozen=True)
class Form:
    """A dialog. ``context`` travels with it and comes back on submit; it is never trusted."""

    id: str
    title: str
    submit_label: str
    items: tuple[FormField | Section, ...]
    context: str = ""

    def fields(self) -> tuple[FormField, ...]:
        return tuple(i for i in self.items if isinstance(i, FormField))


class ButtonStyle(StrEnum):
    DEFAULT = "default"
    PRIMARY = "primary"
    DANGER = "danger"


@dataclass(frozen=True)
class ActionCommand:
    """What a button does, as a command a person could type: ``new_user approve 42 3``.

    ``flow`` is the request kind (or ``account``); ``subject_id`` and ``version`` name what the
    clicker saw. It carries no other state: everything else is read from the database.
    """

    flow: str
    verb: str
    subject_id: int
    version: int

    def encode(self) -> str:
        return f"{self.flow} {self.verb} {self.subject_id} {self.version}"

    @classmethod
    def decode(cls, text: str) -> ActionCommand | None:
        parts = text.split()
        if len(parts) != 4 or not (parts[2].isdigit() and parts[3].isdigit()):
            return None
        return cls(parts[0], parts[1], int(parts[2]), int(parts[3]))


@dataclass(frozen=True)
class Button:
    label: str
    command: ActionCommand
    style: ButtonStyle = ButtonStyle.DEFAULT


@dataclass(frozen=True)
class Fact:
    label: str
    value: str


@dataclass(frozen=True)
class Card:
    """A message that may be updated in place. ``summary`` is the plain-text fallback."""

    title: str
    summary: str
    facts: tuple[Fact, ...] = ()
    text: str = ""
    links: tuple[tuple[str, str], ...] = ()
    buttons: tuple[Button, ...] = ()
    footer: str = ""


@dataclass(frozen=True)
class Notice:
    """A short reply only the acting person sees (Slack ephemeral, Teams reply)."""

    text: str


@dataclass(frozen=True)
class CardList:
    """A titled list of cards, for status replies and the App Home."""

    title: str
    empty_text: str
    cards: tuple[Card, ...] = field(default=())


def card_to_dict(card: Card) -> dict[str, Any]:
    """A card as JSON-ready data, for fixed messages stored in the outbox."""
    return {
        "title": card.title,
        "summary": card.summary,
        "facts": [[f.label, f.value] for f in card.facts],
        "text": card.text,
        "links": [list(link) for link in card.links],
        "buttons": [[b.label, b.command.encode(), b.style.value] for b in card.buttons],
        "footer": card.footer,
    }


def card_from_dict(data: dict[str, Any]) -> Card:
    buttons = []
    for label, encoded, style in data.get("buttons", []):
        command = ActionCommand.decode(encoded)
        if command is not None:
            buttons.append(Button(label, command, ButtonStyle(style)))
    return Card(
        title=data["title"],
        summary=data["summary"],
        facts=tuple(Fact(label, value) for label, value in data.get("facts", [])),
        text=data.get("text", ""),
        links=tuple((name, url) for name, url in data.get("links", [])),
        buttons=tuple(buttons),
        footer=data.get("footer", ""),
    )
