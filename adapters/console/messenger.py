"""The outbound port printed to a terminal; remembers each card so its buttons can be pressed."""

from __future__ import annotations

from collections.abc import Callable
from itertools import count

from adapters.console.render import card_text
from flows.model import Platform
from flows.ports import AdminChannel, MessageRef, PostMark, Recipient
from flows.ui import Card

ADMIN_CHANNEL = "#hmis-admins"


class ConsoleMessenger:
    platform = Platform.CONSOLE

    def __init__(self, write: Callable[[str], None]) -> None:
        self._write = write
        self._ids = count(1)
        self.cards: dict[MessageRef, Card] = {}

    async def post(
        self, recipient: Recipient, card: Card, mark: PostMark | None = None
    ) -> MessageRef:
        """Prints the card; the console has no history to search, so ``mark`` is unused."""
        channel = ADMIN_CHANNEL if isinstance(recipient, AdminChannel) else recipient.email
        ref = MessageRef(channel, str(next(self._ids)))
        self.cards[ref] = card
        self._write(card_text(card, f"new message to {channel}"))
        return ref

    async def update(self, ref: MessageRef, card: Card) -> None:
        self.cards[ref] = card
        self._write(card_text(card, f"message {ref.message_id} to {ref.channel} updated"))

    async def check_health(self) -> bool:
        return True

    def cards_for(self, channel: str) -> list[Card]:
        return [card for ref, card in self.cards.items() if ref.channel == channel]
