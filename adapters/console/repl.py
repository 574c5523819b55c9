"""``hmis-bot console --as EMAIL``: act as anyone in the directory from a terminal."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from adapters.console.render import help_text
from adapters.console.session import ConsoleSession
from flows import ui
from flows.outcomes import FieldErrors, OpenForm

Ask = Callable[[str], str]


async def run_console(session: ConsoleSession, email: str, ask: Ask = input) -> None:
    session.write(f"Acting as {email}. Type `help` for commands.")
    while True:
        try:
            line = (await asyncio.to_thread(ask, f"{email}> ")).strip()
        except EOFError:
            return
        verb, _, argument = line.partition(" ")
        words = {c.word for c in session.service.commands()} - {"", "help"}
        if verb in ("quit", "exit"):
            return
        if verb == "as" and argument:
            email = argument.strip().lower()
        elif verb in ("request", *words):
            await _file(session, email, ask, [] if verb == "request" else [verb])
        elif verb == "buttons":
            _list_buttons(session, email)
        elif verb == "press" and argument.isdigit():
            await _press(session, email, int(argument), ask)
        elif verb:
            session.write(help_text(session.service.commands()))


def _list_buttons(session: ConsoleSession, email: str) -> None:
    buttons = session.visible_buttons(email)
    session.write(
        "\n".join(f"  {i}. {b.label} ({b.command.encode()})" for i, b in enumerate(buttons, 1))
        or "  no buttons"
    )


async def _press(session: ConsoleSession, email: str, number: int, ask: Ask) -> None:
    """Press a button; a form it opens (a denial's reason) is filled in at the prompt."""
    buttons = session.visible_buttons(email)
    if not 1 <= number <= len(buttons):
        session.write("No such button; type `buttons` to list them.")
        return
    outcome = await session.service.click(await session.actor(email), buttons[number - 1].command)
    await session.show(outcome)
    if isinstance(outcome, OpenForm):
        await _fill(session, email, outcome.form, ask)


async def _file(session: ConsoleSession, email: str, ask: Ask, words: list[str]) -> None:
    form = await session.open_form(email, words)
    if form is not None:
        await _fill(session, email, form, ask)


async def _fill(session: ConsoleSession, email: str, form: ui.Form, ask: Ask) -> None:
    """Ask for each field, submit, and ask again for the fields that came back with errors."""
    values: dict[str, str | list[str] | None] = {}
    pending = list(form.fields())
    while pending:
        for field in pending:
            values[field.id] = await asyncio.to_thread(_ask_field, field, ask)
        outcome = await session.submit(email, form, values)
        if not isinstance(outcome, FieldErrors):
            return
        pending = [f for f in form.fields() if f.id in outcome.errors]


def _ask_field(field: ui.FormField, ask: Ask) -> str | list[str] | None:
    answer = ask(f"{field.label}{'' if field.required else ' (optional)'}: ").strip()
    if field.kind in (ui.FieldKind.MULTI_SELECT, ui.FieldKind.ATTESTATION):
        if field.kind is ui.FieldKind.ATTESTATION:
            return ["yes"] if answer.lower() in ("y", "yes") else []
        return [part.strip() for part in answer.split(",") if part.strip()]
    return answer or None
