"""Card pieces the smaller kinds share: a button on a request, the line saying who decided it,
and the letter that escalates a request the HMIS admins have not acted on in time."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from flows.calendar import how_long
from flows.durations import Duration
from flows.kit.kind import CardView
from flows.model import Request
from flows.nudges.letters import Letter, Role
from flows.ui import ActionCommand, Button, ButtonStyle, Card, Fact


def button(
    kind: str,
    request: Request[Any],
    verb: str,
    label: str,
    style: ButtonStyle = ButtonStyle.DEFAULT,
) -> Button:
    return Button(label, ActionCommand(kind, verb, request.id, request.version), style)


def decision_line(view: CardView, request: Request[Any], lines: Mapping[str, str]) -> str:
    """The footer of a decided request: ``lines[state]`` with ``{who}``, ``{when}`` and
    ``{why}`` (" Reason: ..." when one was given) filled in; empty for other states."""
    template = lines.get(request.state, "")
    if not template:
        return ""
    reason = request.decision_reason
    return template.format(
        who=view.name(request.decided_by) if request.decided_by else "",
        when=view.when(request.decided_at),
        why=f" Reason: {reason}" if reason else "",
    )


def waiting_on_admins(
    view: CardView,
    request: Request[Any],
    *,
    what: str,
    todo: str,
    target: Duration,
    facts: Sequence[Fact],
    since: datetime,
    now: datetime,
) -> Letter:
    """The admin channel's reminder that ``what`` (such as "additional agency access") has
    waited past the community's ``target`` since ``since``; ``todo`` says what to press."""
    waited = how_long(now - since)
    card = Card(
        title=f"Waiting on HMIS admins: {what} #{request.id} for {request.subject_name}",
        summary=f"Request #{request.id} ({what}) has waited {waited}.",
        text=(
            f"Waiting since {view.when(since)} ({waited}); the community's target is {target}. "
            f"{todo}"
        ),
        facts=(*facts, Fact("Waiting since", view.when(since))),
    )
    return Letter(Role.ADMINS, None, card)
