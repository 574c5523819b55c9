"""``hmis-bot console --as EMAIL``: act as anyone in the directory from a terminal.

Reads run in this thread, so Ctrl-C reaches a question at once: in a form it cancels the
form, at the prompt it ends the session; so does the end of the input.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from adapters.console.answers import FormCancelledError, NotAChoiceError, parse_answer
from adapters.console.render import buttons_text, choices_text, help_text, section_text
from adapters.console.session import ConsoleSession
from flows import ui
from flows.outcomes import FieldErrors, OpenForm

Ask = Callable[[str], str]
CANCELLED = "Cancelled: nothing was sent."


async def run_console(session: ConsoleSession, email: str, ask: Ask = input) -> None:
    session.write(f"Acting as {email}. Type `help` for commands.")
    while True:
        try:
            line = ask(f"{email}> ").strip()
        except (EOFError, KeyboardInterrupt):
            session.write("")
            return
        verb, _, argument = line.partition(" ")
        words = {c.word for c in session.service.commands()} - {"", "help"}
        if verb in ("quit", "exit"):
            return
        if verb == "as" and argument:
            email = argument.strip().lower()
        elif verb in ("request", *words):
            await _command(session, email, ask, [] if verb == "request" else [verb])
        elif verb == "buttons":
            session.write(buttons_text(await session.buttons(email)))
        elif verb == "press" and argument.strip().isdigit():
            await _press(session, email, int(argument), ask)
        elif verb:
            session.write(help_text(session.service.commands()))


async def _press(session: ConsoleSession, email: str, number: int, ask: Ask) -> None:
    """Press a button; a form it opens (a denial's reason) is filled in at the prompt."""
    buttons = await session.buttons(email)
    if not 1 <= number <= len(buttons):
        session.write("No such button; type `buttons` to list them.")
        return
    outcome = await session.click(email, buttons[number - 1][0])
    if isinstance(outcome, OpenForm):
        await _fill(session, email, outcome.form, ask)


async def _command(session: ConsoleSession, email: str, ask: Ask, words: list[str]) -> None:
    form = await session.open_form(email, words, show_form=False)
    if form is not None:
        await _fill(session, email, form, ask)


async def _fill(session: ConsoleSession, email: str, form: ui.Form, ask: Ask) -> None:
    """Ask for each field, submit, and ask again for the fields that came back with errors;
    ``cancel``, Ctrl-C or the end of the input abandons the form, sending nothing."""
    session.write(f"== {form.title} == (type `cancel` to stop without sending it)")
    values: dict[str, str | list[str] | None] = {}
    pending = list(form.fields())
    try:
        while pending:
            for item in _questions(form, pending):
                if isinstance(item, ui.Section):
                    session.write(section_text(item))
                else:
                    values[item.id] = _ask_field(session, item, ask)
            outcome = await session.submit(email, form, values)
            if not isinstance(outcome, FieldErrors):
                return
            pending = [f for f in form.fields() if f.id in outcome.errors]
    except (FormCancelledError, EOFError, KeyboardInterrupt):
        session.write(f"\n{CANCELLED}")


def _questions(form: ui.Form, pending: list[ui.FormField]) -> Iterator[ui.Section | ui.FormField]:
    """The pending fields in form order, each after the section it belongs to (the first
    time round, when every field is pending)."""
    every = len(pending) == len(form.fields())
    for item in form.items:
        if isinstance(item, ui.Section):
            if every:
                yield item
        elif item in pending:
            yield item


def _ask_field(session: ConsoleSession, field: ui.FormField, ask: Ask) -> str | list[str] | None:
    """Ask until the answer is one the field can take (a choice by number or name)."""
    choices = choices_text(field)
    if choices:
        session.write("\n".join([field.label, *choices]))
    how = _how(field)
    while True:
        typed = ask(f"{field.label}{how}: ")
        try:
            return parse_answer(field, typed)
        except NotAChoiceError as problem:
            session.write(str(problem))


def _how(field: ui.FormField) -> str:
    optional = "" if field.required else ", optional"
    if field.kind is ui.FieldKind.ATTESTATION:
        return f" (yes or no{optional})"
    if field.kind is ui.FieldKind.MULTI_SELECT:
        return f" (numbers or names, separated by commas{optional})"
    if field.kind in (ui.FieldKind.SELECT, ui.FieldKind.YES_NO):
        return f" (number or name{optional})"
    return f" ({optional.removeprefix(', ')})" if optional else ""
