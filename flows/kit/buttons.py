"""One entry point for every button of every kind, and the reason form some steps ask for.

A click is re-checked here before a kind's step runs: the request exists and is of the
button's kind, the card is not stale, the clicker holds the step's party (admins never on their
own request), the request is in a state the step starts from. Each refusal is audited.
"""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel

from flows.kit.kind import ADMIN, START, ReasonPrompt, Step
from flows.kit.machine import UNKNOWN_REQUEST, Machine
from flows.model import Actor, Request
from flows.outcomes import FieldErrors, OpenForm, Outcome
from flows.ports import FormValues
from flows.ui import ActionCommand, FieldKind, Form, FormField, Notice

M = TypeVar("M", bound=BaseModel)

REASON_FORM = "reason"
REASON_FIELD = "reason"
MAX_REASON_LENGTH = 1000
NOT_ADMIN = "Only HMIS admins can do that."
OWN_REQUEST = "You filed or are the subject of this request; another HMIS admin has to decide it."


def click(machine: Machine[M], actor: Actor, command: ActionCommand) -> Outcome:
    verb, _, argument = command.verb.partition(".")
    if verb == START:
        account = machine.ledger.get_account(command.subject_id)
        if account is None or not account.is_held:
            return machine.refuse(
                actor, verb, "unknown_account", None, "That HMIS account is not open any more."
            )
        return machine.kind.open_form(machine, actor, account)
    request = machine.get(command.subject_id)
    if request is None:
        return machine.refuse(actor, verb, "unknown_request", command.subject_id, UNKNOWN_REQUEST)
    step = machine.kind.steps().get(verb)
    if step is None:
        return machine.refuse(
            actor,
            verb,
            "unknown_action",
            request.id,
            "That button is not something this bot knows how to do.",
        )
    if step.exact_version and command.version != request.version:
        return machine.refuse(actor, verb, "stale", request.id, machine.already(request))
    refusal = check_party(machine, actor, request, verb, step)
    if refusal is not None:
        return refusal
    if request.state not in step.states:
        return machine.refuse(actor, verb, "wrong_state", request.id, machine.already(request))
    if step.reason is not None:
        return OpenForm(reason_form(command, step.reason))
    return step.run(machine, actor, request, argument, "")


def check_party(
    machine: Machine[M], actor: Actor, request: Request[M], verb: str, step: Step[M]
) -> Notice | None:
    """Why the actor may not take the step, audited; None when they may."""
    if step.who == ADMIN:
        if not machine.community.is_admin(actor.email):
            message = step.refusal_for(request) or NOT_ADMIN
            return machine.refuse(actor, verb, "not_admin", request.id, message)
        if actor.email in (request.requester_email, request.subject_email):
            return machine.refuse(actor, verb, "own_request", request.id, OWN_REQUEST)
        return None
    if not machine.kind.holds(machine.community, request, step.who, actor.email):
        message = step.refusal_for(request) or f"Only the request's {step.who} can do that."
        return machine.refuse(actor, verb, f"not_{step.who}", request.id, message)
    return None


def reason_form(command: ActionCommand, prompt: ReasonPrompt) -> Form:
    """Ask for the reason; the command travels as the form's context (never trusted)."""
    return Form(
        id=REASON_FORM,
        title=prompt.title,
        submit_label=prompt.submit,
        items=(FormField(REASON_FIELD, prompt.label, FieldKind.LONG_TEXT),),
        context=command.encode(),
    )


def submit_reason(
    machine: Machine[M], actor: Actor, command: ActionCommand, values: FormValues
) -> Outcome:
    """The reason form came back: re-check everything the click checked, then take the step."""
    verb = command.verb
    request = machine.get(command.subject_id)
    step = machine.kind.steps().get(verb)
    if request is None or step is None or step.reason is None:
        return machine.refuse(actor, verb, "unknown_request", command.subject_id, UNKNOWN_REQUEST)
    reason = values.get(REASON_FIELD)
    reason = reason.strip() if isinstance(reason, str) else ""
    if not reason or len(reason) > MAX_REASON_LENGTH:
        machine.refuse(actor, verb, "missing_reason", request.id, "")
        return FieldErrors(
            {REASON_FIELD: f"Give the requester a reason (up to {MAX_REASON_LENGTH} characters)."}
        )
    refusal = check_party(machine, actor, request, verb, step)
    if refusal is not None:
        return refusal
    if command.version != request.version or request.state not in step.states:
        return machine.refuse(actor, verb, "stale", request.id, machine.already(request))
    return step.run(machine, actor, request, "", reason)
