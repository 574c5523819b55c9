"""A person at a terminal acting as anyone in the directory: file, press buttons, read cards."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from adapters.console.messenger import ADMIN_CHANNEL, ConsoleMessenger
from adapters.console.render import errors_text, form_text, help_text, list_text, notice_text
from flows import ui
from flows.model import Actor, Platform
from flows.outcomes import Accepted, FieldErrors, Help, Lists, OpenForm, Outcome
from flows.ports import FormValues, Inbound

Flush = Callable[[], Awaitable[int]]
Write = Callable[[str], None]
Pressable = tuple[ui.Button, str]
"""A button and the title of the card it is on."""


@dataclass
class ConsoleSession:
    service: Inbound
    messenger: ConsoleMessenger
    flush: Flush
    write: Write
    admin_emails: frozenset[str] = field(default_factory=frozenset)

    async def actor(self, email: str) -> Actor:
        async def lookup() -> str:
            return email

        actor = await self.service.identify(Platform.CONSOLE, email, lookup)
        assert actor is not None
        return actor

    async def open_form(
        self, email: str, words: Sequence[str] = (), *, show_form: bool = True
    ) -> ui.Form | None:
        """The form a typed command opens (the New User Access Request without words); any
        other answer (a refusal, a status list) is shown."""
        outcome = await self.service.command(await self.actor(email), list(words))
        if show_form or not isinstance(outcome, OpenForm):
            await self.show(outcome)
        return outcome.form if isinstance(outcome, OpenForm) else None

    async def submit(self, email: str, form: ui.Form, values: FormValues) -> Outcome:
        outcome = await self.service.submit_form(
            await self.actor(email), form.id, form.context, values
        )
        await self.show(outcome, form)
        return outcome

    async def press(self, email: str, label: str) -> Outcome:
        """Press the button with this label on a card the person can see now."""
        button = await self.find_button(email, label)
        if button is None:
            raise LookupError(f"{email} sees no button labelled {label!r}")
        return await self.click(email, button)

    async def click(self, email: str, button: ui.Button) -> Outcome:
        outcome = await self.service.click(await self.actor(email), button.command)
        await self.show(outcome)
        return outcome

    async def buttons(self, email: str) -> list[Pressable]:
        """The buttons on the cards the person can see now: their status lists, rendered
        from the database (so a request filed in another session is there), then any card
        this session delivered that the lists do not hold (an inactivity announcement)."""
        outcome = await self.service.command(await self.actor(email), ["status"])
        lists = outcome.lists if isinstance(outcome, Lists) else ()
        cards = [card for card_list in lists for card in card_list.cards]
        cards += self._delivered_cards(email)
        found: dict[tuple[str, str, int], Pressable] = {}
        for card in cards:
            for button in card.buttons:
                command = button.command
                found.setdefault(
                    (command.flow, command.verb, command.subject_id), (button, card.title)
                )
        return list(found.values())

    def _delivered_cards(self, email: str) -> list[ui.Card]:
        channels = [email] + ([ADMIN_CHANNEL] if email in self.admin_emails else [])
        return [c for channel in channels for c in self.messenger.cards_for(channel)]

    async def find_button(self, email: str, label: str) -> ui.Button | None:
        matches = [b for b, _ in await self.buttons(email) if b.label == label]
        return matches[0] if matches else None

    async def status(self, email: str) -> None:
        await self.show(await self.service.command(await self.actor(email), ["status"]))

    async def show(self, outcome: Outcome, form: ui.Form | None = None) -> None:
        if isinstance(outcome, OpenForm):
            self.write(form_text(outcome.form))
        elif isinstance(outcome, FieldErrors):
            self.write(errors_text(form.fields() if form else (), outcome.errors))
        elif isinstance(outcome, Accepted):
            self.write(notice_text(outcome.notice))
        elif isinstance(outcome, ui.Notice):
            self.write(notice_text(outcome))
        elif isinstance(outcome, Help):
            self.write(help_text(self.service.commands(), outcome.problem))
        else:
            for card_list in outcome.lists if isinstance(outcome, Lists) else (outcome,):
                self.write(list_text(card_list))
        await self.flush()
