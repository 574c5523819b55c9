"""A form field's answer as typed at the console: choices by number or by name, in any case."""

from __future__ import annotations

from flows import ui

CANCEL = "cancel"
YES, NO = ("y", "yes"), ("n", "no")


class FormCancelledError(Exception):
    """The person typed ``cancel`` in a form."""


class NotAChoiceError(ValueError):
    """The answer names none of the field's choices; ``str()`` says what to type instead."""


Answer = str | list[str] | None


def parse_answer(field: ui.FormField, typed: str) -> Answer:
    answer = typed.strip()
    if answer.lower() == CANCEL:
        raise FormCancelledError
    if field.kind is ui.FieldKind.ATTESTATION:
        return _attestation(field, answer)
    if field.kind is ui.FieldKind.MULTI_SELECT:
        picked = [_choice(field, part) for part in answer.split(",") if part.strip()]
        return list(dict.fromkeys(picked))  # each once, in the order typed
    if field.kind in (ui.FieldKind.SELECT, ui.FieldKind.YES_NO):
        return _choice(field, answer) if answer else None
    return answer or None


def _attestation(field: ui.FormField, answer: str) -> list[str]:
    """Ticked with yes (or its number), left unticked with no or nothing."""
    lowered = answer.lower()
    if lowered in ("", *NO):
        return []
    if lowered in YES:
        return [field.all_options()[0].value]
    return [_choice(field, answer)]


def _choice(field: ui.FormField, answer: str) -> str:
    options = field.all_options()
    wanted = answer.strip().lower()
    if wanted.isdigit() and 1 <= int(wanted) <= len(options):
        return options[int(wanted) - 1].value
    if field.kind is ui.FieldKind.YES_NO and wanted in (YES[0], NO[0]):
        wanted = YES[1] if wanted == YES[0] else NO[1]
    for option in options:
        if wanted in (option.value.lower(), option.label.lower()):
            return option.value
    raise NotAChoiceError(
        f"'{answer.strip()}' is not one of the choices: type its number (1 to {len(options)}) "
        "or its name."
    )
