"""A person at a terminal acting as anyone in the directory: file, press buttons, read cards."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from adapters.console.messenger import ADMIN_CHANNEL, ConsoleMessenger
from adapters.console.render import form_text, help_text, list_text, notice_text
from flows import ui
from flows.model import Actor, Platform
from flows.outcomes import Accepted, FieldErrors, Help, Lists, OpenForm, Outcome
from flows.ports import FormValues, Inbound

Flush = Callable[[], Awaitable[int]]
Write = Callable[[str], None]


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

    async def open_form(self, email: str, words: Sequence[str] = ()) -> ui.Form | None:
        """The form a typed command opens (the New User Access Request without words)."""
        outcome = await self.service.command(await self.actor(email), list(words))
        await self.show(outcome)
        return outcome.form if isinstance(outcome, OpenForm) else None

    async def submit(self, email: str, form: ui.Form, values: FormValues) -> Outcome:
        outcome = await self.service.submit_form(
            await self.actor(email), form.id, form.context, values
        )
        await self.show(outcome)
        return outcome

    async def press(self, email: str, label: str) -> Outcome:
        """Press the newest button with this label on a card the person can see."""
        button = self.find_button(email, label)
        if button is None:
            raise LookupError(f"{email} sees no button labelled {label!r}")
        outcome = await self.service.click(await self.actor(email), button.command)
        await self.show(outcome)
        return outcome

    def visible_buttons(self, email: str) -> list[ui.Button]:
        channels = [email] + ([ADMIN_CHANNEL] if email in self.admin_emails else [])
        cards = [c for channel in channels for c in self.messenger.cards_for(channel)]
        return [b for card in cards for b in card.buttons]

    def find_button(self, email: str, label: str) -> ui.Button | None:
        matches = [b for b in self.visible_buttons(email) if b.label == label]
        return matches[-1] if matches else None

    async def status(self, email: str) -> None:
        await self.show(await self.service.command(await self.actor(email), ["status"]))

    async def show(self, outcome: Outcome) -> None:
        if isinstance(outcome, OpenForm):
            self.write(form_text(outcome.form))
        elif isinstance(outcome, FieldErrors):
            self.write("The form came back with errors:")
            self.write(
                "\n".join(f"  {field}: {message}" for field, message in outcome.errors.items())
            )
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
